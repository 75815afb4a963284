/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">.
 * The figures are always in a table beside the chart; the chart is a reading aid. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var palette = ["#1f3a5f", "#b35c00", "#2e7d32", "#8b0000", "#5c3d8f", "#00707a"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    data.datasets.forEach(function (set, i) { set.backgroundColor = palette[i % palette.length]; });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        indexAxis: data.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: data.datasets.length > 1 } },
        scales: { x: { ticks: { autoSkip: false } }, y: { beginAtZero: true } },
      },
    });
  });
})();
