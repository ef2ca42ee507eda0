// What the pages say, from their pure parts: the gate's screens, the dashboard's feed (no
// names on a big screen), the charts' colour classes, the i18n helper.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useStrings, t, has, tFirst } from "../../fair/static/js/lib/i18n.js";
import { describe as gateScreen, describeOffline } from "../../fair/static/js/pages/gate.js";
import { describeEvent } from "../../fair/static/js/pages/dashboard.js";
import { heatClass, heatLegend, niceCeil } from "../../fair/static/js/lib/svg-chart.js";

test("t fills {placeholders}; a missing key shows as itself", () => {
  useStrings({ "queue.pending": "{n} waiting", plain: "x" });
  assert.equal(t("queue.pending", { n: 3 }), "3 waiting");
  assert.equal(t("queue.pending", {}), "{n} waiting");
  assert.equal(t("nope"), "nope");
  assert.ok(has("plain") && !has("nope"));
  assert.equal(tFirst(["nope", "plain"]), "x");
  assert.equal(tFirst(["nope", "also.nope"]), "also.nope");
});

test("gate screens: green with the name, amber inside already, red for a refused card or error", () => {
  useStrings({ "ok.subtitle": "Welcome", "already_inside.subtitle": "Inside already", "revoked.title": "Replaced",
    "error.title": "Error", "rate_limited.title": "Slow down", "exit_recorded.subtitle": "Bye" });
  const [kind, content, summary] = gateScreen({ status: "ok", attendee: { name: "Somchai" } });
  assert.equal(kind, "ok");
  assert.equal(content.title, "Somchai");
  assert.equal(summary, "Somchai · Welcome");
  assert.equal(gateScreen({ status: "already_inside", attendee: { name: "A" } })[0], "warn");
  assert.equal(gateScreen({ status: "exit_recorded", attendee: { name: "A" } })[1].variant, "exit");
  assert.deepEqual(gateScreen({ status: "revoked" }).slice(0, 1), ["bad"]);
  assert.equal(gateScreen({ status: "revoked" })[2], "Replaced");
  assert.equal(gateScreen({ status: "something new" })[2], "Error");
  assert.equal(gateScreen({ error: "rate_limited" })[2], "Slow down");
  assert.equal(gateScreen({ error: "csrf" })[2], "Error");
  assert.equal(gateScreen(undefined)[0], "bad");
});

test("gate offline screens: only a genuine signature is green", () => {
  useStrings({ "offline.name": "Card {serial}" });
  const screens = Object.fromEntries(["genuine", "unverified", "typed", "national_id", "typo", "forged", "wrong_fair", "unknown"]
    .map((verdict) => [verdict, describeOffline({ verdict, serial: 12 })]));
  assert.deepEqual(Object.entries(screens).filter(([, s]) => s[0] === "ok").map(([v]) => v), ["genuine"]);
  assert.equal(screens.genuine[1].title, "Card 12");   // no roster entry: the card by number
  assert.equal(screens.genuine[1].variant, "offline");
  assert.deepEqual(["unverified", "typed"].map((v) => screens[v][0]), ["warn", "warn"]);
});

test("the dashboard feed names people only where names may be shown", () => {
  const checkin = { type: "checkin", status: "ok", gate: "G1", attendee: { name: "Anong" } };
  const lead = { type: "lead", booth: "A1", lead: { candidate: { name: "Anong", pseudonym: "P-7" }, next_step: "hired" } };
  assert.equal(describeEvent(checkin, true)[0], "Anong");
  assert.equal(describeEvent(checkin, false)[0], "");
  assert.equal(describeEvent(lead, false)[0], "");
  assert.deepEqual(describeEvent(lead, true).slice(0, 1), ["Anong"]);
  assert.equal(describeEvent(lead, true)[2], "hired");
  assert.equal(describeEvent({ type: "checkin", status: "revoked", attendee: { name: "Anong" } }, true)[0], "");
  assert.equal(describeEvent({ type: "other" }, true), null);
});

test("heat classes: 0 for nothing, 1..5 up to the busiest; the legend covers 1..top without gaps", () => {
  assert.equal(heatClass(0, 10), 0);
  assert.equal(heatClass(10, 10), 5);
  assert.equal(heatClass(1, 10), 1);
  for (const top of [1, 3, 5, 7, 10, 99]) {
    const ranges = heatLegend(top).slice(1);
    assert.equal(ranges[0].low, 1);
    assert.equal(ranges.at(-1).high, top);
    for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i].low, ranges[i - 1].high + 1);
    for (const r of ranges) for (let v = r.low; v <= r.high; v++) assert.equal(heatClass(v, top), r.cls, `${v}/${top}`);
  }
  assert.deepEqual([0.5, 1, 3, 7, 10, 11, 45, 120].map(niceCeil), [1, 1, 5, 10, 10, 20, 50, 200]);
});
