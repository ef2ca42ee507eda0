/**
 * gate.js: the entrance page (/gate), opened on a paired gate device.
 *
 * Every code (camera, USB/Bluetooth scanner, photo, typed) gets a nonce and
 * goes over the live socket; the ack is the same JSON as POST /api/v1/checkins
 * and is shown full screen (feedback.js). When the socket is down or the ack
 * times out, the scan is checked on the phone (the card's Ed25519 signature
 * against the fair's public key embedded in the page, as the byte layout in
 * fair/checkin/cards.py describes), shown as "accepted offline", and queued
 * in IndexedDB; the queue is replayed over HTTP, same nonces, when the server
 * is back, so nothing counts twice. The same code within 5 s is dropped by
 * scanner.js. A national ID typed while offline is not queued (it would sit in
 * IndexedDB in clear): staff are asked for the card or its code instead.
 *
 * Replays, photos and the socket authenticate with the page token the server
 * put in the page config (auth.page_token), never the cookie session: its
 * CSRF secret can change under the page, and a queued scan must not be
 * refused for that.
 */
import { createScanner } from "./scanner.js";
import { OfflineQueue, isNationalId, newNonce } from "./offline-queue.js";
import { connectLive } from "./live-socket.js";
import { showResult } from "./feedback.js";
import { t, lang } from "./i18n.js";

const config = JSON.parse(document.getElementById("gate-config").textContent);
const csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
// An old page cached without a page token still works, as before, with the cookie.
const authHeaders = config.pageToken ? { Authorization: `Bearer ${config.pageToken}` } : { "X-CSRFToken": csrfToken };
const REJECTED = new Set(["unknown", "invalid_signature", "revoked", "wrong_fair", "fair_closed"]);
const SHOW_MS = { ok: 1500, warn: 3500, bad: 6000 };
const RECENT_MAX = 8;

const el = (id) => document.getElementById(id);
let mode = localStorage.getItem("gate-mode") === "exit" ? "exit" : "entry";
let pending = 0;

// --- what the staff see ----------------------------------------------------------

function show(kind, { title = "", subtitle = "", detail = "", variant = null } = {}) {
  showResult({ kind, title, subtitle, detail, ms: SHOW_MS[kind] });
  // feedback.js knows ok/warn/bad; two more shades are this page's own.
  const overlay = document.querySelector(".result-overlay");
  if (overlay) {
    overlay.classList.toggle("result-offline", variant === "offline");
    overlay.classList.toggle("result-exit", variant === "exit");
  }
}

function clock(iso) {
  const moment = iso ? new Date(iso) : new Date();
  if (Number.isNaN(moment.getTime())) return "";
  return moment.toLocaleTimeString(lang() === "th" ? "th-TH" : "en-GB", { hour: "2-digit", minute: "2-digit" });
}

function remember(kind, text, tag = "") {
  const list = el("recent");
  const item = document.createElement("li");
  item.dataset.kind = kind;
  const time = document.createElement("time");
  time.textContent = clock();
  const words = document.createElement("span");
  words.textContent = text;
  item.append(time, words);
  if (tag) {
    const small = document.createElement("span");
    small.className = "tag";
    small.textContent = tag;
    item.append(small);
  }
  list.prepend(item);
  while (list.children.length > RECENT_MAX) list.lastElementChild.remove();
}

/** The server's answer (socket ack or HTTP body) as a screen: [kind, content, summary]. */
function describe(answer) {
  if (!answer || typeof answer !== "object") {
    return ["bad", { title: t("error.title"), detail: t("error.detail") }, t("error.title")];
  }
  if (answer.error) {
    const key = ["rate_limited", "invalid_input", "forbidden"].includes(answer.error) ? answer.error : "error";
    return ["bad", { title: t(`${key}.title`), detail: t(`${key}.detail`) }, t(`${key}.title`)];
  }
  const name = (answer.attendee && answer.attendee.name) || "";
  const status = answer.status;
  switch (status) {
    case "ok":
      return ["ok", { title: name || t("ok.subtitle"), subtitle: name ? t("ok.subtitle") : "", detail: t("ok.detail") },
        `${name} · ${t("ok.subtitle")}`];
    case "already_inside":
      return ["warn", { title: name, subtitle: t("already_inside.subtitle"),
        detail: t("already_inside.detail", { time: clock(answer.first_checkin_at) }) },
        `${name} · ${t("already_inside.subtitle")}`];
    case "exit_recorded":
      return ["ok", { title: name, subtitle: t("exit_recorded.subtitle"), detail: t("exit_recorded.detail"), variant: "exit" },
        `${name} · ${t("exit_recorded.subtitle")}`];
    case "not_inside":
      return ["warn", { title: name, subtitle: t("not_inside.subtitle"), detail: t("not_inside.detail") },
        `${name} · ${t("not_inside.subtitle")}`];
    default: {
      const key = REJECTED.has(status) ? status : "error";
      return ["bad", { title: t(`${key}.title`), subtitle: name, detail: t(`${key}.detail`) }, t(`${key}.title`)];
    }
  }
}

function showAnswer(answer) {
  const [kind, content, summary] = describe(answer);
  show(kind, content);
  remember(kind, summary);
}

// --- checking a code on the phone (offline) ----------------------------------------

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const TOKEN_PREFIX = "SJW1.";
const TOKEN_BODY_CHARS = 114;
const TOKEN_BYTES = 71;
const MANUAL = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

function base32(bytes) {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text) {
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = B32.indexOf(ch);
    if (v < 0) return null;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

// crypto.subtle exists only in a secure context (https); Ed25519 in current browsers.
const verifyKey = (async () => {
  if (!window.crypto || !crypto.subtle) return null;
  try {
    const raw = Uint8Array.from(atob(config.publicKey), (c) => c.charCodeAt(0));
    return await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  } catch (err) {
    return null;
  }
})();

function manualCodeOk(text) {
  const code = text.normalize("NFKC").toUpperCase().replace(/[\s\u00a0\-\u2010-\u2014\u2212_]/g, "");
  if (code.length !== 9) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    const v = MANUAL.indexOf(code[i]);
    if (v < 0) return false;
    sum += (9 - i) * v;
  }
  return sum % 31 === 0;
}

function nationalIdOk(text) {   // the check digit; isNationalId only says "13 digits"
  const digits = text.replace(/[๐-๙]/g, (d) => String(d.charCodeAt(0) - 0x0e50)).replace(/[\s\-\u2010-\u2015\u2212]/g, "");
  if (!/^[1-9][0-9]{12}$/.test(digits)) return false;
  let total = 0;
  for (let i = 0; i < 12; i++) total += Number(digits[i]) * (13 - i);
  return (11 - (total % 11)) % 10 === Number(digits[12]);
}

/**
 * What the phone alone can say about a code: "genuine" (with the serial),
 * "forged", "wrong_fair", "unknown", "unverified" (a token this browser
 * cannot check), "typed" (a well-formed manual code or ID) or "typo".
 */
async function checkOffline(code) {
  const text = code.trim().toUpperCase();
  if (text.startsWith(TOKEN_PREFIX)) {
    const body = text.slice(TOKEN_PREFIX.length);
    const bytes = body.length === TOKEN_BODY_CHARS ? unbase32(body) : null;
    // The server accepts only the canonical spelling; so does this check.
    if (!bytes || bytes.length !== TOKEN_BYTES || base32(bytes) !== body) return { verdict: "unknown" };
    if (hex(bytes.slice(0, 3)) !== config.keyTag) return { verdict: "wrong_fair" };
    const key = await verifyKey;
    if (!key) return { verdict: "unverified" };
    let genuine = false;
    try {
      genuine = await crypto.subtle.verify({ name: "Ed25519" }, key, bytes.slice(7), bytes.slice(0, 7));
    } catch (err) {
      return { verdict: "unverified" };
    }
    if (!genuine) return { verdict: "forged" };
    return { verdict: "genuine", serial: new DataView(bytes.buffer).getUint32(3) };
  }
  if (isNationalId(code)) return { verdict: nationalIdOk(code) ? "national_id" : "typo" };
  if (manualCodeOk(code)) return { verdict: "typed" };
  return { verdict: /^[\s\dA-Z\-๐-๙]{6,20}$/i.test(code.trim()) ? "typo" : "unknown" };
}

function describeOffline(check) {
  switch (check.verdict) {
    case "genuine":
      return ["ok", { title: t("offline.ok"), subtitle: t("offline.name", { serial: check.serial }),
        detail: t("offline.ok_detail"), variant: "offline" }, t("offline.ok")];
    case "unverified":
      return ["warn", { title: t("offline.unverified"), detail: t("offline.unverified_detail") }, t("offline.unverified")];
    case "typed":
      return ["warn", { title: t("offline.unverified"), detail: t("offline.code_detail") }, t("offline.unverified")];
    case "national_id":
      return ["bad", { title: t("offline.id_needs_network"), detail: t("offline.id_needs_network_detail") },
        t("offline.id_needs_network")];
    case "typo":
      return ["bad", { title: t("offline.bad_code"), detail: t("offline.bad_code_detail") }, t("offline.bad_code")];
    case "forged":
      return ["bad", { title: t("invalid_signature.title"), detail: t("invalid_signature.detail") }, t("invalid_signature.title")];
    default:
      return ["bad", { title: t(`${check.verdict}.title`), detail: t(`${check.verdict}.detail`) }, t(`${check.verdict}.title`)];
  }
}

// --- sending -------------------------------------------------------------------------

const queue = new OfflineQueue(config.queueName);

function replay(item) {
  return fetch(config.checkinsUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", ...authHeaders },
    body: JSON.stringify(item.body),
  });
}

function drain() {
  return queue.drain(replay).catch((err) => console.warn("gate: replay failed", err));
}

function setOnline(online) {
  el("net-online").hidden = !online;
  el("net-offline").hidden = online;
  if (online) drain();
}

const live = connectLive({ token: config.pageToken || null, onStatus: (state) => setOnline(state === "online") });

async function handleCode(code) {
  const body = { code, nonce: newNonce(), type: mode, scanned_at: new Date().toISOString() };
  let answer;
  if (live.online) {
    // Older queued scans first: an offline entry must reach the server before a later exit.
    if (pending > 0) await Promise.race([drain(), new Promise((r) => setTimeout(r, 2000))]);
    try {
      answer = await live.scan(body);
    } catch (err) {
      answer = undefined;          // offline or no ack: the queue takes it
    }
  }
  if (answer !== undefined) {
    showAnswer(answer);
    return;
  }
  const check = await checkOffline(code);
  const [kind, content, summary] = describeOffline(check);
  const keep = !["typo", "unknown", "national_id"].includes(check.verdict);
  if (keep) {
    try {
      await queue.enqueue({ nonce: body.nonce, scanned_at: body.scanned_at, body });
    } catch (err) {
      console.error("gate: could not queue the scan", err);
    }
  }
  show(kind, content);
  remember(kind, summary, keep ? t("recent.queued") : "");
}

queue.addEventListener("change", (event) => {
  const { failed, held } = event.detail;
  pending = event.detail.pending;
  const badge = el("queue");
  badge.hidden = pending === 0;
  badge.textContent = t("queue.pending", { n: pending });
  const refused = el("refused");
  refused.hidden = failed === 0;
  refused.textContent = `${t("queue.failed", { n: failed })} ✕`;
  const notice = el("held");
  notice.hidden = !held;
  notice.textContent = held ? t("queue.held", { n: pending }) : "";
});

// Every queued scan that left the queue: "synced" only when the server recorded it
// (its answer may still be a refusal, e.g. an unknown card: recorded, shown red).
queue.addEventListener("result", async (event) => {
  const { answer, delivered } = event.detail;
  let body = null;
  try { body = answer && typeof answer.clone === "function" ? await answer.clone().json() : answer && answer.body; } catch (err) { /* not JSON */ }
  if (delivered) {
    const [kind, , summary] = describe(body);
    remember(kind, summary, t("recent.replayed"));
  } else {
    const [, , summary] = describe({ error: (body && body.error) || "error" });
    remember("bad", summary, t("recent.not_recorded"));
  }
});

// The count of refusals is all that is kept (no codes); the staff dismiss it once read.
el("refused").addEventListener("click", () => { queue.clearFailed().catch(() => {}); });

// --- entry / exit ------------------------------------------------------------------------

function setMode(next) {
  mode = next;
  localStorage.setItem("gate-mode", mode);
  document.body.dataset.mode = mode;
  for (const button of document.querySelectorAll(".mode-switch button")) {
    button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
  }
  const banner = el("mode-banner");
  banner.dataset.mode = mode;
  banner.textContent = t(mode === "exit" ? "mode.now_exit" : "mode.now_entry");
}

for (const button of document.querySelectorAll(".mode-switch button")) {
  button.addEventListener("click", () => setMode(button.dataset.mode));
}
setMode(mode);

// --- scanning -----------------------------------------------------------------------------

const CAMERA_NOTES = { insecure: "camera.insecure", camera_denied: "camera.denied", no_camera: "camera.none",
  camera_failed: "camera.failed", no_video: "camera.failed" };

const scanner = createScanner({
  video: el("video"),
  fileInput: el("photo"),
  manualInput: el("manual"),
  decodeUrl: config.decodeUrl,
  token: config.pageToken || null,
  onCode: (code) => { handleCode(code); },
  onError: ({ source, error, message }) => {
    if (source === "camera") return;  // reported once by start()
    const known = ["no_code", "bad_image", "too_large", "network"].includes(error);
    const detail = known ? t(`photo.${error}`) : message || t("error.detail");
    show(error === "no_code" ? "warn" : "bad", { title: known ? t(`photo.${error}`) : t("error.title"), detail: known ? "" : detail });
  },
});

el("manual-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = el("manual");
  const text = input.value.trim();
  input.value = "";
  input.blur();                       // the phone keyboard would cover the answer
  if (text) scanner.submitManual(text);
});

scanner.start().then(({ camera, reason }) => {
  el("scanner").hidden = !camera;
  el("photo-button").hidden = camera;
  el("camera-note").textContent = camera ? "" : t(CAMERA_NOTES[reason] || "camera.failed");
});

queue.pending().then((n) => { pending = n; }).catch(() => {});
drain();
window.addEventListener("pagehide", () => scanner.stop());
