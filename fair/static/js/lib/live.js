/**
 * live.js: the page's Socket.IO connection to the "/live" namespace, the
 * only one a page opens.
 *
 * Used by every live page: the gate and booth (send scans, get the answer in
 * the ack; booth events), the dashboard and the public counter (batched
 * `events` and `stats`), the attendee's card (its own `events`). The page
 * loads the vendored client first:
 *     <script src="/static/vendor/socket.io/socket.io.min.js"></script>
 *
 *   const live = connectLive({token, onEvents, onStats, onStatus});
 *   live.on("events", more);                 // another part of the page listens too
 *   try { showAnswer(await live.scan(body)); }
 *   catch { await queue.enqueue(...); }      // offline: replay over HTTP later
 *
 * token is the device token (or the page token a gate or booth page gets);
 * auth, when given, is sent as it is instead (the card page: {card: link});
 * with neither the session cookie authenticates, or nothing (the counter).
 * The socket reconnects forever, also after the server refused it (a
 * restarted server may not know the session yet).
 * onStatus("online"|"offline", error?) reports every change. Without the
 * vendored client (it failed to load) connectLive logs why and returns a
 * connection that is never online, so the page falls back to HTTP.
 *
 * A lost network is noticed within a second or two, not at the next missed
 * server ping (up to ping interval + timeout later): the browser's "offline"
 * event and an unanswered scan (ackTimeoutMs) each report "offline" at once
 * and drop the transport, so the client reconnects as soon as it can; the
 * "online" event reconnects without waiting for the back-off.
 */

const RETRY_REFUSED_MS = 10000;

/** False only when the browser itself says it has no network. */
export function browserOnline() {
  return typeof navigator === "undefined" || navigator.onLine !== false;
}

function onWindow(action, type, handler) {
  if (typeof window !== "undefined") window[`${action}EventListener`](type, handler);
}

/** A connection that is never online: what a page gets when the socket client is missing. */
function neverOnline(onStatus, reason) {
  console.error(`live: no live connection (${reason})`);
  if (onStatus) onStatus("offline", new Error(reason));
  return {
    online: false,
    socket: null,
    scan: () => Promise.reject(new Error(reason)),
    on() {},
    close() {},
  };
}

export function connectLive({
  token = null, auth = null, onEvents, onStats, onStatus, url = "/live", ackTimeoutMs = 1500,
  io = typeof window === "undefined" ? undefined : window.io,
} = {}) {
  if (typeof io !== "function") {
    return neverOnline(onStatus, "vendor/socket.io/socket.io.min.js is not loaded");
  }
  const socket = io(url, {
    auth: auth || (token ? { token } : {}),
    transports: ["websocket", "polling"],
    tryAllTransports: true,       // a network that blocks websockets still gets polling
    reconnection: true,
    reconnectionAttempts: Infinity,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
    timeout: 8000,
  });
  let status = null;
  let refusedTimer = null;
  let closed = false;

  function report(next, error) {
    if (next === status && !error) return;
    status = next;
    if (onStatus) onStatus(next, error);
  }

  // socket.active is false when the server itself refused or dropped us (bad
  // token, no session, device revoked); the client then stops retrying, so
  // retry by hand, slowly. Network trouble is retried by the client itself.
  function retryIfAbandoned() {
    if (socket.active || closed) return;
    clearTimeout(refusedTimer);
    refusedTimer = setTimeout(() => { if (!closed) socket.connect(); }, RETRY_REFUSED_MS);
  }

  // The socket may still look connected for many seconds after the network
  // went (nothing tells it until a ping is missed): drop the transport so it
  // says so now, and the client's own reconnection takes over.
  function dropTransport() {
    report("offline");
    const engine = socket.io.engine;
    if (socket.connected && engine) engine.close();
  }

  function reconnectNow() {
    if (closed) return;
    if (socket.connected) { report("online"); return; }   // it connected while the browser said offline
    clearTimeout(refusedTimer);
    socket.disconnect();   // stops the back-off wait...
    socket.connect();      // ...and tries at once
  }

  socket.on("connect", () => report(browserOnline() ? "online" : "offline"));
  socket.on("disconnect", () => { report("offline"); retryIfAbandoned(); });
  socket.on("connect_error", (err) => { report("offline", err); retryIfAbandoned(); });
  onWindow("add", "offline", dropTransport);
  onWindow("add", "online", reconnectNow);
  if (onEvents) socket.on("events", (events) => onEvents(events));
  if (onStats) socket.on("stats", (stats) => onStats(stats));

  /**
   * Send one scan; resolves with the server's ack (the same JSON as the HTTP
   * API), rejects when offline, on disconnect or after ackTimeoutMs, so the
   * caller falls back to the offline queue. Never buffered by the client:
   * a scan sent after reconnecting would race the queue's replay.
   */
  function scan(body, timeoutMs = ackTimeoutMs) {
    if (!isOnline()) return Promise.reject(new Error("offline"));
    return new Promise((resolve, reject) => {
      const onDisconnect = () => finish(new Error("disconnected"));
      function finish(err, answer) {
        socket.off("disconnect", onDisconnect);
        err ? reject(err) : resolve(answer);
      }
      socket.once("disconnect", onDisconnect);
      socket.timeout(timeoutMs).emit("scan", body, (err, answer) => {
        // No answer in time: treat the link as gone (the caller queues the scan;
        // its nonce makes a late delivery harmless) and reconnect to find out.
        if (err) dropTransport();
        finish(err, answer);
      });
    });
  }

  function isOnline() {
    return socket.connected && status === "online" && browserOnline();
  }

  function close() {
    closed = true;
    clearTimeout(refusedTimer);
    onWindow("remove", "offline", dropTransport);
    onWindow("remove", "online", reconnectNow);
    socket.disconnect();
  }

  return {
    scan,
    close,
    socket,
    /** Listen to a server message ("events", "stats") besides the handlers given at the start. */
    on(name, handler) { socket.on(name, handler); },
    get online() { return isOnline(); },
  };
}
