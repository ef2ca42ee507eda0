/**
 * pages/booth.js: a recruiter's phone at a booth (/booth).
 *
 * Scan a card (lib/scanner.js: camera, barcode scanner, photo, typed code),
 * see the candidate as the server allows (consent-filtered) with the match
 * to the booth's jobs, then qualify the lead in a tap or two: rating, next
 * step, tags, job applied for, a note (pages/booth-view.js draws all that).
 *
 * Scans and edits go out by the one scan-sender policy (lib/scan-sender.js):
 * a scan over the live socket (ack = the HTTP API's answer), else POST
 * /api/v1/booths/<code>/scans; an edit as PATCH .../leads/<id>; when neither
 * gets through, into the offline queue (IndexedDB, with its nonce), replayed
 * over HTTP, in order, later. Nothing overtakes what waits in the queue, so
 * an edit is never sent before the scan that created its lead. An edit made
 * on a scan that is still queued names that scan's nonce; the replay finds
 * the lead id from the scan's answer (kept in localStorage, so a reload
 * between the two loses nothing).
 *
 * A lead scanned by mistake is deleted (after a confirmation) straight over
 * HTTP: DELETE .../leads/<id>, which needs the network; the booth's other
 * phones drop it on the `lead_deleted` event. Edits of a deleted lead still
 * waiting in the queue are dropped with a message, never replayed
 * (pages/booth-queue.js); one replayed before the phone knew gets a final
 * 410 "lead_deleted", which drops the lead and the rest of its edits too.
 *
 * config (fair/booths/pages.py booth_page): booth, scan_url, lead_url, jobs,
 * tags, next_steps, education, provinces, questions, questions_url,
 * max_questions, leads, page_token. Writes, replays, photos and
 * the socket authenticate with the page token, not the cookie session, whose
 * CSRF secret another tab or a racing request can change under the page. A
 * national ID typed while offline is not queued (IndexedDB keeps it in clear).
 */
import { createScanner } from "../lib/scanner.js";
import { OfflineQueue } from "../lib/offline-queue.js";
import { createScanSender, newNonce } from "../lib/scan-sender.js";
import { isNationalId } from "../lib/card-check.js";
import { connectLive } from "../lib/live.js";
import { requestJson } from "../lib/http.js";
import { showResult } from "../lib/feedback.js";
import { has, t, tFirst, timeFormat } from "../lib/i18n.js";
import { reportFailure } from "../lib/report.js";
import { createBoothView, mergeAnswers } from "./booth-view.js";
import { init as initHall } from "./booth-hall.js";
import { init as initQuestions } from "./booth-questions.js";
import { isEditOf, leadDeleted, leadOfItem, scanOfDeletedLead } from "./booth-queue.js";

const BAD_STATUSES = ["unknown", "invalid_signature", "revoked", "wrong_fair"];
const LEAD_MAP_LIMIT = 300;

/** Scan nonce -> lead id in localStorage, for edits queued behind a queued scan. */
function leadMapIn(key) {
  const read = () => {
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (err) { return {}; }   // none yet, or not JSON
  };
  return {
    get: (nonce) => read()[nonce],
    set(nonce, leadId) {
      if (!nonce || leadId == null) return;
      const map = read();
      map[nonce] = leadId;
      const keys = Object.keys(map);
      for (const k of keys.slice(0, Math.max(0, keys.length - LEAD_MAP_LIMIT))) delete map[k];
      try {
        localStorage.setItem(key, JSON.stringify(map));
      } catch (err) {
        console.warn("booth: the scan-to-lead map is kept for this visit only", err);   // private mode, full storage
      }
    },
  };
}

export function init(page) {
  const $ = (id) => document.getElementById(id);
  const token = page.page_token || null;
  const leads = new Map(page.leads.map((lead) => [lead.id, lead]));  // lead id -> lead view (as the server sent it)
  const leadMap = leadMapIn(`fair-booth-${page.booth}-scan-leads`);
  const deleted = new Set();          // lead ids deleted here or on another phone: late echoes stay out
  const view = createBoothView(page, { onOpenLead: openLead, onDelete: deleteCurrent });
  let current = null;                 // {leadId, scanNonce, lead, candidate, matches, queued, status}
  let sender = null;

  const post = (url, json, timeoutMs) => requestJson(url, { method: "POST", json, token, timeoutMs });
  const patch = (leadId, json, timeoutMs) =>
    requestJson(page.lead_url + leadId, { method: "PATCH", json, token, timeoutMs });

  // --- offline queue ----------------------------------------------------------------

  const queue = new OfflineQueue(`fair-queue-booth-${page.booth}`);

  queue.addEventListener("change", (event) => {
    const { pending, failed, held } = event.detail;
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
    if (delivered) return;          // scans are shown by replay, edits update the list
    const body = (answer && answer.body) || {};
    if (leadDeleted(answer && answer.status, body)) {
      // Deleted while this phone was offline (or before it heard): drop it here, and its other edits.
      removeLead(leadOfItem(item, leadMap.get), { silent: true });
      showResult({ kind: "warn", title: t("lead.deleted"), subtitle: t("queue.lead_deleted"), ms: 4000 });
      return;
    }
    const reason = has(`status.${body.error}`) ? t(`status.${body.error}`) : body.message || "";
    showResult({ kind: "bad", title: t("queue.refused"), subtitle: reason, ms: 3000 });
    if (current && item.body.op === "scan" && current.scanNonce === item.nonce) {
      current.queued = false;
      current.status = "refused";
      render({ scroll: false });
    }
  });

  /** Replays one queued scan or edit over HTTP; the queue decides from the answer's status. */
  async function replay(item, { timeoutMs }) {
    if (item.body.op === "scan") {
      const { payload } = item.body;
      const result = await post(page.scan_url, payload, timeoutMs);
      if (result.ok) showAnswer(result.body, item.nonce, { replayed: true, code: payload.code });
      return result;
    }
    const leadId = item.body.lead_id != null ? item.body.lead_id : leadMap.get(item.body.scan_nonce);
    if (leadId == null) return { status: 410, body: { error: "no_lead", message: t("queue.no_lead") } };
    const result = await patch(leadId, { ...item.body.fields, nonce: item.nonce }, timeoutMs);
    if (result.ok && result.body.lead) receiveLead(result.body.lead, { fromSelf: true });
    return result;
  }

  $("failed-badge").addEventListener("click", async () => {
    const list = $("failed-list");
    const open = list.hidden;
    list.hidden = !open;
    $("failed-badge").setAttribute("aria-expanded", String(open));
    list.replaceChildren();
    if (!open) return;
    let failed;
    try {
      failed = await queue.failed();
    } catch (err) {
      list.append(view.item(t("status.error")));
      reportFailure("booth: the refused items could not be read", err);
      return;
    }
    // Only summaries are kept (no codes): what kind of item, when, and the server's reason.
    for (const { kind, answer, failed_at: failedAt } of failed) {
      const what = kind === "edit" ? t("failed.edit") : t("failed.scan");
      const message = (answer && answer.message) || String(answer && answer.status);
      list.append(view.item(`${failedAt ? timeFormat().format(new Date(failedAt)) : ""} ${what}: ${message}`.trim()));
    }
    list.append(view.item(view.button(t("failed.clear"), () => {
      queue.clearFailed().catch((err) => {
        showResult({ kind: "bad", title: t("status.error"), ms: 3000 });
        reportFailure("booth: the refused items could not be dismissed", err);
      });
    })));
  });

  // --- live socket ----------------------------------------------------------------

  const hall = initHall(page);
  const live = connectLive({
    token,
    onStatus(state) {
      showLiveStatus(state);
      if (state === "online" && sender) sender.drain();
    },
    onEvents(events) {
      hall.onEvents(events);
      for (const event of events) {
        if (event.type === "lead" && event.lead && event.lead.booth === page.booth) receiveLead(event.lead);
        if (event.type === "lead_deleted" && event.booth === page.booth) removeLead(event.id, { elsewhere: true });
        if (event.type === "questions" && event.booth === page.booth) questions.replace(event.questions || []);
      }
    },
  });
  sender = createScanSender({ queue, live, replay });

  function showLiveStatus(state) {
    const el = $("live-status");
    el.dataset.state = state;
    el.textContent = state === "online" ? t("live.online") : t("live.offline");
  }

  // --- scanning ---------------------------------------------------------------------

  async function onCode(code) {
    const nonce = newNonce();
    const body = { code, nonce, scanned_at: new Date().toISOString() };
    const outcome = await sender.send({ nonce, scanned_at: body.scanned_at, body: { op: "scan", payload: body } }, {
      socket: body,
      http: (timeoutMs) => post(page.scan_url, body, timeoutMs),
      keep: () => !isNationalId(code),     // not kept on the phone in clear: the recruiter asks for the card
    });
    if (outcome.via !== "offline") {
      showAnswer(outcome.answer, nonce);
      return;
    }
    if (!live.online) showLiveStatus("offline");  // the socket may still be "connecting"; we know better now
    if (!outcome.queued) {
      showResult({ kind: "bad", title: t("scan.id_needs_network"), subtitle: t("scan.id_needs_network_detail"), ms: 4000 });
      return;
    }
    current = { leadId: null, scanNonce: nonce, lead: null, candidate: null, matches: null, queued: true };
    render();
    showResult({ kind: "warn", title: t("scan.queued"), subtitle: t("scan.queued_detail"), ms: 1500 });
  }

  /**
   * Show the answer to a scan. replayed: it comes from the offline queue, maybe
   * long after; then only the card still on screen is refreshed, keeping the
   * edits the recruiter made meanwhile (they replay right after the scan).
   */
  function showAnswer(answer, nonce, { replayed = false, code = "" } = {}) {
    const onScreen = current && current.scanNonce === nonce;
    if (replayed && scanOfDeletedLead(answer)) {
      // The server had this scan already, and its lead was deleted since: nothing to show or edit.
      dropQueuedEdits({ scanNonce: nonce });
      if (onScreen) { current = null; render(); }
      showResult({ kind: "warn", title: t("lead.deleted"), subtitle: t("queue.lead_deleted"), ms: 4000 });
      return;
    }
    if (!answer || answer.error) {
      const title = answer ? tFirst([`status.${answer.error}`, "status.error"]) : t("status.error");
      showResult({ kind: "bad", title, subtitle: (answer && answer.message) || "", detail: code, ms: 3000 });
      return;
    }
    if (BAD_STATUSES.includes(answer.status)) {
      showResult({ kind: "bad", title: t(`status.${answer.status}`), detail: code, ms: 3000 });
      if (onScreen) { current = null; render(); }
      return;
    }
    leadMap.set(nonce, answer.lead_id);
    if (answer.lead) upsertLead(answer.lead);
    if (replayed && !onScreen) return;
    const localEdits = replayed && current.lead ? current.lead : {};
    current = {
      leadId: answer.lead_id, scanNonce: nonce,
      lead: { ...(answer.lead || leads.get(answer.lead_id) || {}), ...localEdits },
      candidate: answer.candidate, matches: answer.matches || [], queued: false, status: answer.status,
    };
    render({ scroll: !replayed });
    if (!replayed) {
      showResult({
        kind: answer.status === "ok" ? "ok" : "warn",
        title: view.candidateTitle(answer.candidate),
        subtitle: answer.status === "ok" ? t("scan.ok") : t("scan.updated"),
        ms: 1200,
      });
    }
  }

  const scanner = createScanner({
    video: $("scanner-video"),
    fileInput: $("photo-input"),
    manualInput: $("manual-code"),
    token,
    onCode: (code) => {
      onCode(code).catch((err) => {
        showResult({ kind: "bad", title: t("status.error"), detail: code, ms: 3000 });
        reportFailure("booth: the scan was not handled", err);
      });
    },
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

  // --- qualifying the lead on screen ------------------------------------------------

  function render(options) {
    view.renderCandidate(current, options);
  }

  /** Apply an edit here at once, then send it (or queue it) with its own nonce. */
  async function edit(fields) {
    if (!current) return;
    const nonce = newNonce();
    const { leadId } = current;
    if (leadId != null && deleted.has(leadId)) return;   // gone: nothing to send, nothing to queue
    const local = (lead) => ({ ...lead, ...fields, ...(fields.answers ? { answers: mergeAnswers(lead.answers, fields.answers) } : {}) });
    current.lead = local(current.lead || {});
    if (leadId != null) upsertLead({ ...local(leads.get(leadId) || {}), id: leadId });
    const item = {
      nonce, scanned_at: new Date().toISOString(),
      body: { op: "edit", lead_id: leadId, scan_nonce: current.scanNonce, fields },
    };
    if (leadId == null) {           // its scan is still queued: the edit goes behind it
      await sender.enqueue(item);
      view.setSaveState("save.queued");
      return;
    }
    view.setSaveState("save.sending");
    const outcome = await sender.send(item, { http: (timeoutMs) => patch(leadId, { ...fields, nonce }, timeoutMs) });
    if (outcome.via === "offline") {
      view.setSaveState("save.queued");
    } else if (leadDeleted(outcome.status, outcome.answer)) {
      removeLead(leadId, { silent: true });   // deleted elsewhere, and this phone missed the event
      showResult({ kind: "warn", title: t("lead.deleted"), subtitle: t("lead.deleted_elsewhere"), ms: 4000 });
    } else if (!outcome.ok) {
      view.setSaveState("save.failed", { message: outcome.answer.message || outcome.status });
    } else {
      if (outcome.answer.lead) receiveLead(outcome.answer.lead, { fromSelf: true });
      view.setSaveState("save.saved");
    }
  }

  function change(fields, { redraw = false } = {}) {
    edit(fields).catch((err) => {
      view.setSaveState("save.failed", { message: err.message });
      reportFailure("booth: the edit was not saved", err);
    });
    if (redraw) view.renderForm(current, { keepNotes: true });
  }

  view.onEdit((what) => {
    if (!current) return;
    const { tags, notes } = view.formValues(current);
    if (what.rating) change({ rating: what.rating }, { redraw: true });
    else if (what.step) change({ next_step: what.step }, { redraw: true });
    else if (what.toggleTag !== undefined) {
      const tag = what.toggleTag;
      change({ tags: tags.includes(tag) ? tags.filter((x) => x !== tag) : [...tags, tag] }, { redraw: true });
    } else if (what.addTag) {
      if (!tags.includes(what.addTag)) change({ tags: [...tags, what.addTag] }, { redraw: true });
    } else if (what.answer) {
      change({ answers: { [String(what.answer.id)]: what.answer.value } }, { redraw: true });
    } else if (what.jobRef) change({ job_ref: what.jobRef });
    // A note is sent when the box loses focus or on the button, once per change.
    else if (what.notes !== undefined && what.notes !== notes) change({ notes: what.notes });
  });

  // --- the booth's lead list, live --------------------------------------------------

  function upsertLead(lead) {
    if (deleted.has(lead.id)) return false;
    const known = leads.get(lead.id);
    // An echo of an older write must not undo a newer one already shown.
    if (known && known.updated_at && lead.updated_at && lead.updated_at < known.updated_at) return false;
    leads.set(lead.id, { ...(known || {}), ...lead });
    view.renderList(leads);
    return true;
  }

  /** A lead view from the server (our own answer or another phone's event). */
  function receiveLead(lead, { fromSelf = false } = {}) {
    if (!upsertLead(lead)) return;
    if (current && current.leadId === lead.id) {
      current.lead = leads.get(lead.id);
      if (lead.candidate) current.candidate = lead.candidate;
      if (!fromSelf) view.renderForm(current, { keepNotes: document.activeElement === $("notes") });
    }
  }

  /**
   * Take a deleted lead's edits still waiting out of the queue (never replayed: each could
   * only be refused); each leaves a "not recorded" entry saying why. Resolves how many.
   */
  function dropQueuedEdits(target) {
    const answer = { status: 410, body: { error: "lead_deleted", message: t("queue.lead_deleted") } };
    return queue.discard((item) => isEditOf(item, target, leadMap.get), answer).catch((err) => {
      reportFailure("booth: the deleted lead's queued edits could not be dropped", err);
      return 0;
    });
  }

  /**
   * Drop a deleted lead from the list, from the screen if it is the one shown, and its
   * queued edits. silent: the caller says why itself.
   */
  function removeLead(id, { elsewhere = false, silent = false } = {}) {
    if (id == null) return;
    deleted.add(id);
    leads.delete(id);
    view.renderList(leads);
    const onScreen = current && current.leadId === id;
    if (onScreen) {
      current = null;
      render();
    }
    dropQueuedEdits({ leadId: id }).then((dropped) => {
      if (silent) return;
      if (dropped) {
        showResult({ kind: "warn", title: t("lead.deleted"), subtitle: t("queue.dropped", { n: dropped }), ms: 4000 });
      } else if (elsewhere && onScreen) {
        showResult({ kind: "warn", title: t("lead.deleted"), subtitle: t("lead.deleted_elsewhere"), ms: 3000 });
      }
    });
  }

  /** The recruiter confirmed: delete the lead on screen (the server audits it). */
  async function deleteCurrent() {
    if (!current || current.leadId == null) return;
    const { leadId } = current;
    let result;
    try {
      result = await requestJson(page.lead_url + leadId, { method: "DELETE", token, timeoutMs: 10000 });
    } catch (err) {
      console.warn("booth: the lead was not deleted (no network)", err);
      view.setSaveState("lead.delete_offline");
      return;
    }
    if (!result.ok && result.status !== 404 && result.status !== 410) {
      view.setSaveState("lead.delete_failed", { message: result.body.message || result.status });
      return;
    }
    removeLead(leadId);             // 404/410: already gone (another phone deleted it)
    showResult({ kind: "ok", title: t("lead.deleted"), ms: 2000 });
  }

  function openLead(id) {
    const lead = leads.get(id);
    if (!lead) return;
    current = { leadId: lead.id, scanNonce: null, lead, candidate: lead.candidate, matches: null, queued: false, status: "" };
    render();
  }

  const questions = initQuestions(page, {
    token,
    onChange(list) {
      page.questions = list;
      if (current) view.renderQuestions(current);
    },
  });
  view.renderList(leads);
  if (current) view.renderQuestions(current);
  // What a reload found waiting in IndexedDB: show the counts, then send it.
  queue.refresh().catch((err) => reportFailure("booth: the offline queue could not be read", err));
  sender.drain();
  return { sender, queue, live, scanner };
}
