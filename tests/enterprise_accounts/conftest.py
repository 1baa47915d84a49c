import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_rate_counters():
    """Each test starts with no claim, report or upload counted against its address."""
    cache.clear()
    yield
    cache.clear()
