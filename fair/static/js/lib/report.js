/**
 * report.js: what a page does with a failure it did not expect (a bug, a full
 * disk), after telling the person in the page's own words.
 *
 *   handleCode(code).catch((err) => { show(t("error.title")); reportFailure("gate: scan", err); });
 *
 * The error is logged with its context, then thrown again outside the
 * promise chain, so the browser reports it as uncaught: the browser tests
 * watch for exactly that (tests/browser/helpers.py page_errors).
 * Expected trouble (no network, a refused request) is not for this: the
 * pages say it and go on.
 */
export function reportFailure(context, err) {
  console.error(`${context}:`, err);
  setTimeout(() => { throw err; }, 0);
}
