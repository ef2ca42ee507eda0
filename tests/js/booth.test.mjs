// The booth page's pure parts: answers merged after an edit, "scanned by / edited by", the best
// match line of the first screen, and the choices typed for a new question.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useStrings } from "../../fair/static/js/lib/i18n.js";
import { bestMatchLine, byLine, mergeAnswers } from "../../fair/static/js/pages/booth-view.js";
import { splitChoices } from "../../fair/static/js/pages/booth-questions.js";

test("an edit's answers go over the old ones; null clears one", () => {
  assert.deepEqual(mergeAnswers({ 1: true, 2: "Day" }, { 2: null, 3: "Monday" }), { 1: true, 3: "Monday" });
  assert.deepEqual(mergeAnswers(undefined, { 4: false }), { 4: false });
  assert.deepEqual(mergeAnswers({ 1: "x" }, undefined), { 1: "x" });
});

test("who scanned, and who edited only when another phone wrote last", () => {
  useStrings({ "lead.scanned_by": "Scanned by {name}", "lead.edited_by": "edited by {name}" });
  assert.equal(byLine({ scanned_by: "A", edited_by: "A" }), "Scanned by A");
  assert.equal(byLine({ scanned_by: "A", edited_by: "B" }), "Scanned by A · edited by B");
  assert.equal(byLine({}), "");
  assert.equal(byLine(null), "");
});

test("the first screen names the best match, whatever the order", () => {
  useStrings({ "lead.best": "Best: {title} {score}%" });
  assert.equal(bestMatchLine([{ title: "Cook", score: 40.4 }, { title: "Driver", score: 71.6 }]), "Best: Driver 72%");
  assert.equal(bestMatchLine([]), "");
  assert.equal(bestMatchLine(null), "");
});

test("choices are split on commas, semicolons and new lines, blanks dropped", () => {
  assert.deepEqual(splitChoices("Day shift, Night shift;; Evening\n"), ["Day shift", "Night shift", "Evening"]);
  assert.deepEqual(splitChoices(""), []);
});
