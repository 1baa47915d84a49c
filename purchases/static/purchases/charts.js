// Draws each <canvas data-chart="ID"> from the JSON that json_script wrote in <script id="ID">.
// The same figures are in a table beside the chart, so nothing is lost without JavaScript.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var chart = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset) {
          return Object.assign({ backgroundColor: "#0b5cad", borderColor: "#0b5cad" }, dataset);
        }),
      },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } } },
    });
  });
})();
