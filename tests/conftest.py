import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import StaffFactory


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in French, the site's default, whatever the previous test activated."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def staff_user(db):
    return StaffFactory(username="curator")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
