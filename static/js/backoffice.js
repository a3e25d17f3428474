// Back office: select every row of a queue, and keep the keyboard focus sensible when
// htmx replaces the work area of a ticket.
(function () {
  "use strict";

  function setUpSelectAll() {
    var all = document.getElementById("select-all");
    if (!all) { return; }
    all.addEventListener("change", function () {
      document.querySelectorAll(".row-select").forEach(function (box) { box.checked = all.checked; });
    });
  }

  document.addEventListener("DOMContentLoaded", setUpSelectAll);
  document.addEventListener("htmx:afterSettle", function () {
    if (window.Help) { window.Help.init(); }
    // The button that was pressed is gone with the old work area: give the focus a home.
    var target = document.querySelector("#work .error-summary") ||
      document.querySelector("#work [role=status]") || document.querySelector("#work h1");
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });
})();
