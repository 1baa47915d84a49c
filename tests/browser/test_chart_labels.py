"""A chart's long category names are written on several lines under their bars, level, instead
of rotated past the chart's left edge where they were cut (issue 16: « Appel d'offres public,
sous les seuils… » on the repertory's contract-size chart)."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import PurchaseFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONTRACT_SIZE_AXIS = """() => {
  const chart = Chart.getChart(document.querySelector("canvas[data-chart]"));
  const axis = chart.scales.x;
  return {
    rotation: axis.labelRotation,
    left: Math.min(...axis.getLabelItems().map((item) => item.options.translation[0])),
    labels: chart.data.labels,
  };
}"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_long_contract_size_names_wrap_level_inside_the_chart(
    page, live_server, language
):
    PurchaseFactory()
    page.set_viewport_size({"width": 1280, "height": 800})
    with translation.override(language):
        path = reverse("purchases:repertory")
    page.goto(live_server.url + path)
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))"
    )

    axis = page.evaluate(CONTRACT_SIZE_AXIS)

    assert axis["rotation"] == 0
    # Each label's centre lies inside the canvas, and the longest names are split in lines.
    assert axis["left"] > 0
    assert any(isinstance(label, list) and len(label) > 1 for label in axis["labels"])
