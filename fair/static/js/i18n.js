/**
 * i18n.js: user-visible strings for the page scripts, in the page's language.
 *
 * The server renders each page with its strings already translated (Thai or
 * English, by Flask-Babel) into
 *     <script type="application/json" id="i18n">{"scan.ok": "เข้างานแล้ว", ...}</script>
 * so the JS carries no catalogs of its own. Used by every page module
 * (gate, booth, card, dashboard) and by the shared modules' callers.
 *
 *   t("queue.pending", {n: 3})   // "{n} scans waiting" -> "3 scans waiting"
 *
 * A missing key returns the key itself (visible in testing, never a crash).
 */

let strings = null;

function dictionary() {
  if (strings === null) {
    const el = document.getElementById("i18n");
    try {
      strings = el ? JSON.parse(el.textContent) : {};
    } catch (err) {
      console.error("i18n: the #i18n block is not valid JSON", err);
      strings = {};
    }
  }
  return strings;
}

/** The translated string for key, with {name} placeholders filled from vars. */
export function t(key, vars) {
  const text = Object.prototype.hasOwnProperty.call(dictionary(), key)
    ? String(dictionary()[key])
    : key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole);
}

/** The page's language ("th" or "en"), from <html lang>. */
export function lang() {
  return (document.documentElement.lang || "th").slice(0, 2);
}
