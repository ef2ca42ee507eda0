// The booth page's pure parts: answers merged after an edit, "scanned by / edited by", the best
// match line of the first screen, the choices typed for a new question, and the queued edits of a deleted lead.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useStrings } from "../../fair/static/js/lib/i18n.js";
import { bestMatchLine, byLine, mergeAnswers } from "../../fair/static/js/pages/booth-view.js";
import { splitChoices } from "../../fair/static/js/pages/booth-questions.js";
import { isEditOf, leadDeleted, leadOfItem, scanOfDeletedLead } from "../../fair/static/js/pages/booth-queue.js";

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

// pages/booth-queue.js: which queued edits belong to a deleted lead.

const edit = (leadId, scanNonce = null) => ({ nonce: "x", body: { op: "edit", lead_id: leadId, scan_nonce: scanNonce, fields: {} } });

test("a queued edit names its lead by id, or by the scan that made it", () => {
  const leadOfScan = (nonce) => ({ s1: 7 })[nonce];
  assert.equal(leadOfItem(edit(7)), 7);
  assert.equal(leadOfItem(edit(null, "s1"), leadOfScan), 7);
  assert.equal(leadOfItem(edit(null, "s2"), leadOfScan), null);
  assert.equal(leadOfItem({ body: { op: "scan", payload: {} } }), null);
  assert.ok(isEditOf(edit(7), { leadId: 7 }));
  assert.ok(isEditOf(edit(null, "s1"), { leadId: 7 }, leadOfScan));
  assert.ok(!isEditOf(edit(8), { leadId: 7 }));
  assert.ok(isEditOf(edit(null, "s9"), { scanNonce: "s9" }), "an edit queued behind the scan itself");
  assert.ok(!isEditOf(edit(5, "s9"), { scanNonce: "s9" }), "an edit with its own lead id is judged by it");
  assert.ok(!isEditOf({ nonce: "s9", body: { op: "scan", payload: {} } }, { scanNonce: "s9" }), "never the scan");
});

test("the server's word that a lead is gone: 410 lead_deleted, or a scan receipt without its lead", () => {
  assert.ok(leadDeleted(410, { error: "lead_deleted" }));
  assert.ok(!leadDeleted(410, { error: "no_lead" }) && !leadDeleted(404, { error: "lead_deleted" }) && !leadDeleted(410, null));
  assert.ok(scanOfDeletedLead({ status: "ok", lead_id: null, candidate: null }));
  assert.ok(!scanOfDeletedLead({ status: "ok", lead_id: 3 }));
  assert.ok(!scanOfDeletedLead({ status: "unknown", lead_id: null }));
  assert.ok(!scanOfDeletedLead({ error: "rate_limited" }) && !scanOfDeletedLead(null));
});
