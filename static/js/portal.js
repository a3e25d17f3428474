// The requester's forms: conditional questions, pickers, light rich text, files, progress.
// Everything here is an enhancement: the forms work without it.
(function () {
  "use strict";

  function normalise(value) {
    var text = String(value || "").trim().toLowerCase();
    return { oui: "yes", non: "no" }[text] || text;
  }

  // Questions shown only when another answer has a given value.
  function answersOf(form, name) {
    return Array.prototype.filter
      .call(form.elements, function (el) {
        return el.name === name && (!/radio|checkbox/.test(el.type) || el.checked);
      })
      .map(function (el) { return normalise(el.value); });
  }

  function refreshConditions(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var source = form.querySelector('[id="field-' + block.dataset.showIf + '"]');
      var sourceShown = !source || !source.hidden;
      var expected = normalise(block.dataset.showValue);
      block.hidden = !(sourceShown && answersOf(form, block.dataset.showIf).indexOf(expected) >= 0);
    });
  }

  // Pickers: a text box whose suggestions come from the server as the user types,
  // made an ARIA 1.2 combobox (its own listbox, arrows, Enter, Escape). Without
  // JavaScript the box stays a plain text box with its native list.
  // Too many searches: the server answers 429 with its reason, said next to the box.
  var pickerCount = 0;

  function setUpPicker(input) {
    if (input.dataset.combobox) { return; }
    input.dataset.combobox = "on";
    pickerCount += 1;
    var timer = null;
    var active = -1;
    var listbox = document.createElement("ul");
    listbox.id = (input.id || "picker") + "-listbox-" + pickerCount;
    listbox.className = "picker-listbox";
    listbox.setAttribute("role", "listbox");
    listbox.hidden = true;
    var status = document.createElement("span");
    status.className = "picker-status";
    status.setAttribute("aria-live", "polite");
    input.removeAttribute("list");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.after(listbox, status);

    function options() { return listbox.querySelectorAll("[role=option]"); }

    function close() {
      listbox.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function show(index) {
      var all = options();
      if (!all.length) { return; }
      active = (index + all.length) % all.length;
      all.forEach(function (option, at) {
        option.setAttribute("aria-selected", at === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function pick(option) {
      input.value = option.dataset.value;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function fill(html) {
      var found = new DOMParser().parseFromString("<select>" + html + "</select>", "text/html");
      listbox.innerHTML = "";
      found.querySelectorAll("option:not([disabled])").forEach(function (source, at) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + at;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.value = source.value;
        option.textContent = source.textContent.trim() || source.value;
        listbox.appendChild(option);
      });
      active = -1;
      listbox.hidden = !options().length;
      input.setAttribute("aria-expanded", listbox.hidden ? "false" : "true");
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = input.dataset.searchUrl + "?q=" + encodeURIComponent(input.value);
        fetch(url, { credentials: "same-origin" })
          .then(function (response) {
            return response.text().then(function (html) {
              return { ok: response.ok, limited: response.status === 429, html: html };
            });
          })
          .then(function (answer) {
            if (answer.ok) {
              fill(answer.html);
              status.textContent = "";
            } else if (answer.limited) {
              var page = new DOMParser().parseFromString(answer.html, "text/html");
              var message = page.querySelector("[data-message]");
              fill("");
              status.textContent = message ? message.textContent : "";
            }
          })
          .catch(function () {});
      }, 250);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options().length) { return; }
        event.preventDefault();
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
        show(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();  // the choice, not the form's submission
        pick(options()[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    listbox.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        event.preventDefault();  // keep the focus in the box
        pick(option);
      }
    });
  }

  // Light rich text: bold, italic, lists and links, over a textarea that stays the source.
  function setUpRichText(textarea) {
    var template = document.getElementById("rich-toolbar");
    var format = textarea.form.elements[textarea.name + "_format"];
    if (!template || !format) { return; }
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    var toolbar = template.content.firstElementChild.cloneNode(true);
    var editor = document.createElement("div");
    editor.className = "rich-editor";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    editor.tabIndex = 0;
    if (label) {
      label.id = label.id || textarea.id + "_label";
      editor.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () { editor.focus(); });
    }
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (textarea.hasAttribute(name)) { editor.setAttribute(name, textarea.getAttribute(name)); }
    });
    // Links to the field (error summary) must land on what the person types in.
    editor.id = textarea.id;
    textarea.id = textarea.id + "_source";
    editor.innerHTML = format.value === "html" ? textarea.value : textarea.value.replace(/[&<>]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;" }[c];
    }).replace(/\n/g, "<br>");
    textarea.hidden = true;
    format.value = "html";
    textarea.after(toolbar, editor);
    function sync() { textarea.value = editor.innerHTML; }
    editor.addEventListener("input", sync);
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-command]");
      if (!button) { return; }
      editor.focus();
      var command = button.dataset.command;
      if (command === "createLink") {
        var url = window.prompt(button.dataset.prompt, "https://");
        if (url && /^(https?:|mailto:)/i.test(url)) { document.execCommand("createLink", false, url); }
      } else {
        document.execCommand(command, false, null);
      }
      sync();
    });
    sync();
  }

  // Files: browse, drag and drop, or paste a screenshot; each one checked against the limit.
  function setUpFiles(zone) {
    var input = zone.querySelector('input[type="file"]');
    var list = zone.querySelector(".file-list");
    var maxBytes = parseInt(zone.dataset.maxBytes, 10);
    var messages = document.getElementById("file-messages");

    function describe(size) {
      return size >= 1048576
        ? (size / 1048576).toFixed(1) + " " + messages.dataset.mebibytes
        : Math.ceil(size / 1024) + " " + messages.dataset.kibibytes;
    }

    function render() {
      list.innerHTML = "";
      Array.prototype.forEach.call(input.files, function (file, index) {
        var item = document.createElement("li");
        var remove = document.createElement("button");
        item.textContent = file.name + " (" + describe(file.size) + ") ";
        if (file.size > maxBytes) {
          item.className = "too-large";
          item.textContent += messages.dataset.tooLarge + " ";
        }
        remove.type = "button";
        remove.className = "link";
        remove.textContent = messages.dataset.remove;
        remove.setAttribute("aria-label", messages.dataset.remove + " " + file.name);
        remove.addEventListener("click", function () { removeAt(index); });
        item.appendChild(remove);
        list.appendChild(item);
      });
    }

    function setFiles(files) {
      var transfer = new DataTransfer();
      files.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      render();
    }

    function add(newFiles) {
      setFiles(Array.prototype.slice.call(input.files).concat(newFiles));
    }

    function removeAt(index) {
      var files = Array.prototype.slice.call(input.files);
      files.splice(index, 1);
      setFiles(files);
      input.focus();
    }

    input.addEventListener("change", render);
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      add(Array.prototype.slice.call(event.dataTransfer.files));
    });
    zone.closest("form").addEventListener("paste", function (event) {
      var pasted = Array.prototype.slice.call((event.clipboardData || {}).files || []);
      if (!pasted.length) { return; }
      event.preventDefault();
      var stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      add(pasted.map(function (file, i) {
        var name = messages.dataset.screenshot + "-" + stamp + (i ? "-" + i : "") + ".png";
        return new File([file], name, { type: file.type || "image/png" });
      }));
    });
  }

  // Large files: send with a progress bar, then show what the server answered.
  function sendWithProgress(form, event) {
    var input = form.querySelector('input[type="file"]');
    if (!input || !input.files.length || !window.XMLHttpRequest) { return; }
    event.preventDefault();
    var box = form.querySelector(".upload-progress");
    var bar = box.querySelector("progress");
    var request = new XMLHttpRequest();
    box.hidden = false;
    form.querySelector('button[type="submit"]').disabled = true;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); }
    });
    request.addEventListener("load", function () {
      // Show the page the server answered (the next page, or the form with its errors)
      // without asking for it again: its scripts stay inert, this one sets it up.
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      if (request.responseURL) { history.replaceState(null, "", request.responseURL); }
      document.title = page.title;
      document.body.replaceWith(document.adoptNode(page.body));
      window.scrollTo(0, 0);
      init();
      if (!document.querySelector(".error-summary")) { document.getElementById("main").focus(); }
    });
    request.addEventListener("error", function () { form.submit(); });
    request.open("POST", form.action || window.location.href);
    request.send(new FormData(form));
  }

  function init() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-show-if]")) {
        form.addEventListener("change", function () { refreshConditions(form); });
        refreshConditions(form);
      }
      // A message that would also do something more (refuse a solution) asks first.
      if (form.dataset.confirm) {
        form.addEventListener("submit", function (event) {
          var content = form.elements.content;
          var text = content ? content.value.replace(/<[^>]*>|&nbsp;/g, "").trim() : "";
          if (text && !window.confirm(form.dataset.confirm)) {
            event.preventDefault();
            event.stopImmediatePropagation();
          }
        });
      }
      if (form.hasAttribute("data-upload-form")) {
        form.addEventListener("submit", function (event) { sendWithProgress(form, event); });
      }
    });
    document.querySelectorAll("input[data-search-url]").forEach(setUpPicker);
    document.querySelectorAll("textarea.rich-text").forEach(setUpRichText);
    document.querySelectorAll(".dropzone").forEach(setUpFiles);
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  window.Help = { init: init };
  document.addEventListener("DOMContentLoaded", init);
})();
