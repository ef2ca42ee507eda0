/**
 * scan-sender.js: the one way a gate or booth phone sends a scan (or a booth
 * edit), and what it does when the network will not carry it.
 *
 *   const sender = createScanSender({queue, live, replay});
 *   const outcome = await sender.send(item, {socket: body, http: (timeoutMs) => requestJson(...), keep});
 *   // outcome: {via: "socket", answer} | {via: "http", ok, status, answer} | {via: "offline", queued, reason}
 *
 * item is what the offline queue stores: {nonce, scanned_at, body}; the nonce
 * is made once per scan (newNonce), so every path below may deliver the same
 * item twice without it counting twice.
 *
 * The policy, in order (docs/design.md, "Browser code"):
 *  1. Order. When older items wait in the queue they go first: with the
 *     socket online the queue is drained now and the new item waits for it
 *     (at most drainWaitMs); if anything still waits, or the socket is not
 *     online, the new item queues behind them at once. A scan never overtakes
 *     an older one: an offline entry reaches the server before the later exit,
 *     a booth scan before the edits of its lead.
 *  2. The live socket, when online (and the item has a socket body): its ack
 *     is the answer. No ack within live.js's ack timeout means the link is
 *     bad: the item queues at once, no second try over HTTP.
 *  3. HTTP, when the socket is not online and the browser does not say it is
 *     offline, within httpTimeoutMs: any answer is the answer, except a
 *     retryable one (5xx, 408, 429) or none at all, which queue the item.
 *  4. The queue (offline-queue.js), when keep(item) allows it (the page
 *     keeps no typed national ID): replayed over HTTP by replay(item,
 *     {timeoutMs: replayTimeoutMs}), oldest first, with the queue's backoff,
 *     and at once when the page calls drain() (the socket came back).
 */
import { isRetryable, NetworkError } from "./http.js";
import { browserOnline } from "./live.js";

export const POLICY = Object.freeze({ drainWaitMs: 2000, httpTimeoutMs: 2500, replayTimeoutMs: 10000 });

/** A unique id for one scan: crypto.randomUUID, which plain-HTTP pages lack, else getRandomValues. */
export function newNonce(random = globalThis.crypto, secure = typeof window !== "undefined" && window.isSecureContext) {
  if (secure && random.randomUUID) return random.randomUUID();
  const b = random.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // RFC 4122 version 4, so both paths look alike
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The answer a refusal over HTTP stands for: the server's {error, message}, "error" when it gave none. */
export function refusal(status, body) {
  return { error: (body && body.error) || "error", message: (body && body.message) || "", status };
}

/**
 * queue: an OfflineQueue; live: a connection from connectLive (anything with
 * `online` and `scan(body)`); replay(item, {timeoutMs}): sends a queued item
 * over HTTP, resolving with {status, body} (requestJson's answer does).
 */
export function createScanSender({
  queue, live, replay, drainWaitMs = POLICY.drainWaitMs, httpTimeoutMs = POLICY.httpTimeoutMs,
  replayTimeoutMs = POLICY.replayTimeoutMs, online = browserOnline, wait = sleep,
}) {
  if (!queue || typeof replay !== "function") throw new TypeError("createScanSender: queue and replay are required");

  const replayOne = (item) => replay(item, { timeoutMs: replayTimeoutMs });

  /** Replay the queue now; resolves {sent, failed, remaining}, or null when sending failed (logged). */
  function drain() {
    return queue.drain(replayOne).catch((err) => {
      console.error(`scan-sender: the queue ${queue.name} could not be replayed`, err);
      return null;
    });
  }

  async function toQueue(item, keep, reason) {
    if (!(await keep(item))) return { via: "offline", queued: false, reason };
    await queue.enqueue(item);
    drain();   // the link may be back already; a failed try only schedules the next
    return { via: "offline", queued: true, reason };
  }

  async function behindQueue() {
    if ((await queue.pending()) === 0) return false;
    if (!live || !live.online) return true;
    await Promise.race([drain(), wait(drainWaitMs)]);
    return (await queue.pending()) > 0;
  }

  /**
   * Send one item by the policy above. socket: the body for live.scan, or null
   * for items that only go over HTTP (edits); http(timeoutMs): the direct HTTP
   * request, or null for none; keep(item): may it be queued (default yes).
   */
  async function send(item, { socket = null, http = null, keep = () => true } = {}) {
    if (await behindQueue()) return toQueue(item, keep, "behind_queue");
    if (socket && live && live.online) {
      try {
        return { via: "socket", answer: await live.scan(socket) };
      } catch (err) {
        console.warn("scan-sender: no answer on the live socket, the scan is queued", err);
        return toQueue(item, keep, "no_ack");
      }
    }
    if (!http) return toQueue(item, keep, "no_socket");
    if (!online()) return toQueue(item, keep, "browser_offline");
    let result;
    try {
      result = await http(httpTimeoutMs);
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      console.warn(`scan-sender: no HTTP answer (${err.reason}), the scan is queued`);
      return toQueue(item, keep, err.reason);
    }
    if (isRetryable(result.status)) return toQueue(item, keep, `http_${result.status}`);
    return {
      via: "http", ok: result.ok, status: result.status,
      answer: result.ok ? result.body : refusal(result.status, result.body),
    };
  }

  return {
    send,
    drain,
    /** Queue an item without trying to send it first (an edit of a lead that is itself still queued). */
    enqueue: (item) => toQueue(item, () => true, "queued_by_page"),
  };
}
