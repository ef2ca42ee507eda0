/**
 * offline-queue.js: scans (and booth edits) kept on the phone while the server is unreachable.
 *
 * scan-sender.js puts an item here when neither the live socket nor HTTP got
 * an answer, and replays the queue over HTTP (POST /api/v1/checkins,
 * /api/v1/booths/<code>/scans, PATCH .../leads/<id>). Every item carries the
 * nonce made when the card was scanned, so a replay of a scan the server did
 * receive returns the first answer and never counts twice.
 *
 *   const queue = new OfflineQueue("fair-queue-gate");
 *   queue.addEventListener("change", (e) => badge.textContent = e.detail.pending);
 *   await queue.enqueue({nonce: newNonce(), scanned_at: new Date().toISOString(), body});
 *   queue.drain((item) => requestJson(url, {...}));   // {status, body}, a Response, or an ack
 *
 * Items live in IndexedDB (they survive a reload or a flat battery; a browser
 * without it keeps them in memory for this visit) and are replayed oldest
 * first. Keep in an item only what its replay needs: a typed national ID is
 * never queued (the pages ask for the card instead), since IndexedDB is
 * readable by anyone holding the phone.
 * drain(sendFn) removes an item only once sendFn resolves with a server
 * answer; what happens next is answerOutcome(status, body):
 *   - "delivered": a 2xx/3xx answer (or anything without a numeric `status`,
 *     e.g. a socket ack): the server recorded it, also when its answer is a
 *     refusal such as an unknown card. Removed;
 *   - "held": 401, 403 or a 400 "csrf": not this scan's fault, the device's
 *     credentials were refused. Kept, in order, and retried with backoff;
 *     "change" says held: the answer, so the page can say why;
 *   - "refused": another 4xx (except 408/429): the server refused it for good
 *     without recording it (malformed, say). Removed, and only a summary
 *     {kind, answer: {status, error, message}, failed_at}, never the code,
 *     goes to the "failed" store for the count on screen (failed());
 *   - "retry": sendFn rejected, or a 5xx/408/429: stop, keep it, retry later
 *     with backoff (nextBackoff: 1 s doubling to 60 s) and at once when the
 *     browser reports "online".
 * discard(predicate, answer) takes waiting items out without sending them
 * (a booth edit of a lead known to be deleted: replaying it could only be
 * refused), leaving the same summary a refusal leaves.
 * Events: "change" {pending, failed, held} after every change, "result"
 * {item, answer, delivered} per item that left the queue (delivered false:
 * refused, not recorded: never show it as synced).
 */
import { isRetryable } from "./http.js";

const STORE = "items";
const FAILED = "failed";
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60000;
const VERSION = 2;   // 2: failed entries are summaries without the scan's code

/** The wait before the next retry after waiting `ms`: doubling, at most a minute. */
export function nextBackoff(ms) {
  return Math.min(Math.max(ms, FIRST_BACKOFF_MS / 2) * 2, MAX_BACKOFF_MS);
}

/** The answer refused the device's credentials (revoked, unpaired, an old page's CSRF token), not the scan. */
export function credentialsRefused(status, body) {
  return status === 401 || status === 403 || (status === 400 && Boolean(body) && body.error === "csrf");
}

/** What the queue does with an item after this answer: "delivered", "held", "refused" or "retry". */
export function answerOutcome(status, body) {
  if (isRetryable(status)) return "retry";
  if (status < 400) return "delivered";
  return credentialsRefused(status, body) ? "held" : "refused";
}

/** What a refused item leaves behind: what kind of item it was and why, not its code. */
export function summary(item, answer, failedAt) {
  const body = (answer && answer.body) || {};
  return {
    kind: (item && item.body && typeof item.body.op === "string") ? item.body.op : "scan",
    answer: { status: answer ? answer.status : null, error: body.error || null, message: body.message || null },
    failed_at: failedAt,
  };
}

/** {detail} on an Event, where CustomEvent is missing (node 18). */
export function detailEvent(type, detail) {
  if (typeof CustomEvent === "function") return new CustomEvent(type, { detail });
  const event = new Event(type);
  Object.defineProperty(event, "detail", { value: detail });
  return event;
}

function httpStatus(answer) {
  return answer && typeof answer.status === "number" ? answer.status : 200;
}

// A fetch Response cannot be stored in IndexedDB; keep its status and the
// JSON error ({"error", "message"}) a person may need to read later.
async function plain(answer) {
  if (typeof Response !== "undefined" && answer instanceof Response) {
    let body = null;
    try { body = await answer.clone().json(); } catch (err) { /* not JSON: the status says enough */ }
    return { status: answer.status, body };
  }
  return answer;
}

// --- storage ---------------------------------------------------------------------

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

/** The queue's two stores in IndexedDB: "items" (waiting, by nonce once) and "failed" (summaries). */
export class IdbStore {
  constructor(name) {
    this.name = name;
    this._db = null;
  }

  _open() {
    if (!this._db) {
      const request = indexedDB.open(this.name, VERSION);
      request.onupgradeneeded = (event) => {
        const db = request.result;
        if (event.oldVersion < 1) {
          db.createObjectStore(STORE, { keyPath: "id", autoIncrement: true })
            .createIndex("nonce", "nonce", { unique: true });
          db.createObjectStore(FAILED, { keyPath: "id", autoIncrement: true });
          return;
        }
        if (event.oldVersion < 2) upgradeFailed(request.transaction);
      };
      this._db = done(request);
    }
    return this._db;
  }

  async _tx(stores, mode, work) {
    const db = await this._open();
    const tx = db.transaction(stores, mode);
    const result = work(tx);
    await finished(tx);
    return result instanceof IDBRequest ? result.result : result;
  }

  /** Adds a record; false when its nonce is already stored. */
  async add(record) {
    try {
      await this._tx([STORE], "readwrite", (tx) => tx.objectStore(STORE).add(record));
      return true;
    } catch (err) {
      if (err && err.name === "ConstraintError") return false;
      throw err;
    }
  }

  first() {
    return this._tx([STORE], "readonly", (tx) => tx.objectStore(STORE).getAll(null, 1)).then(([item]) => item || null);
  }

  items() {
    return this._tx([STORE], "readonly", (tx) => tx.objectStore(STORE).getAll());
  }

  count() {
    return this._tx([STORE], "readonly", (tx) => tx.objectStore(STORE).count());
  }

  /** Removes item id; with a summary, records it as refused in the same transaction. */
  remove(id, refusedSummary = null) {
    return this._tx([STORE, FAILED], "readwrite", (tx) => {
      tx.objectStore(STORE).delete(id);
      if (refusedSummary) tx.objectStore(FAILED).add(refusedSummary);
    });
  }

  failed() {
    return this._tx([FAILED], "readonly", (tx) => tx.objectStore(FAILED).getAll());
  }

  failedCount() {
    return this._tx([FAILED], "readonly", (tx) => tx.objectStore(FAILED).count());
  }

  clearFailed() {
    return this._tx([FAILED], "readwrite", (tx) => tx.objectStore(FAILED).clear());
  }
}

// Version 1 kept whole refused items, codes included. Those refused for the
// device's credentials (a CSRF secret rotated under the page, say) never
// reached the server: they go back in the queue. The rest become summaries.
function upgradeFailed(tx) {
  const failedStore = tx.objectStore(FAILED);
  failedStore.openCursor().onsuccess = (event) => {
    const cursor = event.target.result;
    if (!cursor) return;
    const { item, answer, failed_at: failedAt } = cursor.value || {};
    if (item && answer && credentialsRefused(answer.status, answer.body)) {
      const { id, ...record } = item;
      // Its nonce may be queued again already: keep that one, and let the upgrade go on.
      tx.objectStore(STORE).add(record).onerror = (ev) => { ev.preventDefault(); ev.stopPropagation(); };
      cursor.delete();
    } else if (item) {
      cursor.update({ ...summary(item, answer, failedAt), id: cursor.value.id });
    }
    cursor.continue();
  };
}

/** The same stores in memory: a browser without IndexedDB keeps the queue for this visit (and the unit tests). */
export class MemoryStore {
  constructor() {
    this._items = [];
    this._failed = [];
    this._nextId = 1;
  }

  async add(record) {
    if (this._items.some((item) => item.nonce === record.nonce)) return false;
    this._items.push({ ...record, id: this._nextId++ });
    return true;
  }

  async first() { return this._items[0] ? { ...this._items[0] } : null; }

  async items() { return this._items.map((item) => ({ ...item })); }

  async count() { return this._items.length; }

  async remove(id, refusedSummary = null) {
    this._items = this._items.filter((item) => item.id !== id);
    if (refusedSummary) this._failed.push({ ...refusedSummary, id: this._nextId++ });
  }

  async failed() { return this._failed.map((entry) => ({ ...entry })); }

  async failedCount() { return this._failed.length; }

  async clearFailed() { this._failed = []; }
}

function defaultStore(name) {
  if (typeof indexedDB !== "undefined") return new IdbStore(name);
  console.error(`offline-queue: no IndexedDB in this browser; ${name} is kept only until the page closes`);
  return new MemoryStore();
}

// --- the queue ---------------------------------------------------------------------

export class OfflineQueue extends EventTarget {
  /**
   * name: the IndexedDB database, one per page kind, e.g. "fair-queue-gate".
   * store: where items live (IdbStore by default); timers: {setTimeout, clearTimeout} for tests.
   */
  constructor(name = "fair-queue", { store = null, timers = globalThis } = {}) {
    super();
    this.name = name;
    this.store = store || defaultStore(name);
    this._timers = timers;
    this._draining = null;
    this._sendFn = null;
    this._retryTimer = null;
    this._backoff = FIRST_BACKOFF_MS;
    this._held = null;
    this._onOnline = () => this._retryNow();
    if (typeof window !== "undefined") window.addEventListener("online", this._onOnline);
  }

  /** Store one item ({nonce, scanned_at, body}); a nonce already queued is kept once. */
  async enqueue(item) {
    if (!item || !item.nonce) throw new TypeError("OfflineQueue.enqueue: item.nonce is required");
    await this.store.add({ nonce: item.nonce, scanned_at: item.scanned_at, body: item.body, queued_at: Date.now() });
    await this._changed();
  }

  /** How many items are waiting to be sent. */
  pending() {
    return this.store.count();
  }

  /** The waiting items, oldest first. */
  items() {
    return this.store.items();
  }

  /** What the server refused without recording it, oldest first: [{kind, answer, failed_at}] (no codes). */
  failed() {
    return this.store.failed();
  }

  /**
   * Take the waiting items for which predicate(item) is true out of the queue unsent;
   * each leaves a summary with `answer` ({status, body: {error, message}}) as a refused
   * one does, so the page's "not recorded" list says what was lost. Resolves how many.
   */
  async discard(predicate, answer = null) {
    const doomed = (await this.store.items()).filter((item) => predicate(item));
    for (const item of doomed) await this.store.remove(item.id, summary(item, answer, Date.now()));
    if (doomed.length) await this._changed();
    return doomed.length;
  }

  /** The staff have seen the refusals: forget the summaries too. */
  async clearFailed() {
    await this.store.clearFailed();
    await this._changed();
  }

  /** Send a "change" with the current counts now (a page's first paint after a reload). */
  refresh() {
    return this._changed();
  }

  /** The wait before the next automatic retry (ms). */
  get backoffMs() {
    return this._backoff;
  }

  /**
   * Replay waiting items in order through sendFn(item) -> Promise<answer>.
   * Resolves {sent, failed, remaining} when the queue is empty or sending has
   * to wait; concurrent calls share one run. sendFn is kept for the retries.
   */
  drain(sendFn) {
    if (sendFn) this._sendFn = sendFn;
    if (!this._sendFn) return Promise.reject(new TypeError("OfflineQueue.drain needs a sendFn"));
    if (!this._draining) {
      // Two tabs of the same page would send everything twice; the server
      // would dedupe by nonce, but a lock saves the traffic where it exists.
      const run = () => this._drainLoop();
      const locks = typeof navigator !== "undefined" && navigator.locks;
      this._draining = (locks ? locks.request(`${this.name}-drain`, run) : run())
        .finally(() => { this._draining = null; });
    }
    return this._draining;
  }

  /** Stop retrying (the page is going away, or a test is over). */
  close() {
    this._timers.clearTimeout(this._retryTimer);
    this._retryTimer = null;
    if (typeof window !== "undefined") window.removeEventListener("online", this._onOnline);
  }

  async _drainLoop() {
    this._timers.clearTimeout(this._retryTimer);
    this._retryTimer = null;
    let sent = 0;
    let failed = 0;
    this._held = null;
    for (;;) {
      const item = await this.store.first();
      if (!item) break;

      let answer;
      try {
        answer = await this._sendFn(item);
      } catch (err) {
        console.warn(`offline-queue: ${this.name} not sent, will retry`, err);
        this._scheduleRetry();
        break;
      }
      const status = httpStatus(answer);
      const kept = status < 400 ? null : await plain(answer);
      const outcome = answerOutcome(status, kept && kept.body);
      if (outcome === "retry") {
        this._scheduleRetry();
        break;
      }
      if (outcome === "held") {
        // Kept in place: re-pairing (or a reload, for an old page) lets it through.
        this._held = kept;
        this._scheduleRetry();
        await this._changed();
        break;
      }
      const delivered = outcome === "delivered";
      await this.store.remove(item.id, delivered ? null : summary(item, kept, Date.now()));
      delivered ? sent++ : failed++;
      this._backoff = FIRST_BACKOFF_MS;
      this.dispatchEvent(detailEvent("result", { item, answer, delivered }));
      await this._changed();
    }
    return { sent, failed, remaining: await this.pending() };
  }

  _retryLater() {
    this.drain().catch((err) => console.error(`offline-queue: ${this.name} retry failed`, err));
  }

  _scheduleRetry() {
    this._timers.clearTimeout(this._retryTimer);
    this._retryTimer = this._timers.setTimeout(() => this._retryLater(), this._backoff);
    this._backoff = nextBackoff(this._backoff);
  }

  _retryNow() {
    if (!this._sendFn) return;
    this._backoff = FIRST_BACKOFF_MS;
    this._retryLater();
  }

  async _changed() {
    const [pending, failed] = await Promise.all([this.pending(), this.store.failedCount()]);
    const held = pending > 0 ? this._held || null : null;
    this.dispatchEvent(detailEvent("change", { pending, failed, held }));
  }
}
