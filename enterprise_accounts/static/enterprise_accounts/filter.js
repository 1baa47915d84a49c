// Type-to-filter for the products and services tree; without JavaScript the whole tree shows.
// A category stays in view when it matches, when a category above it matches (what that one
// holds), when one below it matches (where the match sits in the tree), or when it is checked.
document.querySelectorAll("input[data-filter-target]").forEach((input) => {
  const tree = document.querySelector(input.dataset.filterTarget);
  const status = document.getElementById(input.dataset.filterStatus);
  if (!tree) return;
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const items = Array.from(tree.querySelectorAll("li"));
  input.addEventListener("input", () => {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    const shown = new Set();
    items.forEach((item) => {
      const label = item.querySelector(":scope > label");
      const matches = words.every((word) => fold(label.textContent).includes(word));
      if (!matches && !label.querySelector("input:checked")) return;
      for (let above = item; above && above !== tree; above = above.parentElement) {
        if (above.tagName === "LI") shown.add(above);
      }
      if (matches) item.querySelectorAll("li").forEach((below) => shown.add(below));
    });
    items.forEach((item) => { item.hidden = !shown.has(item); });
    if (status) status.textContent = `${status.dataset.label} ${shown.size}`;
  });
});
