// Accessible names for the admin's autocomplete fields (select2), which Django's markup leaves
// unnamed: the selection box and its search field are named by the field's own <label>, its
// open dropdown is a named dialog that its combobox controls, and an inline table's empty
// corner header cell becomes a plain cell. select2 redraws its boxes on every change and opens
// its dropdown on demand, hence the observer.
(function () {
  "use strict";

  function labelText(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/\s*:\s*$/, "").trim() : "";
  }

  function nameBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var name = labelText(select);
      var container = select.nextElementSibling;
      if (!name || !container || !container.classList.contains("select2")) {
        return;
      }
      container.querySelectorAll('[role="combobox"], [role="textbox"], .select2-search__field').forEach(function (box) {
        if (box.getAttribute("aria-label") !== name) {
          box.setAttribute("aria-label", name);
          box.removeAttribute("aria-labelledby");
        }
      });
    });
    // The dropdown's own search box, for the one field whose dropdown is open.
    var open = document.querySelector(".select2-container--open[data-select2-id]");
    var search = document.querySelector(".select2-dropdown .select2-search__field");
    var opener = open && open.previousElementSibling;
    if (search && opener && opener.tagName === "SELECT" && !search.getAttribute("aria-label")) {
      search.setAttribute("aria-label", labelText(opener));
    }
    // ARIA 1.2 asks a combobox for aria-controls: select2 sets only aria-owns, while open.
    document.querySelectorAll('[role="combobox"]').forEach(function (box) {
      var owns = box.getAttribute("aria-owns");
      if (owns) {
        box.setAttribute("aria-controls", owns);
      } else {
        box.removeAttribute("aria-controls");
      }
    });
    // The open dropdown hangs from <body>, outside the page's landmarks: it is the field's
    // popup, a dialog named by the field (a combobox may pop up a dialog).
    var dropdown = document.querySelector("body > .select2-container--open");
    if (dropdown && opener && opener.tagName === "SELECT") {
      dropdown.setAttribute("role", "dialog");
      dropdown.setAttribute("aria-label", labelText(opener));
    }
    document.querySelectorAll("thead th.original:empty").forEach(function (cell) {
      var plain = document.createElement("td");
      plain.className = cell.className;
      cell.replaceWith(plain);
    });
  }

  var pending = false;
  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        nameBoxes();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameBoxes();
    new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  });
  window.addEventListener("load", nameBoxes);
})();
