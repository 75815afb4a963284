/* Warns before a session ends for inactivity, and offers to stay signed in. The server renews
 * the session on every request a person makes (autosaves included); the page's background
 * polling does not. Drafts autosave, so an ended session loses nothing typed. */
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.dataset.sessionSeconds || "0", 10);
  if (!seconds) { return; }
  var WARN_BEFORE = Math.min(120, Math.floor(seconds / 2));
  var banner = document.getElementById("session-warning");
  var text = banner.querySelector(".session-warning-text");
  var stay = banner.querySelector("button");
  var warnTimer, endTimer;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    banner.hidden = true;
    warnTimer = setTimeout(function () {
      text.textContent = body.dataset.sessionWarning;
      stay.hidden = false;
      banner.hidden = false;
      stay.focus();
    }, (seconds - WARN_BEFORE) * 1000);
    endTimer = setTimeout(function () {
      text.textContent = body.dataset.sessionEnded;
      stay.hidden = true;
      banner.hidden = false;
    }, seconds * 1000);
  }

  stay.addEventListener("click", function () {
    fetch(body.dataset.keepaliveUrl, { credentials: "same-origin" }).then(function (r) {
      if (r.ok && !r.redirected) { schedule(); }
    });
  });
  document.addEventListener("allied:activity", schedule);
  schedule();
})();
