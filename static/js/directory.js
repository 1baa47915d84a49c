// The directory's live filters (htmx), a progressive enhancement: without JavaScript the form
// submits and every link loads a whole page that shows the same thing.

// Keep shareable URLs short by leaving out empty fields, and the order and page size unless
// the visitor chose them (data-chosen): a new search is then sorted by relevance, as a full
// load of its URL would be.
document.addEventListener("htmx:configRequest", function (event) {
  const formData = event.detail.formData;
  if (!formData) {
    return;
  }
  for (const [name, value] of Array.from(formData.entries())) {
    if (value === "") {
      formData.delete(name);
    }
  }
  for (const name of ["sort", "per_page"]) {
    const select = document.querySelector("#results select[name=" + name + "]");
    if (select && !select.hasAttribute("data-chosen")) {
      formData.delete(name);
    }
  }
});

document.addEventListener("change", function (event) {
  if (event.target.matches("#results select")) {
    event.target.setAttribute("data-chosen", "");
  }
}, true);

// After new results arrive (a page, a filter, a removed chip), the filters are replaced and the
// focus would fall to the page's body: move it to the results' heading, whose new text is read
// out with the count in the polite live region. Typing in a search box keeps its focus.
document.addEventListener("htmx:afterSettle", function (event) {
  if (!event.detail.target || event.detail.target.id !== "results") {
    return;
  }
  const active = document.activeElement;
  if (active && active.matches("input[type=search]")) {
    return;
  }
  const heading = document.getElementById("directory-heading");
  if (heading) {
    heading.focus({preventScroll: true});
    heading.scrollIntoView({block: "nearest"});
  }
});

// A box above each long filter list (categories) narrows it as one types, accents ignored.
function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}

function showFilterBoxes() {
  for (const box of document.querySelectorAll(".facet-filter[hidden]")) {
    box.hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", showFilterBoxes);
document.addEventListener("htmx:afterSettle", showFilterBoxes);

document.addEventListener("input", function (event) {
  if (!event.target.matches("[data-facet-filter]")) {
    return;
  }
  const fieldset = event.target.closest("fieldset");
  const wanted = fold(event.target.value);
  for (const item of fieldset.querySelectorAll(".facet-list > li")) {
    const label = item.querySelector("label");
    item.hidden = Boolean(wanted) && Boolean(label) && !fold(label.firstChild.textContent).includes(wanted);
  }
  const more = fieldset.querySelector("details.facet-more");
  if (more && wanted) {
    more.open = true;
  }
});

// The box is not a filter: its changes and its Enter key never send the form.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-facet-filter]")) {
    event.stopPropagation();
  }
}, true);
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.matches("[data-facet-filter]")) {
    event.preventDefault();
  }
});

// htmx keeps each page's HTML for Back and Forward, and a typed search is a property, not
// markup: write it into the markup first, so that Back shows (and sends) the text it searched.
document.addEventListener("htmx:beforeHistorySave", function () {
  for (const input of document.querySelectorAll("#directory-form input[type=search][name]")) {
    input.setAttribute("value", input.value);
  }
});
