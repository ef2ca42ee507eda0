// lib/live.js against a fake Socket.IO client: the status it reports, scans and their acks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectLive } from "../../fair/static/js/lib/live.js";

function fakeIo() {
  const made = [];
  const io = (url, options) => {
    const handlers = {};
    const socket = {
      url, options, connected: false, active: true, emitted: [],
      io: { engine: { closed: 0, close() { this.closed++; socket.fire("disconnect"); } } },
      on(name, fn) { (handlers[name] ||= []).push(fn); },
      once(name, fn) { const wrap = (...a) => { this.off(name, wrap); fn(...a); }; this.on(name, wrap); },
      off(name, fn) { handlers[name] = (handlers[name] || []).filter((h) => h !== fn); },
      fire(name, ...args) {
        if (name === "connect") socket.connected = true;
        if (name === "disconnect") socket.connected = false;
        for (const h of [...(handlers[name] || [])]) h(...args);
      },
      timeout(ms) { return { emit: (event, body, ack) => socket.emitted.push({ event, body, ack, ms }) }; },
      connect() {}, disconnect() { socket.connected = false; },
    };
    made.push(socket);
    return socket;
  };
  return { io, made };
}

test("auth: the page token, or the card's own auth, or nothing", () => {
  const { io, made } = fakeIo();
  connectLive({ io, token: "T" });
  connectLive({ io, auth: { card: "L" } });
  connectLive({ io });
  assert.deepEqual(made.map((s) => s.options.auth), [{ token: "T" }, { card: "L" }, {}]);
  assert.ok(made.every((s) => s.url === "/live"));
});

test("status changes are reported once each, and online follows the connection", () => {
  const { io, made } = fakeIo();
  const states = [];
  const live = connectLive({ io, onStatus: (s) => states.push(s) });
  assert.equal(live.online, false);
  made[0].fire("connect");
  assert.equal(live.online, true);
  made[0].fire("connect");
  made[0].fire("disconnect");
  assert.deepEqual(states, ["online", "offline"]);
  assert.equal(live.online, false);
  live.close();
});

test("a scan resolves with the ack; offline it rejects at once", async () => {
  const { io, made } = fakeIo();
  const live = connectLive({ io, ackTimeoutMs: 1500 });
  await assert.rejects(live.scan({ code: "A" }), /offline/);
  made[0].fire("connect");
  const answer = live.scan({ code: "B" });
  const sent = made[0].emitted.at(-1);
  assert.equal(sent.event, "scan");
  assert.equal(sent.ms, 1500);
  sent.ack(null, { status: "ok" });
  assert.deepEqual(await answer, { status: "ok" });
  live.close();
});

test("no ack in time: the scan rejects and the transport is dropped, so the page shows offline", async () => {
  const { io, made } = fakeIo();
  const states = [];
  const live = connectLive({ io, onStatus: (s) => states.push(s) });
  made[0].fire("connect");
  const answer = live.scan({ code: "C" });
  made[0].emitted.at(-1).ack(new Error("operation has timed out"));
  await assert.rejects(answer);                      // as "disconnected": the drop comes first
  assert.equal(made[0].io.engine.closed, 1);
  assert.deepEqual(states, ["online", "offline"]);
  live.close();
});

test("a disconnect while waiting for the ack rejects the scan", async () => {
  const { io, made } = fakeIo();
  const live = connectLive({ io });
  made[0].fire("connect");
  const answer = live.scan({ code: "D" });
  made[0].fire("disconnect");
  await assert.rejects(answer, /disconnected/);
  live.close();
});

test("events and stats reach every listener", () => {
  const { io, made } = fakeIo();
  const got = [];
  const live = connectLive({ io, onEvents: (e) => got.push(["first", e]), onStats: (s) => got.push(["stats", s]) });
  live.on("events", (e) => got.push(["second", e]));
  made[0].fire("events", [1]);
  made[0].fire("stats", { inside: 2 });
  assert.deepEqual(got, [["first", [1]], ["second", [1]], ["stats", { inside: 2 }]]);
  live.close();
});

test("without the socket client: never online, says offline, scans reject", async () => {
  const states = [];
  const original = console.error;
  const logged = [];
  console.error = (...args) => logged.push(args.join(" "));
  try {
    const live = connectLive({ io: undefined, onStatus: (s) => states.push(s) });
    assert.equal(live.online, false);
    await assert.rejects(live.scan({}));
    assert.deepEqual(states, ["offline"]);
    assert.match(logged[0], /socket\.io\.min\.js/);
  } finally {
    console.error = original;
  }
});
