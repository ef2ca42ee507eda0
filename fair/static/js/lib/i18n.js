/**
 * i18n.js: user-visible strings for the page scripts, in the page's language.
 *
 * The server renders each page with its strings already translated (Thai or
 * English, by Flask-Babel) into
 *     <script type="application/json" id="i18n">{"scan.ok": "เข้างานแล้ว", ...}</script>
 * so the JS carries no catalogs of its own.
 *
 *   t("queue.pending", {n: 3})   // "{n} scans waiting" -> "3 scans waiting"
 *   has("status.revoked")        // false: the caller picks a generic text
 *
 * A missing key returns the key itself (visible in testing, never a crash).
 * useStrings(dict) replaces the page's block (the unit tests, which have no DOM).
 */

let strings = null;

function dictionary() {
  if (strings === null) {
    const el = typeof document === "undefined" ? null : document.getElementById("i18n");
    try {
      strings = el ? JSON.parse(el.textContent) : {};
    } catch (err) {
      console.error("i18n: the #i18n block is not valid JSON", err);
      strings = {};
    }
  }
  return strings;
}

/** Use these strings instead of the page's #i18n block. */
export function useStrings(dict) {
  strings = { ...dict };
}

/** Whether the page has a translation for key. */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(dictionary(), key);
}

/** The translated string for key, with {name} placeholders filled from vars. */
export function t(key, vars) {
  const text = has(key) ? String(dictionary()[key]) : key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole);
}

/** The first of keys the page translates, filled from vars; the last key itself if none is. */
export function tFirst(keys, vars) {
  const key = keys.find(has) || keys[keys.length - 1];
  return t(key, vars);
}

/** The page's language ("th" or "en"), from <html lang>. */
export function lang() {
  const declared = typeof document === "undefined" ? "" : document.documentElement.lang;
  return (declared || "th").slice(0, 2);
}

/** A clock time (hh:mm) in the page's language. */
export function timeFormat() {
  return new Intl.DateTimeFormat(lang() === "th" ? "th-TH" : "en-GB", { hour: "2-digit", minute: "2-digit" });
}
