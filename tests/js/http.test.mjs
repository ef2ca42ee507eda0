// lib/http.js: one JSON request helper, errors sorted into "answered" and "no answer".
import { test } from "node:test";
import assert from "node:assert/strict";
import { requestJson, NetworkError, isRetryable, authHeaders } from "../../fair/static/js/lib/http.js";

function fakeFetch(respond) {
  const seen = [];
  const fetchFn = async (url, init) => { seen.push({ url, ...init }); return respond(init); };
  return { fetchFn, seen };
}

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

test("a JSON answer, refusals included, resolves with ok, status and body", async () => {
  const { fetchFn, seen } = fakeFetch(() => json(201, { id: 3 }));
  assert.deepEqual(await requestJson("/x", { method: "POST", json: { a: 1 }, token: "T", fetchFn }),
    { ok: true, status: 201, body: { id: 3 } });
  assert.equal(seen[0].body, '{"a":1}');
  assert.equal(seen[0].headers.Authorization, "Bearer T");
  assert.equal(seen[0].headers["Content-Type"], "application/json");
  assert.equal(seen[0].credentials, "same-origin");
  const refused = fakeFetch(() => json(400, { error: "invalid_input", message: "no" }));
  assert.deepEqual(await requestJson("/x", { method: "POST", json: {}, fetchFn: refused.fetchFn }),
    { ok: false, status: 400, body: { error: "invalid_input", message: "no" } });
});

test("an answer that is not JSON (a proxy's error page) gives an empty body", async () => {
  const { fetchFn } = fakeFetch(() => new Response("<html>502</html>", { status: 502 }));
  assert.deepEqual(await requestJson("/x", { fetchFn }), { ok: false, status: 502, body: {} });
});

test("no answer rejects with a NetworkError saying why", async () => {
  const down = fakeFetch(() => { throw new TypeError("Failed to fetch"); });
  await assert.rejects(requestJson("/x", { fetchFn: down.fetchFn }), (err) => err instanceof NetworkError && err.reason === "network");
  const hanging = (url, init) => new Promise((resolve, reject) => {
    init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
  });
  await assert.rejects(requestJson("/x", { timeoutMs: 20, fetchFn: hanging }), (err) => err.reason === "timeout");
});

test("a GET without a page token sends no credentials header; a form goes as it is", async () => {
  const { fetchFn, seen } = fakeFetch(() => json(200, {}));
  await requestJson("/x", { fetchFn });
  assert.deepEqual(seen[0].headers, { Accept: "application/json" });
  const form = new FormData();
  await requestJson("/y", { method: "POST", form, token: "T", fetchFn });
  assert.equal(seen[1].body, form);
  assert.equal(seen[1].headers["Content-Type"], undefined, "the browser writes the multipart boundary");
  assert.deepEqual(authHeaders(null), {}, "no page, no CSRF meta: nothing to send");
});

test("retryable: the server is down or busy, or the request took too long", () => {
  assert.deepEqual([200, 400, 401, 404, 408, 429, 500, 503].filter(isRetryable), [408, 429, 500, 503]);
});
