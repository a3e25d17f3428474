// Back office: select rows of a queue and show what to do with them, keep the keyboard
// focus sensible when htmx replaces the work area of a ticket, and fill a form from a
// canned answer.
(function () {
  "use strict";

  // The bulk actions show once a row is ticked (without JavaScript they stay in view);
  // how many rows are ticked is said politely in the form's status line.
  function setUpBulk() {
    var form = document.getElementById("bulk-form");
    if (!form) { return; }
    var actions = document.getElementById("bulk-actions");
    var status = form.querySelector(".selection-status");
    var all = document.getElementById("select-all");

    function update(announce) {
      var boxes = form.querySelectorAll(".row-select");
      var ticked = form.querySelectorAll(".row-select:checked").length;
      actions.hidden = ticked === 0;
      if (all) {
        all.checked = ticked > 0 && ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
      if (!announce) { return; }
      status.textContent = ticked === 0 ? form.dataset.noneSelected :
        ticked === 1 ? form.dataset.oneSelected :
        form.dataset.manySelected.replace("{count}", String(ticked));
    }

    form.addEventListener("change", function (event) {
      if (event.target === all) {
        form.querySelectorAll(".row-select").forEach(function (box) { box.checked = all.checked; });
      } else if (!event.target.classList.contains("row-select")) {
        return;
      }
      update(true);
    });
    update(false);
  }

  // The composer: one action open at a time, as tabs (arrow keys move between them);
  // files dropped anywhere on it go to the open form's file field.
  function setUpComposer() {
    var composer = document.querySelector(".composer");
    if (!composer) { return; }
    var tabs = composer.querySelector(".composer-tabs");
    var buttons = Array.prototype.slice.call(tabs.querySelectorAll("button"));
    tabs.hidden = false;
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-labelledby", "composer-title");

    function panelOf(button) { return document.getElementById("panel-" + button.dataset.panel); }

    function open(button, focus) {
      buttons.forEach(function (other) {
        var selected = other === button;
        other.setAttribute("aria-selected", selected ? "true" : "false");
        other.tabIndex = selected ? 0 : -1;
        panelOf(other).hidden = !selected;
      });
      if (focus) { button.focus(); }
    }

    buttons.forEach(function (button, index) {
      var panel = panelOf(button);
      button.id = "tab-" + button.dataset.panel;
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
      button.addEventListener("click", function () { open(button, false); });
      button.addEventListener("keydown", function (event) {
        var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
        if (next === undefined) { return; }
        event.preventDefault();
        open(buttons[(next + buttons.length) % buttons.length], true);
      });
    });
    var wanted = buttons.filter(function (b) { return b.dataset.panel === composer.dataset.open; })[0];
    open(wanted || buttons[0], false);

    composer.addEventListener("dragover", function (event) { event.preventDefault(); });
    composer.addEventListener("drop", function (event) {
      var panel = composer.querySelector(".composer-panel:not([hidden])");
      var input = panel && panel.querySelector("input[type=file]");
      if (!input || !event.dataTransfer.files.length) { return; }
      event.preventDefault();
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
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

  document.addEventListener("DOMContentLoaded", setUpBulk);
  document.addEventListener("DOMContentLoaded", setUpComposer);
  document.addEventListener("click", useCannedAnswer);
  document.addEventListener("htmx:afterSettle", function (event) {
    // The picker's results only: the focus stays in its search box.
    var target = event.detail && event.detail.target;
    if (target && target.closest && target.closest("[data-canned-picker]")) { return; }
    if (window.Help) { window.Help.init(); }
    setUpComposer();
    // The button that was pressed is gone with the old work area: give the focus a home.
    var focus = document.querySelector("#work .error-summary") ||
      document.querySelector("#work [role=status]") || document.querySelector("#work h1");
    if (focus) {
      focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  });
})();
