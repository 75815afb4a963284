/* Turns every <select data-searchable> into a searchable multi-select. */
(function () {
  "use strict";
  if (!window.TomSelect) { return; }
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    if (!select.disabled && !select.tomselect) {
      new window.TomSelect(select, { plugins: ["remove_button"], maxOptions: null, hideSelected: true });
    }
  });
})();
