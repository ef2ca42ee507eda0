/**
 * pages/print.js: the print views (report, pairing sheets, card sheets, a
 * printed card): their Print button ([data-print], or #print-now) opens the
 * print dialog. A module of its own: the Content-Security-Policy runs no
 * inline script.
 */
export function init() {
  for (const button of document.querySelectorAll("[data-print], #print-now")) {
    button.addEventListener("click", () => window.print());
  }
}
