/* The error page's "Back to the question" goes back in the browser's history, to the page the user
 * typed in (where response-form.js puts the local copy back), instead of to the home page it links
 * to without script. */
(function () {
  "use strict";
  var back = document.querySelector("[data-go-back]");
  if (!back || window.history.length < 2) { return; }
  back.addEventListener("click", function (event) {
    event.preventDefault();
    window.history.back();
  });
})();
