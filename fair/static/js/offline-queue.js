/**
 * offline-queue.js: scans kept on the phone while the server is unreachable.
 *
 * The gate and booth pages send each scan over the live socket; when that
 * fails (Wi-Fi gone, ack timed out) they enqueue it here and later replay it
 * over HTTP (POST /api/v1/checkins or /api/v1/booths/<code>/scans). Every
 * item carries the nonce made when the card was scanned, so a replay of a
 * scan the server did receive returns the first answer and never counts twice.
 *
 *   const queue = new OfflineQueue("fair-queue-gate");
 *   queue.addEventListener("change", (e) => badge.textContent = e.detail.pending);
 *   await queue.enqueue({nonce: newNonce(), scanned_at: new Date().toISOString(), body});
 *   queue.drain((item) => fetch(url, {method: "POST", ...}));   // a Response, or {status, body}
 *
 * Items live in IndexedDB (they survive a reload or a flat battery) and are
 * replayed oldest first. Keep in an item only what its replay needs: a typed
 * national ID is never queued (the pages check isNationalId and ask for the
 * card instead), since IndexedDB is readable by anyone holding the phone.
 * drain(sendFn) removes an item only once sendFn resolves with a server answer:
 *   - resolves with a 2xx/3xx Response (or anything without a numeric
 *     `status`, e.g. a socket ack) -> delivered (the server recorded it,
 *     also when its answer is a refusal such as an unknown card), removed;
 *   - resolves with 401, 403 or a 400 "csrf" -> not this scan's fault: the
 *     device's credentials were refused. Kept, in order, and retried with
 *     backoff; "change" says held: the answer, so the page can say why;
 *   - resolves with another 4xx (except 408/429) -> the server refused it for
 *     good without recording it (malformed, say): removed, and only a summary
 *     {kind, answer: {status, error, message}, failed_at}, never the code,
 *     goes to the "failed" store for the count on screen (failed());
 *   - rejects, or a 5xx/408/429 -> stop, keep it, retry later with backoff
 *     (1 s doubling to 60 s) and at once when the browser reports "online".
 * Events: "change" {pending, failed, held} after every change, "result"
 * {item, answer, delivered} per item that left the queue (delivered false:
 * refused, not recorded: never show it as synced).
 */

const STORE = "items";
const FAILED = "failed";
const MAX_BACKOFF_MS = 60000;
const VERSION = 2;   // 2: failed entries are summaries without the scan's code

/** A 13-digit Thai national ID (Thai or Arabic digits, spaces or dashes between): never queued in clear. */
export function isNationalId(text) {
  const digits = String(text || "").normalize("NFKC")
    .replace(/[๐-๙]/g, (d) => String(d.charCodeAt(0) - 0x0e50))
    .replace(/[\s\-\u2010-\u2015\u2212]/g, "");
  return /^[0-9]{13}$/.test(digits);
}

/** The answer refused the device's credentials (revoked, unpaired, an old page's CSRF token), not the scan. */
function credentialsRefused(status, body) {
  return status === 401 || status === 403 || (status === 400 && body && body.error === "csrf");
}

/** What a refused item leaves behind: what kind of item it was and why, not its code. */
function summary(item, answer, failedAt) {
  const body = (answer && answer.body) || {};
  return {
    kind: (item && item.body && typeof item.body.op === "string") ? item.body.op : "scan",
    answer: { status: answer ? answer.status : null, error: body.error || null, message: body.message || null },
    failed_at: failedAt,
  };
}

/** A unique id for one scan: crypto.randomUUID, which plain-HTTP pages lack, else getRandomValues. */
export function newNonce() {
  if (window.isSecureContext && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // RFC 4122 version 4, so both paths look alike
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

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

function httpStatus(answer) {
  return answer && typeof answer.status === "number" ? answer.status : 200;
}

export class OfflineQueue extends EventTarget {
  /** name: the IndexedDB database, one per page kind, e.g. "fair-queue-gate". */
  constructor(name = "fair-queue") {
    super();
    this.name = name;
    this._db = null;
    this._draining = null;
    this._sendFn = null;
    this._retryTimer = null;
    this._backoff = 1000;
    this._held = null;
    window.addEventListener("online", () => this._retryNow());
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

  /** Store one scan ({nonce, scanned_at, body}); a nonce already queued is kept once. */
  async enqueue(item) {
    if (!item || !item.nonce) throw new TypeError("OfflineQueue.enqueue: item.nonce is required");
    const record = { nonce: item.nonce, scanned_at: item.scanned_at, body: item.body, queued_at: Date.now() };
    try {
      await this._tx([STORE], "readwrite", (tx) => tx.objectStore(STORE).add(record));
    } catch (err) {
      if (err && err.name !== "ConstraintError") throw err; // same nonce: already queued
    }
    await this._changed();
  }

  /** How many scans are waiting to be sent. */
  pending() {
    return this._tx([STORE], "readonly", (tx) => tx.objectStore(STORE).count());
  }

  /** What the server refused without recording it, oldest first: [{kind, answer, failed_at}] (no codes). */
  failed() {
    return this._tx([FAILED], "readonly", (tx) => tx.objectStore(FAILED).getAll());
  }

  /** The staff have seen the refusals: forget the summaries too. */
  async clearFailed() {
    await this._tx([FAILED], "readwrite", (tx) => tx.objectStore(FAILED).clear());
    await this._changed();
  }

  /**
   * Replay waiting scans in order through sendFn(item) -> Promise<answer>.
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
      this._draining = (navigator.locks
        ? navigator.locks.request(`${this.name}-drain`, run)
        : run()
      ).finally(() => { this._draining = null; });
    }
    return this._draining;
  }

  async _drainLoop() {
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
    let sent = 0;
    let failed = 0;
    this._held = null;
    for (;;) {
      const [item] = await this._tx([STORE], "readonly", (tx) => tx.objectStore(STORE).getAll(null, 1));
      if (!item) break;

      let answer;
      try {
        answer = await this._sendFn(item);
      } catch (err) {
        this._scheduleRetry();
        break;
      }
      const status = httpStatus(answer);
      if (status >= 500 || status === 408 || status === 429) {
        this._scheduleRetry();
        break;
      }
      const delivered = status < 400;
      const kept = delivered ? null : await plain(answer);
      if (!delivered && credentialsRefused(status, kept && kept.body)) {
        // Kept in place: re-pairing (or a reload, for an old page) lets it through.
        this._held = kept;
        this._scheduleRetry();
        await this._changed();
        break;
      }
      await this._tx([STORE, FAILED], "readwrite", (tx) => {
        tx.objectStore(STORE).delete(item.id);
        if (!delivered) tx.objectStore(FAILED).add(summary(item, kept, Date.now()));
      });
      delivered ? sent++ : failed++;
      this._backoff = 1000;
      this.dispatchEvent(new CustomEvent("result", { detail: { item, answer, delivered } }));
      await this._changed();
    }
    return { sent, failed, remaining: await this.pending() };
  }

  _scheduleRetry() {
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => this.drain().catch(() => {}), this._backoff);
    this._backoff = Math.min(this._backoff * 2, MAX_BACKOFF_MS);
  }

  _retryNow() {
    if (!this._sendFn) return;
    this._backoff = 1000;
    this.drain().catch(() => {});
  }

  async _changed() {
    const [pending, failed] = await Promise.all([
      this.pending(),
      this._tx([FAILED], "readonly", (tx) => tx.objectStore(FAILED).count()),
    ]);
    const held = pending > 0 ? this._held || null : null;
    this.dispatchEvent(new CustomEvent("change", { detail: { pending, failed, held } }));
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
      tx.objectStore(STORE).add(record).onerror = (ev) => { ev.preventDefault(); ev.stopPropagation(); };
      cursor.delete();
    } else if (item) {
      cursor.update({ ...summary(item, answer, failedAt), id: cursor.value.id });
    }
    cursor.continue();
  };
}

// A fetch Response cannot be stored in IndexedDB; keep its status and the
// JSON error ({"error", "message"}) a person may need to read later.
async function plain(answer) {
  if (typeof Response !== "undefined" && answer instanceof Response) {
    let body = null;
    try { body = await answer.clone().json(); } catch (err) { /* not JSON */ }
    return { status: answer.status, body };
  }
  return answer;
}
