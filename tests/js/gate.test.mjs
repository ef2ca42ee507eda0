// The gate page's pure parts added for issue 15 (entrance): typo screens, the offline roster
// and its repeat-scan flag, the counts line, the search's confirm step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useStrings } from "../../fair/static/js/lib/i18n.js";
import { codeTypo } from "../../fair/static/js/lib/card-check.js";
import { describe as gateScreen, describeOffline, describeUndo, gateCounts, routeTyped, searchFacts, undoable } from "../../fair/static/js/pages/gate.js";
import { describeEvent } from "../../fair/static/js/pages/dashboard.js";
import { createGateMemory } from "../../fair/static/js/lib/gate-memory.js";

const STRINGS = {
  "mistyped.title": "Typo in the code", "mistyped.check_character": "Last character wrong",
  "mistyped.length": "9 characters", "mistyped.character": "No 0 O 1 I L",
  "mistyped.id_check_digit": "ID typo", "offline.bad_code": "Not a valid code",
  "offline.bad_code_detail": "Check the code", "unknown.title": "Unknown card",
};

test("a typo answered by the server is amber and says what is wrong, never 'Unknown card'", () => {
  useStrings(STRINGS);
  for (const [problem, detail] of [["check_character", "Last character wrong"], ["length", "9 characters"],
    ["character", "No 0 O 1 I L"], ["id_check_digit", "ID typo"]]) {
    const [kind, content, summary] = gateScreen({ status: "mistyped", problem });
    assert.equal(kind, "warn");
    assert.equal(content.title, "Typo in the code");
    assert.equal(content.detail, detail);
    assert.equal(summary, "Typo in the code");
  }
  assert.equal(gateScreen({ status: "mistyped", problem: "new" })[1].detail, "Check the code");
});

test("offline, the phone names the same typo as the server would", () => {
  useStrings(STRINGS);
  const mixedWrong = "AB3DEFGH" + "2";   // the right check character of AB3DEFGH is not 2 (see codeTypo)
  assert.equal(codeTypo(mixedWrong), "check_character");
  const screen = describeOffline({ verdict: "typo", problem: codeTypo("AB3DEFGH") });
  assert.deepEqual([screen[0], screen[1].title, screen[1].detail], ["warn", "Typo in the code", "9 characters"]);
  assert.equal(describeOffline({ verdict: "typo" })[1].title, "Not a valid code");
  assert.equal(codeTypo("Somchai"), null);
  assert.equal(codeTypo("081 234 5678"), null);
});

test("only an accepted entry or exit the server numbered can be undone from the recent list", () => {
  assert.ok(undoable({ status: "ok", checkin_id: 4 }));
  assert.ok(undoable({ status: "exit_recorded", checkin_id: 5 }));
  for (const status of ["already_inside", "not_inside", "unknown", "mistyped", "revoked"]) {
    assert.ok(!undoable({ status, checkin_id: 6 }), status);
  }
  assert.ok(!undoable({ status: "ok" }));        // no number: nothing to name
  assert.ok(!undoable(null));
});

test("an undo's screen says what was undone and where the person is now", () => {
  useStrings({ "undo.entry_done": "Entry undone", "undo.exit_done": "Exit undone",
    "undo.now_inside": "Inside again", "undo.now_outside": "Not inside" });
  const [kind, content, summary] = describeUndo({ kind: "entry", inside: false, attendee: { name: "Anong" } });
  assert.deepEqual([kind, content.title, content.subtitle, content.detail], ["warn", "Anong", "Entry undone", "Not inside"]);
  assert.equal(summary, "Anong · Entry undone");
  assert.equal(describeUndo({ kind: "exit", inside: true, attendee: null })[1].title, "Exit undone");
  assert.equal(describeUndo({ kind: "exit", inside: true })[1].detail, "Inside again");
});

test("the dashboard feed shows an undo, with the name only where names may be shown", () => {
  useStrings({ "feed.undo.entry": "entry at {gate} undone", "feed.undo.exit": "exit at {gate} undone" });
  const event = { type: "checkin_undo", kind: "entry", gate: "North", attendee: { name: "Anong" } };
  assert.deepEqual(describeEvent(event, true), ["Anong", "entry at North undone", "warn"]);
  assert.deepEqual(describeEvent({ ...event, kind: "exit" }, false), ["", "exit at North undone", "warn"]);
});

test("the gate's counts: its own entries today and the people inside now", () => {
  const stats = { inside: 340, gates: [{ device_id: 3, entries: 12 }, { device_id: 4, entries: 99 }] };
  assert.deepEqual(gateCounts(stats, 3), { entries: 12, inside: 340 });
  assert.deepEqual(gateCounts(stats, 7), { entries: 0, inside: 340 });      // no scan here today yet
  assert.deepEqual(gateCounts({ inside: 5 }, 3), { entries: null, inside: 5 });
  assert.deepEqual(gateCounts(null, 3), { entries: null, inside: null });
  assert.deepEqual(gateCounts({ inside: "x", gates: [{ device_id: 3, entries: "y" }] }, 3), { entries: null, inside: null });
});

test("typed text: codes are checked, names and phone numbers are looked up", () => {
  for (const name of ["สมชาย", "สมชาย ใจดี", "Somchai Jaidee", "Anna", "Nguyễn"]) assert.equal(routeTyped(name), "search", name);
  for (const phone of ["0812345678", "081 234 5678", "081-234-5678", "+66812345678", "021234567"]) {
    assert.equal(routeTyped(phone), "search", phone);
  }
  const valid = "AB3DEFGH" + "J";     // whatever its check character, a mix with a typo stays a code
  for (const code of [valid, "AB3DEFGH", "AB3O-EFGHJ", "1101700203450", "1-1017-00203-45-0", "SJW1.ABC", "12345"]) {
    assert.equal(routeTyped(code), "code", code);
  }
  assert.equal(routeTyped("   "), "code");
});

test("a search result's facts: reference, the phone's last digits, inside already", () => {
  useStrings({ "search.phone": "phone …{digits}", "search.inside": "inside" });
  assert.equal(searchFacts({ ref: "A1", phone_last3: "678", inside: true }), "A1 · phone …678 · inside");
  assert.equal(searchFacts({ ref: "A2", phone_last3: null, inside: false }), "A2");
});

test("the roster names an offline scan; a second entry of the same person is flagged", () => {
  let clockNow = new Date("2026-12-03T03:00:00Z");
  const memory = createGateMemory({ now: () => clockNow });
  assert.ok(memory.loadRoster({ people: [[20, "A20", "Somchai J."], [21, "A21", "Anong S."], ["x", 1]], revoked: [7] }));
  assert.equal(memory.size, 2);
  const first = memory.offlineScan(20, "entry");
  assert.deepEqual(first, { person: { ref: "A20", name: "Somchai J." }, revoked: false, repeat: null });
  clockNow = new Date("2026-12-03T03:05:00Z");
  const screenshot = memory.offlineScan(20, "entry");          // the same card again: a shared screenshot?
  assert.equal(screenshot.repeat.at, "2026-12-03T03:00:00.000Z");
  assert.equal(screenshot.repeat.offline, true);
  assert.equal(memory.offlineScan(20, "exit").repeat, null);   // leaving is no repeat...
  assert.equal(memory.offlineScan(20, "entry").repeat, null);  // ...and after it, coming back is none either
  assert.equal(memory.offlineScan(7, "entry").revoked, true);
  assert.deepEqual(memory.offlineScan(99, "entry").person, null);   // a card newer than the roster
  assert.ok(memory.offlineScan(99, "entry").repeat);
  assert.equal(memory.loadRoster({ nope: 1 }), false);
  memory.clear();
  assert.equal(memory.size, 0);
});

test("entries heard from the server (any gate, live) make an offline scan a repeat; an undo forgets them", () => {
  const memory = createGateMemory();
  memory.loadRoster({ people: [[20, "A20", "Somchai J."]], revoked: [] });
  memory.noteServer({ type: "checkin", id: 5, status: "ok", scanned_at: "2026-12-03T02:00:00Z", attendee: { ref: "A20", name: "Somchai Jaidee" } });
  assert.equal(memory.offlineScan(20, "entry").repeat.at, "2026-12-03T02:00:00Z");
  const other = createGateMemory();
  other.loadRoster({ people: [[20, "A20", "Somchai J."]], revoked: [] });
  other.noteServer({ type: "checkin", id: 5, status: "ok", attendee: { ref: "A20" } });
  other.noteServer({ type: "checkin_undo", checkin_id: 5, inside: false });
  assert.equal(other.offlineScan(20, "entry").repeat, null);
  other.noteServer({ type: "checkin", id: 6, status: "already_inside", attendee: { ref: "A20" } });   // no movement
  other.noteServer({ type: "checkin", id: 7, status: "exit_recorded", attendee: { ref: "A20" } });
  assert.equal(other.offlineScan(20, "entry").repeat, null);
});

test("offline screens: the name from the roster, never the green welcome; a repeat is amber", () => {
  useStrings({ "offline.ok": "Accepted offline", "offline.exit": "Exit saved offline", "offline.name": "Card {serial}",
    "offline.repeat": "Used already", "offline.repeat_detail": "In at {time}", "revoked.title": "Replaced",
    "ok.subtitle": "Welcome" });
  const named = describeOffline({ verdict: "genuine", serial: 20 }, { person: { name: "Somchai J." }, repeat: null });
  assert.deepEqual([named[0], named[1].title, named[1].subtitle, named[1].variant], ["ok", "Somchai J.", "Accepted offline", "offline"]);
  assert.notEqual(named[1].subtitle, gateScreen({ status: "ok", attendee: { name: "Somchai J." } })[1].subtitle);
  const repeat = describeOffline({ verdict: "genuine", serial: 20 },
    { person: { name: "Somchai J." }, repeat: { at: "2026-12-03T03:00:00Z" } });
  assert.equal(repeat[0], "warn");
  assert.equal(repeat[1].title, "Used already");
  assert.match(repeat[1].detail, /^In at \d\d:\d\d/);
  assert.equal(describeOffline({ verdict: "genuine", serial: 7 }, { person: null, revoked: true })[0], "bad");
  assert.equal(describeOffline({ verdict: "genuine", serial: 9 }, null, "exit")[1].subtitle, "Exit saved offline");
});
