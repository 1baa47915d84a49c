// Suggests directory enterprises as the supplier is typed, and links the one picked.
// Without JavaScript the form still works: an exact name or NEQ is matched on the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggestions-url]");
  if (!form) {
    return;
  }
  var input = form.querySelector("#id_supplier");
  var hidden = form.querySelector("#id_enterprise");
  var list = document.createElement("datalist");
  list.id = "supplier-suggestions";
  input.setAttribute("list", list.id);
  input.setAttribute("autocomplete", "off");
  input.after(list);
  var byName = {};
  var timer = null;

  function show(results) {
    list.replaceChildren();
    byName = {};
    results.forEach(function (enterprise) {
      var option = document.createElement("option");
      option.value = enterprise.name;
      option.label = enterprise.region + (enterprise.neq ? " · " + enterprise.neq : "");
      list.appendChild(option);
      byName[enterprise.name] = enterprise.id;
    });
  }

  input.addEventListener("input", function () {
    hidden.value = byName[input.value] || "";
    clearTimeout(timer);
    if (input.value.trim().length < 2) {
      return;
    }
    timer = setTimeout(function () {
      var url = form.dataset.suggestionsUrl + "?q=" + encodeURIComponent(input.value.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { show(data.results); })
        .catch(function () { show([]); });
    }, 200);
  });
})();
