/**
 * pages/booth-hall.js: "Best candidates in the hall now" on the booth page.
 *
 *   const hall = init(config);      // pages/booth.js, with the booth's config
 *   hall.onEvents(events);          // the live socket's batches
 *
 * Lists the people inside who fit the booth's jobs best
 * (GET /api/v1/booths/<code>/candidates), refreshed every 30 s and on demand,
 * with an Invite button (POST /api/v1/booths/<code>/invitations). The
 * attendee answers on their card page; the answer arrives as an `invitation`
 * event. Candidates who did not agree to share are shown by pseudonym only
 * (the server already filtered them). Text goes in with textContent only.
 */
import { requestJson } from "../lib/http.js";
import { t } from "../lib/i18n.js";

const REFRESH_MS = 30000;

function statusText(status) {
  return { sent: t("hall.sent"), accepted: t("hall.accepted"), declined: t("hall.declined") }[status] || "";
}

export function init(page) {
  const token = page.page_token || null;
  const list = document.getElementById("hall-list");
  const empty = document.getElementById("hall-empty");
  const base = `/api/v1/booths/${encodeURIComponent(page.booth)}`;

  function render(candidates) {
    list.replaceChildren();
    empty.hidden = candidates.length > 0;
    empty.textContent = t("hall.empty");
    for (const c of candidates) {
      const item = document.createElement("li");
      item.dataset.candidate = c.candidate.pseudonym;
      const title = document.createElement("strong");
      title.className = "hall-name";
      title.textContent = c.candidate.shared && c.candidate.name ? c.candidate.name : c.candidate.pseudonym;
      const score = document.createElement("span");
      score.className = "hall-score";
      score.textContent = t("hall.score", { score: Math.round(c.score) });
      const job = document.createElement("p");
      job.className = "muted hall-job";
      job.textContent = c.title;
      const why = document.createElement("p");
      why.className = "help hall-why";
      why.textContent = (c.reasons || []).slice(0, 2).join(" · ");
      const action = document.createElement("div");
      action.className = "hall-action";
      const state = document.createElement("span");
      state.className = "invitation-status";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-primary";
      button.textContent = t("hall.invite");
      button.addEventListener("click", () => invite(c, button, state));
      if (c.invitation) {
        button.hidden = true;
        state.textContent = statusText(c.invitation.status);
      }
      action.append(button, state);
      item.append(title, score, job, why, action);
      list.append(item);
    }
  }

  async function load() {
    try {
      const result = await requestJson(`${base}/candidates?top=10`, { token });
      if (result.ok) render(result.body.candidates || []);
      else console.warn(`hall: the list was not refreshed (HTTP ${result.status})`, result.body.message || "");
    } catch (err) {
      console.warn("hall: the list was not refreshed, the last one stays", err);   // offline
    }
  }

  async function invite(candidate, button, state) {
    button.disabled = true;
    try {
      const result = await requestJson(`${base}/invitations`, {
        method: "POST", token, json: { candidate: candidate.candidate.pseudonym, job_ref: candidate.job_ref },
      });
      if (!result.ok) throw new Error(`HTTP ${result.status} ${result.body.message || ""}`);
      button.hidden = true;
      state.textContent = statusText(result.body.invitation.status);
    } catch (err) {
      console.warn("hall: the invitation was not sent", err);
      state.textContent = t("hall.failed");
      button.disabled = false;
    }
  }

  function onEvents(events) {
    for (const e of events || []) {
      if (e.type !== "invitation" || !e.invitation || e.invitation.booth !== page.booth) continue;
      const item = Array.from(list.children).find((li) => li.dataset.candidate === e.candidate);
      if (!item) continue;
      item.querySelector("button").hidden = true;
      item.querySelector(".invitation-status").textContent = statusText(e.invitation.status);
    }
  }

  document.getElementById("hall-refresh").addEventListener("click", load);
  setInterval(() => { if (!document.hidden) load(); }, REFRESH_MS);
  load();
  return { onEvents, load };
}
