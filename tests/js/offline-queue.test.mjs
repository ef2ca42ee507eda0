// lib/offline-queue.js with its in-memory store and a hand-driven clock: order, the four
// outcomes of an answer, the backoff, and what a refused item leaves behind (no code).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  OfflineQueue, MemoryStore, answerOutcome, nextBackoff, summary,
} from "../../fair/static/js/lib/offline-queue.js";

/** setTimeout/clearTimeout that run only when the test says so. */
function manualTimers() {
  const timers = new Map();
  let next = 1;
  return {
    setTimeout(fn, ms) { timers.set(next, { fn, ms }); return next++; },
    clearTimeout(id) { timers.delete(id); },
    pending() { return [...timers.values()].map((t) => t.ms); },
    runAll() { const due = [...timers.values()]; timers.clear(); for (const t of due) t.fn(); },
  };
}

function newQueue() {
  const timers = manualTimers();
  const queue = new OfflineQueue("test", { store: new MemoryStore(), timers });
  const changes = [];
  const results = [];
  queue.addEventListener("change", (e) => changes.push(e.detail));
  queue.addEventListener("result", (e) => results.push({ nonce: e.detail.item.nonce, delivered: e.detail.delivered }));
  return { queue, timers, changes, results };
}

const item = (n, code = `SJW1.CODE${n}`) => ({ nonce: `n${n}`, scanned_at: "2026-03-01T09:00:00Z", body: { code } });

test("answerOutcome: delivered, held for the device's credentials, refused for good, or retry", () => {
  assert.equal(answerOutcome(200, {}), "delivered");
  assert.equal(answerOutcome(201, {}), "delivered");
  assert.equal(answerOutcome(302, null), "delivered");
  for (const status of [401, 403]) assert.equal(answerOutcome(status, {}), "held");
  assert.equal(answerOutcome(400, { error: "csrf" }), "held");
  assert.equal(answerOutcome(400, { error: "invalid_input" }), "refused");
  assert.equal(answerOutcome(404, null), "refused");
  assert.equal(answerOutcome(410, {}), "refused");
  for (const status of [408, 429, 500, 502, 503]) assert.equal(answerOutcome(status, {}), "retry");
});

test("the backoff doubles from 1 s to at most a minute", () => {
  const waits = [1000];
  while (waits.length < 9) waits.push(nextBackoff(waits.at(-1)));
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
});

test("a refused item leaves its kind and the server's reason, never its code", () => {
  const left = summary({ nonce: "x", body: { code: "1101700203450" } }, { status: 400, body: { error: "invalid_input", message: "too long" } }, 5);
  assert.deepEqual(left, { kind: "scan", answer: { status: 400, error: "invalid_input", message: "too long" }, failed_at: 5 });
  assert.equal(summary({ body: { op: "edit", fields: { notes: "secret" } } }, null, 1).kind, "edit");
  assert.ok(!JSON.stringify(summary({ body: { op: "edit", fields: { notes: "secret" } } }, { status: 404 }, 1)).includes("secret"));
});

test("items replay oldest first, once per nonce, and leave the queue when delivered", async () => {
  const { queue, results, changes } = newQueue();
  for (const n of [1, 2, 3]) await queue.enqueue(item(n));
  await queue.enqueue(item(2));                                  // the same scan again: kept once
  assert.equal(await queue.pending(), 3);
  const sent = [];
  const outcome = await queue.drain(async (it) => { sent.push(it.nonce); return { status: 200, body: { status: "ok" } }; });
  assert.deepEqual(sent, ["n1", "n2", "n3"]);
  assert.deepEqual(outcome, { sent: 3, failed: 0, remaining: 0 });
  assert.deepEqual(results.map((r) => r.delivered), [true, true, true]);
  assert.deepEqual(changes.at(-1), { pending: 0, failed: 0, held: null });
});

test("an answer without a status (a socket ack) counts as delivered", async () => {
  const { queue } = newQueue();
  await queue.enqueue(item(1));
  assert.deepEqual(await queue.drain(async () => ({ status: "unknown" })), { sent: 1, failed: 0, remaining: 0 });
});

test("a refused item is dropped with a summary; the next one still goes", async () => {
  const { queue, results } = newQueue();
  await queue.enqueue(item(1, "SJW1.TOOLONG"));
  await queue.enqueue(item(2));
  const answers = [{ status: 400, body: { error: "invalid_input", message: "m" } }, { status: 200, body: {} }];
  assert.deepEqual(await queue.drain(async () => answers.shift()), { sent: 1, failed: 1, remaining: 0 });
  assert.deepEqual(results, [{ nonce: "n1", delivered: false }, { nonce: "n2", delivered: true }]);
  const failed = await queue.failed();
  assert.equal(failed.length, 1);
  assert.ok(!JSON.stringify(failed).includes("TOOLONG"));
  await queue.clearFailed();
  assert.deepEqual(await queue.failed(), []);
});

test("a 401 holds the queue in order, says why, and retries with backoff", async () => {
  const { queue, timers, changes } = newQueue();
  await queue.enqueue(item(1));
  await queue.enqueue(item(2));
  let refuse = true;
  const sent = [];
  const send = async (it) => {
    sent.push(it.nonce);
    return refuse ? { status: 401, body: { error: "unauthorized", message: "pair again" } } : { status: 200, body: {} };
  };
  assert.deepEqual(await queue.drain(send), { sent: 0, failed: 0, remaining: 2 });
  assert.equal(changes.at(-1).held.status, 401);
  assert.deepEqual(timers.pending(), [1000]);
  assert.equal(queue.backoffMs, 2000);
  refuse = false;
  timers.runAll();                                   // the retry, with the same sendFn
  await queue.drain();
  assert.deepEqual(sent, ["n1", "n1", "n2"]);
  assert.equal(await queue.pending(), 0);
  assert.equal(changes.at(-1).held, null);
  assert.equal(queue.backoffMs, 1000, "a delivery resets the backoff");
});

test("a rejected send or a 503 keeps the item and waits longer each time", async () => {
  const { queue, timers } = newQueue();
  await queue.enqueue(item(1));
  const failures = [() => { throw new Error("offline"); }, () => ({ status: 503, body: {} }), () => ({ status: 429, body: {} })];
  const waits = [];
  for (const fail of failures) {
    await queue.drain(async () => fail());
    waits.push(...timers.pending());
    timers.clearTimeout(1); timers.clearTimeout(2); timers.clearTimeout(3);
  }
  assert.deepEqual(waits, [1000, 2000, 4000]);
  assert.equal(await queue.pending(), 1);
  queue.close();
});

test("concurrent drains share one run: nothing is sent twice", async () => {
  const { queue } = newQueue();
  for (const n of [1, 2]) await queue.enqueue(item(n));
  const sent = [];
  const send = async (it) => { sent.push(it.nonce); await new Promise((r) => setTimeout(r, 5)); return { status: 200 }; };
  const [a, b] = await Promise.all([queue.drain(send), queue.drain(send)]);
  assert.deepEqual(sent, ["n1", "n2"]);
  assert.deepEqual(a, b);
});

test("enqueue needs a nonce; drain needs a sendFn", async () => {
  const { queue } = newQueue();
  await assert.rejects(queue.enqueue({ body: {} }), TypeError);
  await assert.rejects(queue.drain(), TypeError);
});

test("a 410 (a booth edit of a deleted lead) is refused for good: dropped at once, never retried", async () => {
  const { queue, timers, results } = newQueue();
  await queue.enqueue({ nonce: "e1", body: { op: "edit", lead_id: 7, fields: { notes: "call back" } } });
  await queue.enqueue(item(2));
  let calls = 0;
  const answers = [{ status: 410, body: { error: "lead_deleted", message: "deleted" } }, { status: 200, body: {} }];
  assert.deepEqual(await queue.drain(async () => { calls++; return answers.shift(); }), { sent: 1, failed: 1, remaining: 0 });
  assert.equal(calls, 2);
  assert.deepEqual(timers.pending(), [], "no retry is scheduled");
  assert.deepEqual(results, [{ nonce: "e1", delivered: false }, { nonce: "n2", delivered: true }]);
  const [left] = await queue.failed();
  assert.deepEqual(left.answer, { status: 410, error: "lead_deleted", message: "deleted" });
  assert.ok(!JSON.stringify(left).includes("call back"), "the summary keeps no note");
});

test("discard takes matching items out unsent, leaving the given reason, and says so once", async () => {
  const { queue, changes } = newQueue();
  await queue.enqueue({ nonce: "e1", body: { op: "edit", lead_id: 7, fields: { rating: 2 } } });
  await queue.enqueue(item(2));
  await queue.enqueue({ nonce: "e3", body: { op: "edit", lead_id: 7, fields: { notes: "secret" } } });
  const before = changes.length;
  const answer = { status: 410, body: { error: "lead_deleted", message: "gone" } };
  assert.equal(await queue.discard((it) => it.body.lead_id === 7, answer), 2);
  assert.deepEqual((await queue.items()).map((it) => it.nonce), ["n2"]);
  assert.equal(changes.length, before + 1);
  assert.deepEqual(changes.at(-1), { pending: 1, failed: 2, held: null });
  const failed = await queue.failed();
  assert.deepEqual(failed.map((f) => [f.kind, f.answer.error]), [["edit", "lead_deleted"], ["edit", "lead_deleted"]]);
  assert.ok(!JSON.stringify(failed).includes("secret"));
  assert.equal(await queue.discard(() => false), 0);
  assert.equal(changes.length, before + 1, "nothing discarded, no change event");
});
