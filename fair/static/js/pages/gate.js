/**
 * pages/gate.js: the entrance page (/gate), opened on a paired gate device.
 *
 * Every code (camera, USB/Bluetooth scanner, photo, typed) gets a nonce and
 * goes out by the one scan-sender policy (lib/scan-sender.js: live socket,
 * else HTTP, else the offline queue, never ahead of older queued scans); the
 * answer is the same JSON as POST /api/v1/checkins and is shown full screen.
 * When nothing reaches the server the scan is checked on the phone
 * (lib/card-check.js: the card's Ed25519 signature against the fair's public
 * key in the page config), shown as "accepted offline", and queued; the queue
 * is replayed over HTTP, same nonces, so nothing counts twice. The same code
 * within 5 s is dropped by the scanner. A national ID typed while offline is
 * not queued (it would sit in IndexedDB in clear): staff are asked for the
 * card or its code instead.
 *
 * config (fair/checkin/pages.py gate_page): publicKey, keyTag, checkinsUrl,
 * undoUrl, searchUrl, rosterUrl, decodeUrl, queueName, pageToken, deviceId.
 * Offline, a genuine card is named from the fair's roster (lib/gate-memory.js,
 * fetched on load and on every reconnect, held in memory only), and a second
 * entry of the same person is flagged as a possible shared screenshot. Replays, photos and the socket
 * authenticate with the page token, never the cookie session: its CSRF
 * secret can change under the page, and a queued scan must not be refused
 * for that.
 */
import { createScanner } from "../lib/scanner.js";
import { OfflineQueue } from "../lib/offline-queue.js";
import { createScanSender, newNonce } from "../lib/scan-sender.js";
import { codeTypo, createCardCheck, isNationalId, manualCodeOk, TOKEN_PREFIX } from "../lib/card-check.js";
import { connectLive } from "../lib/live.js";
import { createGateMemory } from "../lib/gate-memory.js";
import { requestJson } from "../lib/http.js";
import { showResult } from "../lib/feedback.js";
import { has, t, timeFormat } from "../lib/i18n.js";
import { reportFailure } from "../lib/report.js";

const REJECTED = new Set(["unknown", "invalid_signature", "revoked", "wrong_fair", "fair_closed"]);
const KNOWN_ERRORS = new Set(["rate_limited", "invalid_input", "forbidden"]);
const NOT_KEPT = new Set(["typo", "unknown", "national_id"]);   // verdicts that are not queued
const SHOW_MS = { ok: 1500, warn: 3500, bad: 6000 };
const RECENT_MAX = 8;
const UNDOABLE = new Set(["ok", "exit_recorded"]);
const UNDO_ARM_MS = 4000;
const SEARCH_DEBOUNCE_MS = 350;
const ROSTER_REFRESH_MS = 5 * 60 * 1000;
const CAMERA_NOTES = { insecure: "camera.insecure", camera_denied: "camera.denied", no_camera: "camera.none",
  camera_failed: "camera.failed", no_video: "camera.failed" };

function clock(iso) {
  const moment = iso ? new Date(iso) : new Date();
  return Number.isNaN(moment.getTime()) ? "" : timeFormat().format(moment);
}

/** The server's answer (socket ack or HTTP body) as a screen: [kind, content, summary]. */
export function describe(answer) {
  if (!answer || typeof answer !== "object") {
    return ["bad", { title: t("error.title"), detail: t("error.detail") }, t("error.title")];
  }
  if (answer.error) {
    const key = KNOWN_ERRORS.has(answer.error) ? answer.error : "error";
    return ["bad", { title: t(`${key}.title`), detail: t(`${key}.detail`) }, t(`${key}.title`)];
  }
  const name = (answer.attendee && answer.attendee.name) || "";
  const known = (kind, subtitle, detail, extra = {}) =>
    [kind, { title: name, subtitle: t(subtitle), detail, ...extra }, `${name} · ${t(subtitle)}`];
  switch (answer.status) {
    case "ok":
      return ["ok", { title: name || t("ok.subtitle"), subtitle: name ? t("ok.subtitle") : "", detail: t("ok.detail") },
        `${name} · ${t("ok.subtitle")}`];
    case "already_inside":
      return known("warn", "already_inside.subtitle", t("already_inside.detail", { time: clock(answer.first_checkin_at) }));
    case "exit_recorded":
      return known("ok", "exit_recorded.subtitle", t("exit_recorded.detail"), { variant: "exit" });
    case "not_inside":
      return known("warn", "not_inside.subtitle", t("not_inside.detail"));
    case "mistyped":
      return typoScreen(answer.problem);
    default: {
      const key = REJECTED.has(answer.status) ? answer.status : "error";
      return ["bad", { title: t(`${key}.title`), subtitle: name, detail: t(`${key}.detail`) }, t(`${key}.title`)];
    }
  }
}

/** A typed code with a typo (cards.code_typo's problem): amber, it is the typing, not the card. */
function typoScreen(problem) {
  const detail = has(`mistyped.${problem}`) ? t(`mistyped.${problem}`) : t("offline.bad_code_detail");
  return ["warn", { title: t("mistyped.title"), detail }, t("mistyped.title")];
}

/**
 * This gate's line of the gate room's `stats` (disclosure.stats for gates):
 * {entries: its accepted entries today, inside: people inside now}; null for
 * a number the message does not carry. A gate with no scans today is not in
 * the list yet: 0 entries.
 */
export function gateCounts(stats, deviceId) {
  const number = (n) => (typeof n === "number" && Number.isFinite(n) ? n : null);
  if (!stats || typeof stats !== "object") return { entries: null, inside: null };
  const gates = Array.isArray(stats.gates) ? stats.gates : null;
  const mine = gates ? gates.find((g) => g && g.device_id === deviceId) : null;
  return { entries: gates ? (mine ? number(mine.entries) : 0) : null, inside: number(stats.inside) };
}

/** An accepted entry or exit the server answered: the recent list offers to undo it. */
export function undoable(answer) {
  return Boolean(answer && answer.checkin_id && UNDOABLE.has(answer.status));
}

/** The server's answer to an undo as a screen: amber, saying where the person is now. */
export function describeUndo(answer) {
  const name = (answer && answer.attendee && answer.attendee.name) || "";
  const subtitle = t(answer && answer.kind === "exit" ? "undo.exit_done" : "undo.entry_done");
  const detail = t(answer && answer.inside ? "undo.now_inside" : "undo.now_outside");
  return ["warn", { title: name || subtitle, subtitle: name ? subtitle : "", detail }, `${name} · ${subtitle}`];
}

/**
 * Typed text: a code to check ("code") or a person to look for ("search"):
 * a name (Thai or Latin letters, no digits) or a phone number (9 or 10 digits,
 * or +66). A valid manual code, a token or 13 digits stay codes; so does
 * anything with a typo the card check can name (it says so).
 */
export function routeTyped(text) {
  const value = String(text || "").trim();
  if (!value || value.toUpperCase().startsWith(TOKEN_PREFIX) || manualCodeOk(value) || isNationalId(value)) return "code";
  if (codeTypo(value)) return "code";
  const digits = value.replace(/[\s\-().]/g, "");
  if (/^(\+66|0)[0-9]{8,9}$/.test(digits)) return "search";
  if (/[\u0E01-\u0E2E]/.test(value) || /^[\p{L}\s.'\-]{2,}$/u.test(value)) return "search";
  return "code";
}

/** One search result's second line: reference, the phone's last digits, inside already. */
export function searchFacts(result) {
  const facts = [result.ref];
  if (result.phone_last3) facts.push(t("search.phone", { digits: result.phone_last3 }));
  if (result.inside) facts.push(t("search.inside"));
  return facts.join(" · ");
}

/**
 * What the phone alone says about a code (lib/card-check.js verdict) as a screen;
 * for a genuine card, seen is lib/gate-memory.js's offlineScan answer (the
 * person's short name, a replaced card, a repeat) and kind the gate's mode.
 * "Accepted offline" is never the green "Welcome": its own colour and words.
 */
export function describeOffline(check, seen = null, kind = "entry") {
  const screen = (kind, title, detail, extra = {}) => [kind, { title: t(title), detail: t(detail), ...extra }, t(title)];
  switch (check.verdict) {
    case "genuine": {
      const name = (seen && seen.person && seen.person.name) || t("offline.name", { serial: check.serial });
      if (seen && seen.revoked) {
        return ["bad", { title: t("revoked.title"), subtitle: name, detail: t("revoked.detail") }, t("revoked.title")];
      }
      if (seen && seen.repeat) {
        return ["warn", { title: t("offline.repeat"), subtitle: name, variant: "offline",
          detail: t("offline.repeat_detail", { time: clock(seen.repeat.at) }) }, `${name} · ${t("offline.repeat")}`];
      }
      const said = kind === "exit" ? "offline.exit" : "offline.ok";
      return ["ok", { title: name, subtitle: t(said), detail: t(kind === "exit" ? "offline.exit_detail" : "offline.ok_detail"),
        variant: "offline" }, `${name} · ${t(said)}`];
    }
    case "unverified":
      return screen("warn", "offline.unverified", "offline.unverified_detail");
    case "typed":
      return screen("warn", "offline.unverified", "offline.code_detail");
    case "national_id":
      return screen("bad", "offline.id_needs_network", "offline.id_needs_network_detail");
    case "typo":
      return check.problem ? typoScreen(check.problem) : screen("bad", "offline.bad_code", "offline.bad_code_detail");
    case "forged":
      return screen("bad", "invalid_signature.title", "invalid_signature.detail");
    default:
      return screen("bad", `${check.verdict}.title`, `${check.verdict}.detail`);
  }
}

export function init(config) {
  const el = (id) => document.getElementById(id);
  let mode = localStorage.getItem("gate-mode") === "exit" ? "exit" : "entry";

  // --- what the staff see ----------------------------------------------------------

  const show = (kind, content) => showResult({ ...content, kind, ms: SHOW_MS[kind] });

  function remember(kind, text, tag = "", answer = null) {
    const list = el("recent");
    const item = document.createElement("li");
    item.dataset.kind = kind;
    const time = document.createElement("time");
    time.textContent = clock();
    const words = document.createElement("span");
    words.className = "words";
    words.textContent = text;
    item.append(time, words);
    const small = document.createElement("span");
    small.className = "tag";
    small.textContent = tag;
    item.append(small);
    if (answer && answer.checkin_id) item.dataset.checkinId = String(answer.checkin_id);
    if (undoable(answer)) item.append(undoButton(item, answer));
    list.prepend(item);
    while (list.children.length > RECENT_MAX) list.lastElementChild.remove();
  }

  function display([kind, content, summary], tag = "", answer = null) {
    show(kind, content);
    remember(kind, summary, tag, answer);
  }

  // --- undo: a wrong entry or exit, from the recent list (a correction on the server) ---

  /** Two taps: the first arms the button for a few seconds, the second sends. */
  function undoButton(item, answer) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "undo";
    button.textContent = t("undo.button");
    let disarm = null;
    button.addEventListener("click", () => {
      if (button.dataset.armed !== "1") {
        button.dataset.armed = "1";
        button.textContent = t("undo.confirm");
        disarm = setTimeout(() => { button.dataset.armed = ""; button.textContent = t("undo.button"); }, UNDO_ARM_MS);
        return;
      }
      clearTimeout(disarm);
      button.disabled = true;
      undo(item, answer).finally(() => { button.disabled = false; });
    });
    return button;
  }

  async function undo(item, answer) {
    let result;
    try {
      result = await requestJson(config.undoUrl.replace("/0/", `/${answer.checkin_id}/`),
        { method: "POST", json: {}, token, timeoutMs: 5000 });
    } catch (err) {
      show("bad", { title: t("undo.failed"), detail: t("undo.needs_network") });
      return;
    }
    if (!result.ok) {
      show("bad", { title: t("undo.failed"), detail: (result.body && result.body.message) || t("error.detail") });
      return;
    }
    markUndone(item);
    display(describeUndo(result.body));
  }

  function markUndone(item) {
    item.dataset.undone = "1";
    item.querySelector(".tag").textContent = t("recent.undone");
    const button = item.querySelector("button.undo");
    if (button) button.remove();
  }

  function undoneElsewhere(event) {
    const item = document.querySelector(`#recent li[data-checkin-id="${Number(event.checkin_id)}"]`);
    if (item && item.dataset.undone !== "1") markUndone(item);
  }

  // --- sending ---------------------------------------------------------------------

  const token = config.pageToken || null;   // an old page cached without one still works with the cookie
  const checkIn = (body, timeoutMs) => requestJson(config.checkinsUrl, { method: "POST", json: body, token, timeoutMs });
  const queue = new OfflineQueue(config.queueName);
  let sender = null;
  const live = connectLive({ token, onStatus: (state) => setOnline(state === "online"), onEvents, onStats });

  function onStats(stats) {
    const { entries, inside } = gateCounts(stats, config.deviceId);
    if (entries !== null) el("count-entries").textContent = entries.toLocaleString();
    if (inside !== null) el("count-inside").textContent = inside.toLocaleString();
  }

  const memory = createGateMemory();

  function onEvents(events) {
    for (const event of events || []) {
      memory.noteServer(event);
      if (event.type === "checkin_undo") undoneElsewhere(event);
    }
  }

  /** This gate's own answers count as heard, whether they came by socket or HTTP. */
  function noteAnswer(answer) {
    if (answer && answer.status) memory.noteServer({ type: "checkin", id: answer.checkin_id, status: answer.status, attendee: answer.attendee });
  }
  sender = createScanSender({ queue, live, replay: (item, { timeoutMs }) => checkIn(item.body, timeoutMs) });
  const checkCard = createCardCheck({ publicKey: config.publicKey, keyTag: config.keyTag });

  let wasOnline = false;
  function setOnline(online) {
    el("net-online").hidden = !online;
    el("net-offline").hidden = online;
    if (online && sender) sender.drain();
    if (online && !wasOnline) fetchRoster();   // fresh names for the next time the network goes
    wasOnline = online;
  }

  async function handleCode(code) {
    const body = { code, nonce: newNonce(), type: mode, scanned_at: new Date().toISOString() };
    let check = null;
    const outcome = await sender.send({ nonce: body.nonce, scanned_at: body.scanned_at, body }, {
      socket: body,
      http: (timeoutMs) => checkIn(body, timeoutMs),
      keep: async () => { check = await checkCard(code); return !NOT_KEPT.has(check.verdict); },
    });
    if (outcome.via !== "offline") {
      noteAnswer(outcome.answer);
      display(describe(outcome.answer), "", outcome.answer);
      return;
    }
    // keep() ran: check is set. A genuine card is named from the roster, and a second entry flagged.
    const seen = check.verdict === "genuine" ? memory.offlineScan(check.serial, mode) : null;
    display(describeOffline(check, seen, mode), outcome.queued ? t("recent.queued") : "");
  }

  // --- the roster: names for offline scans, in memory only (lib/gate-memory.js) -----------

  async function fetchRoster() {
    try {
      const result = await requestJson(config.rosterUrl, { token, timeoutMs: 15000 });
      if (result.ok && memory.loadRoster(result.body)) {
        const note = el("roster-note");
        note.textContent = t("roster.ready", { n: memory.size.toLocaleString(), time: clock() });
        note.dataset.size = String(memory.size);
      }
    } catch (err) {
      console.warn("gate: the roster was not fetched (offline scans name cards by number)", err);
    }
  }

  queue.addEventListener("change", (event) => {
    const { pending, failed, held } = event.detail;
    const badge = el("queue");
    badge.hidden = pending === 0;
    badge.textContent = t("queue.pending", { n: pending });
    const refused = el("refused");
    refused.hidden = failed === 0;
    refused.textContent = `${t("queue.failed", { n: failed })} ✕`;
    const notice = el("held");
    notice.hidden = !held;
    notice.textContent = held ? t("queue.held", { n: pending }) : "";
    if (held) {                 // not a gate any more: it keeps no names
      memory.clear();
      el("roster-note").textContent = "";
    }
  });

  // Every queued scan that left the queue: "synced" only when the server recorded it
  // (its answer may still be a refusal, e.g. an unknown card: recorded, shown red).
  queue.addEventListener("result", (event) => {
    const { answer, delivered } = event.detail;
    const body = (answer && answer.body) || null;
    if (delivered) {
      const [kind, , summary] = describe(body);
      remember(kind, summary, t("recent.replayed"), body);
    } else {
      const [, , summary] = describe({ error: (body && body.error) || "error" });
      remember("bad", summary, t("recent.not_recorded"));
    }
  });

  // The count of refusals is all that is kept (no codes); the staff dismiss it once read.
  el("refused").addEventListener("click", () => {
    queue.clearFailed().catch((err) => {
      show("bad", { title: t("error.title"), detail: t("error.detail") });
      reportFailure("gate: the refusals could not be cleared", err);
    });
  });

  // --- entry / exit ------------------------------------------------------------------

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

  // --- scanning ----------------------------------------------------------------------

  const scanner = createScanner({
    video: el("video"),
    fileInput: el("photo"),
    manualInput: el("manual"),
    decodeUrl: config.decodeUrl,
    token,
    onCode: (code) => {
      handleCode(code).catch((err) => {
        show("bad", { title: t("error.title"), detail: t("error.detail") });
        reportFailure("gate: the scan was not handled", err);
      });
    },
    onError: ({ source, error, message }) => {
      if (source === "camera") return;  // reported once by start()
      const known = ["no_code", "bad_image", "too_large", "network"].includes(error);
      show(error === "no_code" ? "warn" : "bad", {
        title: known ? t(`photo.${error}`) : t("error.title"), detail: known ? "" : message || t("error.detail"),
      });
    },
  });

  el("manual-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = el("manual");
    const text = input.value.trim();
    input.value = "";
    input.blur();                       // the phone keyboard would cover the answer
    if (!text) return;
    if (routeTyped(text) === "search") {
      // A name or a phone number typed where codes go: look the person up instead.
      el("search-box").open = true;
      el("search").value = text;
      runSearch(text);
      return;
    }
    scanner.submitManual(text);
  });

  // --- no card: find the person by name or phone, confirm, check in ---------------------

  let searchTimer = null;
  let searchSeq = 0;

  function searchNote(text) { el("search-note").textContent = text; }

  async function runSearch(text) {
    const seq = ++searchSeq;
    const list = el("search-results");
    if (text.trim().length < 2) { list.replaceChildren(); searchNote(""); return; }
    searchNote(t("search.searching"));
    let result;
    try {
      result = await requestJson(`${config.searchUrl}?q=${encodeURIComponent(text)}`, { token, timeoutMs: 5000 });
    } catch (err) {
      if (seq === searchSeq) { list.replaceChildren(); searchNote(t("search.needs_network")); }
      return;
    }
    if (seq !== searchSeq) return;     // a later keystroke's search answers instead
    if (!result.ok) { list.replaceChildren(); searchNote((result.body && result.body.message) || t("search.failed")); return; }
    const people = result.body.results || [];
    searchNote(people.length ? "" : t("search.none"));
    list.replaceChildren(...people.map((person) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.ref = person.ref;
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = person.name;
      const facts = document.createElement("span");
      facts.className = "facts";
      facts.textContent = searchFacts(person);
      button.append(who, facts);
      button.addEventListener("click", () => askToConfirm(person));
      item.append(button);
      return item;
    }));
  }

  el("search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    const text = el("search").value;
    searchTimer = setTimeout(() => runSearch(text), SEARCH_DEBOUNCE_MS);
  });
  el("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    el("search").blur();
    runSearch(el("search").value);
  });

  let confirming = null;

  function askToConfirm(person) {
    confirming = person;
    const exit = mode === "exit";
    el("confirm-title").textContent = t(exit ? "confirm.exit" : "confirm.entry", { name: person.name });
    el("confirm-detail").textContent = `${searchFacts(person)}. ${t("confirm.ask")}`;
    const warning = el("confirm-warning");
    warning.hidden = !(person.inside && !exit);
    warning.textContent = warning.hidden ? "" : t("confirm.inside");
    el("confirm-yes").textContent = t(exit ? "confirm.yes_exit" : "confirm.yes_entry");
    el("confirm").hidden = false;
    el("confirm-yes").focus();
  }

  function closeConfirm() {
    el("confirm").hidden = true;
    confirming = null;
  }

  el("confirm-no").addEventListener("click", closeConfirm);
  el("confirm-yes").addEventListener("click", () => {
    const person = confirming;
    closeConfirm();
    if (!person) return;
    el("search").value = "";
    el("search-results").replaceChildren();
    el("search-box").open = false;
    handlePerson(person).catch((err) => {
      show("bad", { title: t("error.title"), detail: t("error.detail") });
      reportFailure("gate: the check-in of a person found by search was not handled", err);
    });
  });

  /** The person picked from a search goes out like a scan (same nonce rules, same answer). */
  async function handlePerson(person) {
    const body = { attendee: person.ref, nonce: newNonce(), type: mode, scanned_at: new Date().toISOString() };
    const outcome = await sender.send({ nonce: body.nonce, scanned_at: body.scanned_at, body }, {
      socket: body, http: (timeoutMs) => checkIn(body, timeoutMs),
    });
    if (outcome.via !== "offline") {
      noteAnswer(outcome.answer);
      display(describe(outcome.answer), "", outcome.answer);
      return;
    }
    display(["warn", { title: t("offline.person", { name: person.name }), detail: t("offline.person_detail"),
      variant: "offline" }, t("offline.person", { name: person.name })], outcome.queued ? t("recent.queued") : "");
  }

  scanner.start().then(({ camera, reason }) => {
    el("scanner").hidden = !camera;
    el("photo-button").hidden = camera;
    el("camera-note").textContent = camera ? "" : t(CAMERA_NOTES[reason] || "camera.failed");
  });

  sender.drain();
  fetchRoster();
  const rosterTimer = setInterval(() => { if (live.online) fetchRoster(); }, ROSTER_REFRESH_MS);
  window.addEventListener("pagehide", () => { scanner.stop(); clearInterval(rosterTimer); });
  return { sender, queue, live, scanner, memory };
}
