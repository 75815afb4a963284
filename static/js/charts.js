/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">.
 * The figures are always in a table beside the chart; the chart is a reading aid. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var palette = ["#1f3a5f", "#b35c00", "#2e7d32", "#8b0000", "#5c3d8f", "#00707a"];

  /* A long category name on several lines (Chart.js draws an array as lines), so that a narrow
   * screen shows every word of it rather than cutting it at the canvas edge. */
  function wrapped(label, width) {
    var words = String(label).split(" ");
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines.length > 1 ? lines : label;
  }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    data.datasets.forEach(function (set, i) { set.backgroundColor = palette[i % palette.length]; });
    var perLine = canvas.parentElement.clientWidth < 576 ? 16 : 30;
    var labels = data.labels.map(function (label) { return wrapped(label, perLine); });
    var horizontal = !!data.horizontal;
    if (horizontal) {
      // Every category named: the box grows with the label lines instead of Chart.js skipping
      // every other label when they do not fit.
      var lines = labels.reduce(function (n, label) { return n + (Array.isArray(label) ? label.length : 1); }, 0);
      var needed = lines * 14 + labels.length * 6 + 60;
      if (canvas.parentElement.clientHeight < needed) { canvas.parentElement.style.height = needed + "px"; }
    }
    var category = { ticks: { autoSkip: false } };
    var value = { beginAtZero: true };
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: data.datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: data.datasets.length > 1 } },
        scales: horizontal ? { y: category, x: value } : { x: category, y: value },
      },
    });
  });
})();
