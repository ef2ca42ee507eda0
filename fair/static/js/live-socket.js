/**
 * live-socket.js: the page's Socket.IO connection to the "/live" namespace.
 *
 * Used by the gate and booth pages (send scans, get the answer in the ack)
 * and by the dashboard (receive batched `events` and `stats`). The page
 * loads the vendored client first:
 *     <script src="/static/vendor/socket.io/socket.io.min.js"></script>
 *
 *   const live = connectLive({token, onEvents, onStats, onStatus});
 *   try { showAnswer(await live.scan(body)); }
 *   catch { await queue.enqueue(...); }      // offline: replay over HTTP later
 *
 * token is the device token (or the page token a gate or booth page gets),
 * or null when the organiser's session cookie authenticates. The socket
 * reconnects forever, also after the server refused it (a restarted server
 * may not know the session yet). onStatus("online"|"offline", error?)
 * reports every change.
 *
 * A lost network is noticed within a second or two, not at the next missed
 * server ping (up to ping interval + timeout later): the browser's "offline"
 * event and an unanswered scan (ackTimeoutMs) each report "offline" at once
 * and drop the transport, so the client reconnects as soon as it can; the
 * "online" event reconnects without waiting for the back-off.
 */

const RETRY_REFUSED_MS = 10000;

export function connectLive({ token = null, onEvents, onStats, onStatus, url = "/live", ackTimeoutMs = 1500 } = {}) {
  if (typeof window.io !== "function") {
    throw new Error("live-socket: include vendor/socket.io/socket.io.min.js before this module");
  }
  const socket = window.io(url, {
    auth: token ? { token } : {},
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

  socket.on("connect", () => report(navigator.onLine === false ? "offline" : "online"));
  socket.on("disconnect", () => { report("offline"); retryIfAbandoned(); });
  socket.on("connect_error", (err) => { report("offline", err); retryIfAbandoned(); });
  window.addEventListener("offline", dropTransport);
  window.addEventListener("online", reconnectNow);
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
    return socket.connected && status === "online" && navigator.onLine !== false;
  }

  function close() {
    closed = true;
    clearTimeout(refusedTimer);
    window.removeEventListener("offline", dropTransport);
    window.removeEventListener("online", reconnectNow);
    socket.disconnect();
  }

  return {
    scan,
    close,
    socket,
    get online() { return isOnline(); },
  };
}
