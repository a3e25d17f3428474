// Back office: select every row of a queue, keep the keyboard focus sensible when
// htmx replaces the work area of a ticket, and fill a form from a canned answer.
(function () {
  "use strict";

  function setUpSelectAll() {
    var all = document.getElementById("select-all");
    if (!all) { return; }
    all.addEventListener("change", function () {
      document.querySelectorAll(".row-select").forEach(function (box) { box.checked = all.checked; });
    });
  }

  // A canned answer's "Use" link (templates/backoffice/_canned_results.html) is a plain
  // link that reopens the page with the text filled in; here it fills the form in place.
  function useCannedAnswer(event) {
    var link = event.target.closest("[data-canned-use]");
    var picker = link && link.closest("[data-canned-picker]");
    if (!picker) { return; }
    var box = document.getElementById(picker.dataset.cannedTarget);
    if (!box) { return; }
    event.preventDefault();
    var text = link.dataset.cannedText;
    if (box.isContentEditable) {
      // The light rich-text editor (static/js/portal.js) took the id; its source follows.
      box.innerHTML = text;
      var source = document.getElementById(box.id + "_source");
      if (source) { source.value = text; }
    } else {
      box.value = text;
    }
    var field = document.getElementById(picker.dataset.cannedField);
    if (field) { field.value = link.dataset.cannedId; }
    var status = picker.querySelector("[data-canned-status]");
    if (status) { status.textContent = picker.dataset.cannedDone; }
    box.focus();
  }

  document.addEventListener("DOMContentLoaded", setUpSelectAll);
  document.addEventListener("click", useCannedAnswer);
  document.addEventListener("htmx:afterSettle", function (event) {
    // The picker's results only: the focus stays in its search box.
    var target = event.detail && event.detail.target;
    if (target && target.closest && target.closest("[data-canned-picker]")) { return; }
    if (window.Help) { window.Help.init(); }
    // The button that was pressed is gone with the old work area: give the focus a home.
    var focus = document.querySelector("#work .error-summary") ||
      document.querySelector("#work [role=status]") || document.querySelector("#work h1");
    if (focus) {
      focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  });
})();
