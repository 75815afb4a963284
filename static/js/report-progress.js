/* Follows a report being built: polls its status and reloads the page when it is done or failed. */
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box || box.dataset.finished === "true") { return; }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.finished) { window.location.reload(); return; }
        box.querySelector("strong").textContent = data.label;
        var step = box.querySelector(".step");
        if (!step) { step = document.createElement("span"); step.className = "step"; box.appendChild(step); }
        step.textContent = data.step ? " – " + data.step : "";
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
