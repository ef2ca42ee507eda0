// lib/scan-sender.js: the one policy gate and booth share, step by step, with a fake socket,
// a fake HTTP request and a real OfflineQueue in memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { createScanSender, newNonce, POLICY } from "../../fair/static/js/lib/scan-sender.js";
import { OfflineQueue, MemoryStore } from "../../fair/static/js/lib/offline-queue.js";
import { NetworkError } from "../../fair/static/js/lib/http.js";

const never = () => new Promise(() => {});
const noTimers = { setTimeout: () => 0, clearTimeout: () => {} };

function setup({ online = true, ack = async (body) => ({ status: "ok", code: body.code }), browserOnline = true,
  replay = async () => ({ status: 200, body: {} }) } = {}) {
  const queue = new OfflineQueue("sender-test", { store: new MemoryStore(), timers: noTimers });
  const calls = { socket: [], http: [], replay: [], waits: [] };
  const live = { online, scan: (body) => { calls.socket.push(body.code); return ack(body); } };
  const sender = createScanSender({
    queue, live, online: () => browserOnline,
    replay: (item, options) => { calls.replay.push([item.nonce, options.timeoutMs]); return replay(item); },
    wait: (ms) => { calls.waits.push(ms); return Promise.resolve(); },
  });
  const http = (answer) => (timeoutMs) => {
    calls.http.push(timeoutMs);
    return typeof answer === "function" ? answer() : Promise.resolve(answer);
  };
  return { queue, live, sender, calls, http };
}

const item = (n) => ({ nonce: `n${n}`, scanned_at: "2026-03-01T09:00:00Z", body: { code: `C${n}` } });

test("online: the socket's ack is the answer, HTTP is not used", async () => {
  const { sender, calls, http } = setup();
  const outcome = await sender.send(item(1), { socket: { code: "C1" }, http: http({ ok: true, status: 200, body: {} }) });
  assert.deepEqual(outcome, { via: "socket", answer: { status: "ok", code: "C1" } });
  assert.deepEqual(calls.http, []);
});

test("no ack: queued at once, no second try over HTTP", async () => {
  const { sender, calls, http, queue } = setup({ ack: async () => { throw new Error("operation has timed out"); }, replay: never });
  const outcome = await sender.send(item(1), { socket: { code: "C1" }, http: http({ ok: true, status: 200, body: {} }) });
  assert.deepEqual(outcome, { via: "offline", queued: true, reason: "no_ack" });
  assert.deepEqual(calls.http, []);
  assert.deepEqual((await queue.items()).map((i) => i.nonce), ["n1"]);
});

test("socket not online: HTTP with the policy's timeout; its answer is the answer", async () => {
  const { sender, calls, http } = setup({ online: false });
  const outcome = await sender.send(item(1), { socket: { code: "C1" }, http: http({ ok: true, status: 200, body: { status: "ok" } }) });
  assert.deepEqual(outcome, { via: "http", ok: true, status: 200, answer: { status: "ok" } });
  assert.deepEqual(calls.http, [POLICY.httpTimeoutMs]);
  assert.deepEqual(calls.socket, []);
});

test("an HTTP refusal is an answer (not queued), worded as {error, message}", async () => {
  const { sender, http, queue } = setup({ online: false });
  const outcome = await sender.send(item(1), { http: http({ ok: false, status: 400, body: { error: "invalid_input", message: "m" } }) });
  assert.deepEqual(outcome, { via: "http", ok: false, status: 400, answer: { error: "invalid_input", message: "m", status: 400 } });
  const bare = await sender.send(item(2), { http: http({ ok: false, status: 404, body: {} }) });
  assert.equal(bare.answer.error, "error");
  assert.equal(await queue.pending(), 0);
});

test("a retryable HTTP answer or none at all queues the item", async () => {
  for (const [answer, reason] of [
    [{ ok: false, status: 503, body: {} }, "http_503"],
    [{ ok: false, status: 429, body: {} }, "http_429"],
    [() => Promise.reject(new NetworkError("timeout")), "timeout"],
    [() => Promise.reject(new NetworkError("network")), "network"],
  ]) {
    const { sender, http, queue } = setup({ online: false, replay: never });
    assert.deepEqual(await sender.send(item(1), { http: http(answer) }), { via: "offline", queued: true, reason });
    assert.equal(await queue.pending(), 1, reason);
  }
});

test("a bug in the request is not mistaken for a lost network", async () => {
  const { sender, http } = setup({ online: false });
  await assert.rejects(sender.send(item(1), { http: http(() => Promise.reject(new TypeError("bad"))) }), TypeError);
});

test("the browser says offline: queued without trying HTTP", async () => {
  const { sender, calls, http } = setup({ online: false, browserOnline: false, replay: never });
  assert.deepEqual(await sender.send(item(1), { http: http({ ok: true, status: 200, body: {} }) }),
    { via: "offline", queued: true, reason: "browser_offline" });
  assert.deepEqual(calls.http, []);
});

test("keep() false: not queued (a typed national ID stays off the phone)", async () => {
  const { sender, queue } = setup({ online: false, browserOnline: false });
  const outcome = await sender.send(item(1), { http: () => Promise.resolve({}), keep: () => false });
  assert.deepEqual(outcome, { via: "offline", queued: false, reason: "browser_offline" });
  assert.equal(await queue.pending(), 0);
});

test("older items waiting and the socket offline: the new one queues behind them at once", async () => {
  const { sender, calls, http, queue } = setup({ online: false, replay: never });
  await queue.enqueue(item(1));
  const outcome = await sender.send(item(2), { socket: { code: "C2" }, http: http({ ok: true, status: 200, body: {} }) });
  assert.deepEqual(outcome, { via: "offline", queued: true, reason: "behind_queue" });
  assert.deepEqual(calls.http, []);
  assert.deepEqual(calls.waits, []);
  assert.deepEqual((await queue.items()).map((i) => i.nonce), ["n1", "n2"]);
});

test("older items waiting and the socket online: the queue drains first, then the socket", async () => {
  const { sender, calls, queue } = setup();
  await queue.enqueue(item(1));
  const outcome = await sender.send(item(2), { socket: { code: "C2" } });
  assert.equal(outcome.via, "socket");
  assert.deepEqual(calls.replay, [["n1", POLICY.replayTimeoutMs]]);
  assert.deepEqual(calls.socket, ["C2"], "sent after the replay, not before");
});

test("a queue that does not drain in time keeps the new item behind it", async () => {
  const { sender, calls, queue } = setup({ replay: never });
  await queue.enqueue(item(1));
  const outcome = await sender.send(item(2), { socket: { code: "C2" } });
  assert.deepEqual(outcome, { via: "offline", queued: true, reason: "behind_queue" });
  assert.deepEqual(calls.waits, [POLICY.drainWaitMs]);
  assert.deepEqual(calls.socket, []);
});

test("an item with only an HTTP path (an edit) and no request queues", async () => {
  const { sender, queue } = setup({ online: false });
  assert.equal((await sender.send(item(1), {})).reason, "no_socket");
  assert.equal(await queue.items().then((items) => items.length), 0, "delivered by the replay right away");
});

test("newNonce: RFC 4122 version 4, unique, with or without randomUUID", () => {
  const plain = { getRandomValues: (a) => webcrypto.getRandomValues(a) };
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const nonce = newNonce(plain, false);
    assert.match(nonce, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(nonce);
  }
  assert.equal(seen.size, 200);
  assert.match(newNonce(webcrypto, true), /^[0-9a-f-]{36}$/);
});
