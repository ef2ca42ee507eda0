/* The card page's service worker: the attendee's card keeps showing with no network.
 *
 * Scope: this one card's page (/me/<link>), set by the Service-Worker-Allowed
 * header. The page and its image are fetched from the network first (a
 * replaced card must show at once) and from the cache when the venue Wi-Fi is
 * down or too slow; scripts and CSS come from the cache, refreshed behind.
 */
const CACHE = {{ cache|tojson }};
const CACHE_PREFIX = {{ cache_prefix|tojson }};
const PRECACHE = {{ precache|tojson }};
const PAGE = PRECACHE[0];
const NETWORK_FIRST = new Set([PRECACHE[0], PRECACHE[1]]);
const NETWORK_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload", credentials: "same-origin" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
                 (err) => { clearTimeout(timer); reject(err); });
  });
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  const refresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    refresh.catch(() => {});
    return cached;
  }
  return refresh;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/socket.io/")) return;
  // The page may be asked for with a query (?utm..., language switch redirects): one copy.
  const key = request.mode === "navigate" && url.pathname === PAGE ? PAGE : url.pathname;
  if (NETWORK_FIRST.has(key)) {
    event.respondWith(networkFirst(request, key));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});
