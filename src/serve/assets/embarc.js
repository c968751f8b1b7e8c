// embarc web desk: small improvements; every page works without this.
// Filter selects on the queue apply as soon as they change.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.tagName === "SELECT" && el.form && el.form.classList.contains("filters")) {
    el.form.requestSubmit();
  }
});
