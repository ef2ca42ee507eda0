/**
 * http.js: the one way the page scripts talk HTTP to the server.
 *
 *   const result = await requestJson(url, {method: "POST", json: body, token});
 *   if (result.ok) use(result.body); else say(result.body.message || result.status);
 *
 * requestJson resolves with {ok, status, body} for every answer the server
 * gave, refusals included (body is its JSON, or {} when it sent none, e.g. a
 * proxy's HTML error page), and rejects with a NetworkError only when no
 * answer came: reason "offline" (the browser knows), "timeout" (timeoutMs
 * passed: a dead link would leave the request hanging) or "network".
 *
 * Credentials: a page token (auth.page_token, on gate and booth pages) goes
 * as a bearer token; without one the cookie session authenticates and every
 * write carries the page's CSRF token (<meta name="csrf-token">).
 */

/** The page's CSRF token, "" when the page has none. */
export function csrfToken() {
  if (typeof document === "undefined") return "";
  const meta = document.querySelector('meta[name="csrf-token"]');
  return (meta && meta.content) || "";
}

/** Headers that authenticate a request: the page token if there is one, else the CSRF token. */
export function authHeaders(token = null) {
  if (token) return { Authorization: `Bearer ${token}` };
  const csrf = csrfToken();
  return csrf ? { "X-CSRFToken": csrf } : {};
}

/** A later try may succeed: the server is down or busy, or the request took too long. */
export function isRetryable(status) {
  return status >= 500 || status === 408 || status === 429;
}

export class NetworkError extends Error {
  /** reason: "offline", "timeout" or "network". */
  constructor(reason, cause) {
    super(cause && cause.message ? `${reason}: ${cause.message}` : reason);
    this.name = "NetworkError";
    this.reason = reason;
    this.cause = cause;
  }
}

async function readBody(response) {
  try {
    const body = await response.json();
    return body && typeof body === "object" ? body : {};
  } catch (err) {
    return {};   // not JSON: the status says what happened
  }
}

/**
 * One request with a JSON (json) or multipart (form) body, or none.
 * token: the page token, see authHeaders. timeoutMs 0 waits as long as fetch does.
 */
export async function requestJson(url, {
  method = "GET", json, form, token = null, timeoutMs = 0, fetchFn = globalThis.fetch,
} = {}) {
  const headers = { Accept: "application/json", ...(method === "GET" && !token ? {} : authHeaders(token)) };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;       // the browser writes the multipart Content-Type with its boundary
  }
  const controller = timeoutMs ? new AbortController() : null;
  const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : null;
  let response;
  try {
    response = await fetchFn(url, {
      method, headers, body, credentials: "same-origin", signal: controller ? controller.signal : undefined,
    });
  } catch (err) {
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    throw new NetworkError(controller && controller.signal.aborted ? "timeout" : offline ? "offline" : "network", err);
  } finally {
    clearTimeout(timer);
  }
  return { ok: response.ok, status: response.status, body: await readBody(response) };
}
