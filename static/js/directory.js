// The directory's live filters (htmx): keep shareable URLs short by leaving out empty fields.
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
});
