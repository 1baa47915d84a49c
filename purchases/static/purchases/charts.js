// Draws each <canvas data-chart="ID"> from the JSON that json_script wrote in <script id="ID">.
// The same figures are in a table beside the chart, so nothing is lost without JavaScript.
// Amounts on the axes and in the tooltips are written as the page's language writes them
// (<html lang>: "1 250 000 $" in French, "$1,250,000" in English), not as the browser's would.
// A chart's JSON may say "format": "count" (whole numbers, no currency), "legend": true (for
// several series) and give each dataset its colours; without them, a chart is money, in one
// colour, with no legend, as the purchases' charts are.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var language = (document.documentElement.lang || "fr").toLowerCase();
  var locale = language.indexOf("en") === 0 ? "en-CA" : "fr-CA";
  // French puts a non-breaking space before a colon; English none.
  var colon = locale === "fr-CA" ? "\u00a0: " : ": ";
  var money = new Intl.NumberFormat(locale, {
    style: "currency", currency: "CAD", currencyDisplay: "narrowSymbol", maximumFractionDigits: 0,
  });
  // Axis ticks: "1,2 M$" / "$1.2M" rather than seven digits beside a small chart.
  var compactMoney = new Intl.NumberFormat(locale, {
    style: "currency", currency: "CAD", currencyDisplay: "narrowSymbol", notation: "compact",
    maximumFractionDigits: 1,
  });

  var count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });

  function amountAxis() {
    return { beginAtZero: true, ticks: { callback: function (value) { return compactMoney.format(value); } } };
  }

  // Counts: whole ticks only (no "0.5 request"), written as the page's language writes them.
  function countAxis() {
    return { beginAtZero: true, ticks: { precision: 0, callback: function (value) { return count.format(value); } } };
  }

  // A long name (« Appel d'offres public, sous les seuils… ») is written on several lines under
  // its bar: rotated, it ran past the chart's left edge and was cut.
  function wrapped(label) {
    var lines = [];
    String(label).split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= 22) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines.length > 1 ? lines : label;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var chart = JSON.parse(source.textContent);
    var counts = chart.format === "count";
    var format = counts ? count : money;
    new window.Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels.map(wrapped),
        datasets: chart.datasets.map(function (dataset) {
          return Object.assign({ backgroundColor: "#0b5cad", borderColor: "#0b5cad" }, dataset);
        }),
      },
      options: {
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: false } },
          y: counts ? countAxis() : amountAxis(),
        },
        plugins: {
          legend: { display: chart.legend === true },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + colon + format.format(context.parsed.y);
              },
            },
          },
        },
      },
    });
  });
})();
