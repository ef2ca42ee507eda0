/**
 * booth.js: a recruiter's phone at a booth (/booth).
 *
 * Scan a card (scanner.js: camera, barcode scanner, photo, typed code), see
 * the candidate as the server allows (consent-filtered) with the match to the
 * booth's jobs, then qualify the lead in a tap or two: rating, next step,
 * tags, job applied for, a note.
 *
 * Paths to the server, in order of preference:
 *   - a scan goes over the live socket (ack = the HTTP API's answer), else
 *     POST /api/v1/booths/<code>/scans;
 *   - an edit goes as PATCH /api/v1/booths/<code>/leads/<id>;
 *   - when neither gets through, the scan or edit goes to the OfflineQueue
 *     (IndexedDB, with its nonce) and is replayed over HTTP, in order, later.
 * While anything waits in the queue, new scans and edits queue behind it, so
 * an edit is never sent before the scan that created its lead. An edit made
 * on a scan that is still queued names that scan's nonce; the replay finds
 * the lead id from the scan's answer (kept in localStorage, so a reload
 * between the two loses nothing).
 *
 * Writes, replays, photos and the socket authenticate with the page token in
 * the page data (auth.page_token), not the cookie session, whose CSRF secret
 * another tab or a racing request can change under the page. A national ID
 * typed while offline is not queued (IndexedDB keeps it in clear). Every
 * text from the server or an attendee goes into the page with textContent,
 * never innerHTML.
 */
import { createScanner } from "./scanner.js";
import { OfflineQueue, isNationalId, newNonce } from "./offline-queue.js";
import { connectLive } from "./live-socket.js";
import { showResult } from "./feedback.js";
import { t, lang } from "./i18n.js";

const page = JSON.parse(document.getElementById("booth-data").textContent);
const csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
const authHeaders = page.page_token ? { Authorization: `Bearer ${page.page_token}` } : { "X-CSRFToken": csrfToken };
const $ = (id) => document.getElementById(id);

const BAD_STATUSES = ["unknown", "invalid_signature", "revoked", "wrong_fair"];
const LEAD_MAP_KEY = `fair-booth-${page.booth}-scan-leads`;
const LEAD_MAP_LIMIT = 300;

// --- state --------------------------------------------------------------------

const leads = new Map();            // lead id -> lead view (as the server sent it)
for (const lead of page.leads) leads.set(lead.id, lead);
let current = null;                 // {leadId, scanNonce, lead, candidate, matches, queued}
let pendingCount = 0;

// Scan nonce -> lead id, for edits queued behind a queued scan.
function leadMap() {
  try { return JSON.parse(localStorage.getItem(LEAD_MAP_KEY)) || {}; } catch (err) { return {}; }
}
function rememberLead(nonce, leadId) {
  if (!nonce || leadId == null) return;
  const map = leadMap();
  map[nonce] = leadId;
  const keys = Object.keys(map);
  for (const k of keys.slice(0, Math.max(0, keys.length - LEAD_MAP_LIMIT))) delete map[k];
  try { localStorage.setItem(LEAD_MAP_KEY, JSON.stringify(map)); } catch (err) { /* private mode: the queue still works in one visit */ }
}

// --- HTTP ---------------------------------------------------------------------

const SCAN_HTTP_TIMEOUT_MS = 2500;

/** fetch with the page's credentials; timeoutMs aborts a request a dead link would leave hanging. */
function send(method, url, body, timeoutMs = 0) {
  const controller = timeoutMs ? new AbortController() : null;
  const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : null;
  return fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...authHeaders },
    body: JSON.stringify(body),
    signal: controller ? controller.signal : undefined,
  }).finally(() => clearTimeout(timer));
}

function retryable(status) {
  return status >= 500 || status === 408 || status === 429;
}

async function readJson(response) {
  try { return await response.clone().json(); } catch (err) { return {}; }
}

// --- offline queue --------------------------------------------------------------

const queue = new OfflineQueue(`fair-queue-booth-${page.booth}`);

queue.addEventListener("change", (event) => {
  const { pending, failed, held } = event.detail;
  pendingCount = pending;
  const badge = $("queue-badge");
  badge.hidden = pending === 0;
  badge.textContent = t("queue.pending", { n: pending });
  const failedBadge = $("failed-badge");
  failedBadge.hidden = failed === 0;
  failedBadge.textContent = t("queue.failed", { n: failed });
  if (failed === 0) $("failed-list").hidden = true;
  const notice = $("held");
  notice.hidden = !held;
  notice.textContent = held ? t("queue.held", { n: pending }) : "";
});

// A queued scan or edit the server refused without recording it: say so, never "sent".
queue.addEventListener("result", (event) => {
  const { item, answer, delivered } = event.detail;
  if (delivered) return;          // scans are shown by sendQueued, edits update the list
  const body = (answer && answer.body) || {};
  const key = `status.${body.error}`;
  showResult({ kind: "bad", title: t("queue.refused"), subtitle: t(key) !== key ? t(key) : body.message || "", ms: 3000 });
  if (current && item.body.op === "scan" && current.scanNonce === item.nonce) {
    current.queued = false;
    current.status = "refused";
    renderCandidate({ scroll: false });
  }
});

/** Replays one queued scan or edit over HTTP; the queue decides from the answer's status. */
async function sendQueued(item) {
  const { op } = item.body;
  if (op === "scan") {
    const response = await send("POST", page.scan_url, item.body.payload);
    if (response.ok) {
      showAnswer(await readJson(response), item.nonce, { replayed: true, code: item.body.payload.code });
    }
    return response;
  }
  const leadId = item.body.lead_id != null ? item.body.lead_id : leadMap()[item.body.scan_nonce];
  if (leadId == null) return { status: 410, body: { error: "no_lead", message: t("queue.no_lead") } };
  const response = await send("PATCH", page.lead_url + leadId, { ...item.body.fields, nonce: item.nonce });
  if (response.ok) {
    const answer = await readJson(response);
    if (answer.lead) receiveLead(answer.lead, { fromSelf: true });
  }
  return response;
}

async function enqueue(item) {
  await queue.enqueue(item);
  queue.drain(sendQueued).catch(() => {});
}

$("failed-badge").addEventListener("click", async () => {
  const list = $("failed-list");
  const open = list.hidden;
  list.hidden = !open;
  $("failed-badge").setAttribute("aria-expanded", String(open));
  list.replaceChildren();
  if (!open) return;
  // Only summaries are kept (no codes): what kind of item, when, and the server's reason.
  for (const { kind, answer, failed_at: failedAt } of await queue.failed()) {
    const li = document.createElement("li");
    const what = kind === "edit" ? t("failed.edit") : t("failed.scan");
    const message = (answer && answer.message) || String(answer && answer.status);
    li.textContent = `${failedAt ? timeFormat.format(new Date(failedAt)) : ""} ${what}: ${message}`.trim();
    list.append(li);
  }
  const clear = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn";
  button.textContent = t("failed.clear");
  button.addEventListener("click", () => { queue.clearFailed().catch(() => {}); });
  clear.append(button);
  list.append(clear);
});

// --- live socket ----------------------------------------------------------------

const live = startLive({
  token: page.page_token || null,
  onStatus(state) {
    showLiveStatus(state);
    if (state === "online") queue.drain(sendQueued).catch(() => {});
  },
  onEvents(events) {
    // Other modules of the page (hall.js: invitations) listen to the same batches.
    window.dispatchEvent(new CustomEvent("fair:events", { detail: events }));
    for (const event of events) {
      if (event.type === "lead" && event.lead && event.lead.booth === page.booth) receiveLead(event.lead);
    }
  },
});

function showLiveStatus(state) {
  const el = $("live-status");
  el.dataset.state = state;
  el.textContent = state === "online" ? t("live.online") : t("live.offline");
}

/** The live socket, or a stand-in that is never online (scans then go over HTTP or the queue). */
function startLive(options) {
  try {
    return connectLive(options);
  } catch (err) {
    console.error("booth: no live socket", err);   // e.g. the vendored client failed to load
    options.onStatus("offline");
    return { online: false, scan: () => Promise.reject(err), close() {} };
  }
}

// --- scanning -------------------------------------------------------------------

async function onCode(code) {
  const nonce = newNonce();
  const body = { code, nonce, scanned_at: new Date().toISOString() };
  if (pendingCount === 0) {
    if (live.online) {
      try {
        showAnswer(await live.scan(body), nonce);
        return;
      } catch (err) { /* no ack: HTTP next; the nonce makes a double delivery harmless */ }
    }
    // Not when the browser knows it is offline, and not for long: a dead link queues the scan.
    if (navigator.onLine !== false) {
      try {
        const response = await send("POST", page.scan_url, body, SCAN_HTTP_TIMEOUT_MS);
        if (!retryable(response.status)) {
          const answer = await readJson(response);
          showAnswer(response.ok ? answer : { error: answer.error || "error", message: answer.message }, nonce);
          return;
        }
      } catch (err) { /* unreachable or too slow: queue it */ }
    }
  }
  if (!live.online) showLiveStatus("offline");  // the socket may still be "connecting"; we know better now
  if (isNationalId(code)) {
    // Not kept on the phone in clear: the recruiter asks for the card instead.
    showResult({ kind: "bad", title: t("scan.id_needs_network"), subtitle: t("scan.id_needs_network_detail"), ms: 4000 });
    return;
  }
  await enqueue({ nonce, scanned_at: body.scanned_at, body: { op: "scan", payload: body } });
  current = { leadId: null, scanNonce: nonce, lead: null, candidate: null, matches: null, queued: true };
  renderCandidate();
  showResult({ kind: "warn", title: t("scan.queued"), subtitle: t("scan.queued_detail"), ms: 1500 });
}

function candidateTitle(candidate) {
  if (!candidate) return t("scan.queued");
  return candidate.shared && candidate.name ? candidate.name : candidate.pseudonym;
}

/**
 * Show the answer to a scan. replayed: it comes from the offline queue, maybe
 * long after; then only the card still on screen is refreshed, keeping the
 * edits the recruiter made meanwhile (they replay right after the scan).
 */
function showAnswer(answer, nonce, { replayed = false, code = "" } = {}) {
  const onScreen = current && current.scanNonce === nonce;
  if (!answer || answer.error) {
    const key = answer && `status.${answer.error}`;
    const title = key && t(key) !== key ? t(key) : t("status.error");
    showResult({ kind: "bad", title, subtitle: (answer && answer.message) || "", detail: code, ms: 3000 });
    return;
  }
  if (BAD_STATUSES.includes(answer.status)) {
    showResult({ kind: "bad", title: t(`status.${answer.status}`), detail: code, ms: 3000 });
    if (onScreen) { current = null; renderCandidate(); }
    return;
  }
  rememberLead(nonce, answer.lead_id);
  if (answer.lead) upsertLead(answer.lead);
  if (replayed && !onScreen) return;
  const localEdits = replayed && current.lead ? current.lead : {};
  current = {
    leadId: answer.lead_id, scanNonce: nonce,
    lead: { ...(answer.lead || leads.get(answer.lead_id) || {}), ...localEdits },
    candidate: answer.candidate, matches: answer.matches || [], queued: false, status: answer.status,
  };
  renderCandidate({ scroll: !replayed });
  if (!replayed) {
    showResult({
      kind: answer.status === "ok" ? "ok" : "warn",
      title: candidateTitle(answer.candidate),
      subtitle: answer.status === "ok" ? t("scan.ok") : t("scan.updated"),
      ms: 1200,
    });
  }
}

const scanner = createScanner({
  video: $("scanner-video"),
  fileInput: $("photo-input"),
  manualInput: $("manual-code"),
  token: page.page_token || null,
  onCode: (code) => { onCode(code).catch((err) => console.error("booth: scan failed", err)); },
  onError({ source, error, message }) {
    // The server's messages are already translated; the browser's own (camera) are not.
    $("scanner-message").textContent = source === "photo" && message ? message : t(`scanner.${error}`);
  },
});

$("manual-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("manual-code");
  if (input.value.trim()) scanner.submitManual(input.value);
  input.value = "";
});

scanner.start().then(({ camera, reason }) => {
  $("camera-box").hidden = !camera;
  $("photo-button").hidden = camera;
  if (!camera && reason === "insecure") $("scanner-message").textContent = t("scanner.insecure");
});

// --- the candidate card and the qualify form -------------------------------------

function addFact(dl, label, value) {
  if (value == null || value === "" || (Array.isArray(value) && !value.length)) return;
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = Array.isArray(value) ? value.join(", ") : String(value);
  dl.append(dt, dd);
}

function renderCandidate({ scroll = true } = {}) {
  const section = $("candidate");
  if (!current) { section.hidden = true; return; }
  section.hidden = false;
  const c = current.candidate;
  $("cand-title").textContent = candidateTitle(c);
  const status = $("cand-status");
  status.textContent = current.queued ? t("candidate.waiting")
    : current.status === "ok" ? t("scan.ok") : current.status === "updated" ? t("scan.updated")
      : current.status === "refused" ? t("queue.refused") : "";
  status.dataset.state = current.queued ? "queued" : current.status || "";
  status.hidden = !status.textContent;
  $("cand-private").hidden = !c || c.shared;

  const facts = $("cand-facts");
  facts.replaceChildren();
  const skills = $("cand-skills");
  skills.replaceChildren();
  if (c) {
    if (c.shared) addFact(facts, t("fact.number"), c.pseudonym);
    addFact(facts, t("fact.education"), page.education[c.education] || c.education);
    if (c.shared) {
      if (c.experience_years != null) addFact(facts, t("fact.experience"), t("candidate.experience", { n: c.experience_years }));
      addFact(facts, t("fact.phone"), c.phone);
      addFact(facts, t("fact.email"), c.email);
      addFact(facts, t("fact.province"), c.province);
      addFact(facts, t("fact.wants"), c.desired_positions);
    }
    for (const skill of c.skills || []) {
      const li = document.createElement("li");
      li.className = "chip";
      li.textContent = skill;
      skills.append(li);
    }
  }
  renderMatches();
  renderForm({ keepNotes: !scroll && document.activeElement === $("notes") });
  if (scroll) section.scrollIntoView({ behavior: "smooth", block: "start" });
}

function renderMatches() {
  const list = $("cand-matches");
  list.replaceChildren();
  const matches = current && current.matches;
  // null: a queued scan or a lead opened from the list, with no fresh match to show.
  list.hidden = list.previousElementSibling.hidden = matches === null;
  if (!matches || !matches.length) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = t("match.none");
    list.append(li);
    return;
  }
  for (const match of matches) {
    const li = document.createElement("li");
    const head = document.createElement("div");
    head.className = "match-head";
    const title = document.createElement("strong");
    title.textContent = match.title;
    const score = document.createElement("span");
    score.className = "match-score";
    score.textContent = t("match.score", { score: Math.round(match.score) });
    head.append(title, score);
    const meter = document.createElement("meter");
    meter.min = 0; meter.max = 100; meter.value = match.score;
    li.append(head, meter);
    if (match.reasons && match.reasons.length) {
      const reasons = document.createElement("ul");
      reasons.className = "match-reasons";
      for (const reason of match.reasons) {
        const r = document.createElement("li");
        r.textContent = typeof reason === "string" ? reason : reason.text || JSON.stringify(reason);
        reasons.append(r);
      }
      li.append(reasons);
    }
    list.append(li);
  }
}

function formValues() {
  const lead = (current && current.lead) || {};
  return {
    rating: lead.rating || null,
    next_step: lead.next_step || "none",
    tags: lead.tags || [],
    job_ref: lead.job_ref || "",
    notes: lead.notes || "",
  };
}

function renderForm({ keepNotes = false } = {}) {
  const v = formValues();
  for (const b of document.querySelectorAll("[data-rating]")) {
    b.setAttribute("aria-pressed", String(Number(b.dataset.rating) === v.rating));
  }
  for (const b of document.querySelectorAll("[data-step]")) {
    b.setAttribute("aria-pressed", String(b.dataset.step === v.next_step));
  }
  const chips = $("tag-chips");
  chips.replaceChildren();
  for (const tag of [...new Set([...page.tags, ...v.tags])]) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "chip";
    b.dataset.tag = tag;
    b.textContent = tag;
    b.setAttribute("aria-pressed", String(v.tags.includes(tag)));
    chips.append(b);
  }
  $("job-select").value = v.job_ref;
  if (!keepNotes) $("notes").value = v.notes;
  $("save-state").textContent = "";
}

function setSaveState(key, vars) {
  const el = $("save-state");
  el.textContent = t(key, vars);
  el.dataset.state = key.split(".")[1];
}

/** Apply an edit here at once, then send it (or queue it) with its own nonce. */
async function edit(fields) {
  if (!current) return;
  const nonce = newNonce();
  current.lead = { ...(current.lead || {}), ...fields };
  if (current.leadId != null) upsertLead({ ...(leads.get(current.leadId) || {}), ...fields, id: current.leadId });
  const item = {
    nonce, scanned_at: new Date().toISOString(),
    body: { op: "edit", lead_id: current.leadId, scan_nonce: current.scanNonce, fields },
  };
  if (current.leadId == null || pendingCount > 0) {
    await enqueue(item);
    setSaveState("save.queued");
    return;
  }
  setSaveState("save.sending");
  try {
    const response = await send("PATCH", page.lead_url + current.leadId, { ...fields, nonce });
    if (retryable(response.status)) throw new Error(`HTTP ${response.status}`);
    const answer = await readJson(response);
    if (!response.ok) {
      setSaveState("save.failed", { message: answer.message || response.status });
      return;
    }
    if (answer.lead) receiveLead(answer.lead, { fromSelf: true });
    setSaveState("save.saved");
  } catch (err) {
    await enqueue(item);
    setSaveState("save.queued");
  }
}

$("qualify").addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || !current) return;
  if (button.dataset.rating) {
    const rating = Number(button.dataset.rating);
    edit({ rating });
  } else if (button.dataset.step) {
    edit({ next_step: button.dataset.step });
  } else if (button.dataset.tag !== undefined) {
    const tags = formValues().tags;
    const tag = button.dataset.tag;
    edit({ tags: tags.includes(tag) ? tags.filter((x) => x !== tag) : [...tags, tag] });
  } else if (button.id === "tag-add") {
    addFreeTag();
    return;
  } else if (button.id === "notes-save") {
    saveNotes();
    return;
  } else {
    return;
  }
  renderForm({ keepNotes: true });
});

function addFreeTag() {
  const input = $("tag-free");
  const tag = input.value.trim().slice(0, 40);
  input.value = "";
  if (!tag || !current) return;
  const tags = formValues().tags;
  if (!tags.includes(tag)) {
    edit({ tags: [...tags, tag] });
    renderForm({ keepNotes: true });
  }
}

// A note is sent when the box loses focus or on the button, once per change.
function saveNotes() {
  const notes = $("notes").value;
  if (current && notes !== formValues().notes) edit({ notes });
}
$("notes").addEventListener("change", saveNotes);

$("tag-free").addEventListener("keydown", (event) => {
  if (event.key === "Enter") { event.preventDefault(); addFreeTag(); }
});
$("job-select").addEventListener("change", (event) => {
  // The API clears nothing on an empty value, so "no job" is only a starting state.
  if (event.target.value) edit({ job_ref: event.target.value });
});
$("qualify").addEventListener("submit", (event) => event.preventDefault());

// --- the booth's lead list, live -----------------------------------------------

function upsertLead(lead) {
  const known = leads.get(lead.id);
  // An echo of an older write must not undo a newer one already shown.
  if (known && known.updated_at && lead.updated_at && lead.updated_at < known.updated_at) return false;
  leads.set(lead.id, { ...(known || {}), ...lead });
  renderList();
  return true;
}

/** A lead view from the server (our own answer or another phone's event). */
function receiveLead(lead, { fromSelf = false } = {}) {
  if (!upsertLead(lead)) return;
  if (current && current.leadId === lead.id) {
    current.lead = leads.get(lead.id);
    if (lead.candidate) current.candidate = lead.candidate;
    if (!fromSelf) renderForm({ keepNotes: document.activeElement === $("notes") });
  }
}

function stars(rating) {
  return rating ? "★".repeat(rating) + "☆".repeat(5 - rating) : t("leads.unrated");
}

const timeFormat = new Intl.DateTimeFormat(lang() === "th" ? "th-TH" : "en-GB", { hour: "2-digit", minute: "2-digit" });

function renderList() {
  const list = $("lead-list");
  const sorted = [...leads.values()].sort((a, b) => String(b.last_scanned_at || "").localeCompare(String(a.last_scanned_at || "")));
  $("leads-empty").hidden = sorted.length > 0;
  list.replaceChildren(...sorted.slice(0, 100).map((lead) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "lead-item";
    button.dataset.lead = lead.id;
    const name = document.createElement("strong");
    name.textContent = candidateTitle(lead.candidate);
    const meta = document.createElement("span");
    meta.className = "lead-meta";
    const when = lead.last_scanned_at ? timeFormat.format(new Date(lead.last_scanned_at)) : "";
    meta.textContent = [stars(lead.rating), page.next_steps[lead.next_step] || "", when].filter(Boolean).join(" · ");
    button.append(name, meta);
    if (lead.tags && lead.tags.length) {
      const tags = document.createElement("span");
      tags.className = "lead-tags";
      tags.textContent = lead.tags.join(", ");
      button.append(tags);
    }
    li.append(button);
    return li;
  }));
}

$("lead-list").addEventListener("click", (event) => {
  const button = event.target.closest("[data-lead]");
  if (!button) return;
  const lead = leads.get(Number(button.dataset.lead));
  if (!lead) return;
  current = { leadId: lead.id, scanNonce: null, lead, candidate: lead.candidate, matches: null, queued: false, status: "" };
  renderCandidate();
});

renderList();
// What a reload found waiting in IndexedDB: show the counts, then send it.
Promise.all([queue.pending(), queue.failed()]).then(([pending, failed]) => {
  pendingCount = pending;
  queue.dispatchEvent(new CustomEvent("change", { detail: { pending, failed: failed.length } }));
  queue.drain(sendQueued).catch(() => {});
});
