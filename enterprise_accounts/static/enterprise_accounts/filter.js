// Type-to-filter for a long list of checkboxes (the products and services); without
// JavaScript the whole list shows.
document.querySelectorAll("input[data-filter-target]").forEach((input) => {
  const list = document.querySelector(input.dataset.filterTarget);
  if (!list) return;
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  input.addEventListener("input", () => {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    list.querySelectorAll("label").forEach((label) => {
      const text = fold(label.textContent);
      const item = label.closest("div") || label;
      item.hidden = !words.every((word) => text.includes(word)) && !label.querySelector("input:checked");
    });
  });
});
