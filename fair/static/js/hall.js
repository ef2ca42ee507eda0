/**
 * hall.js: "Best candidates in the hall now" on the booth page.
 *
 * Lists the people inside who fit the booth's jobs best
 * (GET /api/v1/booths/<code>/candidates), refreshed every 30 s and on demand,
 * with an Invite button (POST /api/v1/booths/<code>/invitations). The
 * attendee answers on their card page; the answer arrives as an `invitation`
 * event, which booth.js re-dispatches on window as "fair:events".
 * Candidates who did not agree to share are shown by pseudonym only (the
 * server already filtered them). Text goes in with textContent only.
 */
import { t } from "./i18n.js";

const page = JSON.parse(document.getElementById("booth-data").textContent);
const csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
// The booth's page token (auth.page_token), as booth.js sends it; the cookie and CSRF token otherwise.
const authHeaders = page.page_token ? { Authorization: `Bearer ${page.page_token}` } : { "X-CSRFToken": csrfToken };
const list = document.getElementById("hall-list");
const empty = document.getElementById("hall-empty");
const REFRESH_MS = 30000;
const base = `/api/v1/booths/${encodeURIComponent(page.booth)}`;

function statusText(status) {
  return { sent: t("hall.sent"), accepted: t("hall.accepted"), declined: t("hall.declined") }[status] || "";
}

function render(candidates) {
  list.replaceChildren();
  empty.hidden = candidates.length > 0;
  empty.textContent = t("hall.empty");
  for (const c of candidates) {
    const item = document.createElement("li");
    item.dataset.candidate = c.candidate.pseudonym;
    const who = c.candidate.shared ? c.candidate.name : c.candidate.pseudonym;
    const title = document.createElement("strong");
    title.textContent = who;
    const job = document.createElement("p");
    job.className = "muted";
    job.textContent = `${c.title} · ${t("hall.score", { score: Math.round(c.score) })}`;
    const why = document.createElement("p");
    why.className = "help";
    why.textContent = (c.reasons || []).slice(0, 2).join(" · ");
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
    item.append(title, job, why, button, state);
    list.append(item);
  }
}

async function load() {
  try {
    const response = await fetch(`${base}/candidates?top=10`, { credentials: "same-origin", headers: page.page_token ? authHeaders : {} });
    if (response.ok) render((await response.json()).candidates || []);
  } catch (err) {
    /* offline: keep the last list */
  }
}

async function invite(candidate, button, state) {
  button.disabled = true;
  try {
    const response = await fetch(`${base}/invitations`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", ...authHeaders },
      body: JSON.stringify({ candidate: candidate.candidate.pseudonym, job_ref: candidate.job_ref }),
    });
    if (!response.ok) throw new Error(String(response.status));
    const { invitation } = await response.json();
    button.hidden = true;
    state.textContent = statusText(invitation.status);
  } catch (err) {
    state.textContent = t("hall.failed");
    button.disabled = false;
  }
}

window.addEventListener("fair:events", (event) => {
  for (const e of event.detail || []) {
    if (e.type !== "invitation" || !e.invitation || e.invitation.booth !== page.booth) continue;
    const item = Array.from(list.children).find((li) => li.dataset.candidate === e.candidate);
    if (!item) continue;
    item.querySelector("button").hidden = true;
    item.querySelector(".invitation-status").textContent = statusText(e.invitation.status);
  }
});

document.getElementById("hall-refresh").addEventListener("click", load);
setInterval(() => { if (!document.hidden) load(); }, REFRESH_MS);
load();
