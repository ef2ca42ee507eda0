// Print buttons ([data-print]) on the report and the pairing sheets. A file of its own:
// the Content-Security-Policy runs no inline script.
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
