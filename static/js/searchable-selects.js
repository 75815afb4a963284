/* Turns every <select data-searchable> into a searchable multi-select (Tom Select), keeping it
 * named for assistive technology and ready for the next choice by keyboard. */
(function () {
  "use strict";
  if (!window.TomSelect) { return; }
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    if (select.disabled || select.tomselect) { return; }
    var label = select.labels && select.labels.length ? select.labels[0].textContent.trim() : "";
    var picker = new window.TomSelect(select, {
      plugins: ["remove_button"], maxOptions: null, hideSelected: true,
      // The next country is typed from an empty search, not from the last one's name.
      onItemAdd: function () { this.setTextboxValue(""); this.refreshOptions(false); },
    });
    if (label) {
      // Tom Select moves the label to its own search box; the original select, still read by
      // screen readers and posted with the form, keeps the name too.
      select.setAttribute("aria-label", label);
      if (picker.control_input) { picker.control_input.setAttribute("aria-label", label); }
    }
    // The keyboard hint for the plain select is not true of the searchable one.
    var hint = document.getElementById("hint_" + select.name);
    if (hint && hint.classList.contains("no-script-hint")) { hint.classList.add("d-none"); }
  });
})();
