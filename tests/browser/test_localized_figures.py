"""Chart axes and tooltips write amounts as the page's language does, whatever the browser's
own language (issue 16: the axes followed the browser's number format)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from purchases.models import Purchase
from tests.factories import PurchaseFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHART_DRAWN = "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))"
AXIS_LABELS = """() => {
  const chart = Chart.getChart(document.querySelector("canvas[data-chart]"));
  return chart.scales.y.ticks.map((tick) => tick.label);
}"""


@pytest.fixture
def published_purchases():
    for month, amount in ((1, "250000"), (2, "1250000")):
        PurchaseFactory(
            amount=Decimal(amount), status=Purchase.Status.VALIDATED, consent_to_publish=True,
            award_date=datetime.date(datetime.date.today().year, month, 10),
        )


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A browser set to American English: the page's language must win over it."""
    return {**browser_context_args, "locale": "en-US"}


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", "1,2\u00a0M\u00a0$"),
    ("en", "$1.2M"),
])
def test_chart_axis_writes_amounts_as_the_page_language_does(
    page, live_server, published_purchases, language, expected
):
    with translation.override(language):
        path = reverse("purchases:repertory")
    page.goto(live_server.url + path)
    page.wait_for_function(CHART_DRAWN)
    labels = page.evaluate(AXIS_LABELS)
    assert labels, "the chart drew no axis"
    assert any(expected in label for label in labels), labels
