/**
 * pages/card.js: the attendee's card page (/me/<link>).
 *
 * - Installs the card's service worker (scope: this card only), so the card
 *   shows with no network, and offers "Add to home screen" where the browser
 *   supports the install prompt.
 * - Connects to /live (lib/live.js) with auth {card: link}: the server puts the page in the
 *   attendee's room. A `checkin` event with status ok shows the greeting and
 *   the recommended booths (rendered by the server, hidden until then); a
 *   `visit` event adds the booth to "your record of the fair"; an `invitation`
 *   event shows a booth's invitation with "I'm coming" / "No, thanks", and the
 *   answer is POSTed to /me/<link>/invitations/<id> (the booth sees it live).
 * config (fair/checkin/pages.py card_page): link, sw, scope. The print views
 * use pages/print.js. Strings come translated from the #i18n block; names go
 * in with textContent.
 */
import { connectLive } from "../lib/live.js";
import { requestJson } from "../lib/http.js";
import { t } from "../lib/i18n.js";

function setupOffline(config) {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register(config.sw, { scope: config.scope }).catch((err) => {
    console.warn("card: service worker not installed", err);
  });
}

function setupInstall() {
  const button = document.getElementById("install");
  if (!button) return;
  let prompt = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    prompt = event;
    button.hidden = false;
  });
  button.addEventListener("click", async () => {
    if (!prompt) return;
    prompt.prompt();
    try {
      await prompt.userChoice;
    } catch (err) {
      console.warn("card: the install prompt failed", err);
    }
    prompt = null;
    button.hidden = true;
  });
  window.addEventListener("appinstalled", () => { button.hidden = true; });
}

function greet(text) {
  const section = document.getElementById("greeting");
  if (!section) return;
  if (text) document.getElementById("greeting-text").textContent = text;
  section.hidden = false;
}

function addVisit({ booth, employer }) {
  const list = document.getElementById("visits");
  if (!list || !booth) return;
  for (const item of list.querySelectorAll("li")) {
    if (item.dataset.booth === booth) return;     // a booth scanning twice is one visit
  }
  const item = document.createElement("li");
  item.dataset.booth = booth;
  const code = document.createElement("span");
  code.className = "booth-code";
  code.textContent = booth;
  item.append(code, " ", employer || "");
  list.append(item);
  document.getElementById("no-visits").hidden = true;
}

/** A booth deleted its lead (a card scanned by mistake): it is no visit of theirs any more. */
function removeVisit({ booth }) {
  const list = document.getElementById("visits");
  if (!list || !booth) return;
  for (const item of list.querySelectorAll("li")) if (item.dataset.booth === booth) item.remove();
  document.getElementById("no-visits").hidden = list.querySelectorAll("li").length > 0;
}

function showInvitationState(item, invitation) {
  item.dataset.status = invitation.status;
  const open = invitation.status === "sent";
  for (const button of item.querySelectorAll("button[data-answer]")) button.hidden = !open;
  const state = item.querySelector(".invitation-status");
  if (invitation.status === "accepted") state.textContent = t("invite_accepted", { booth: invitation.booth });
  else if (invitation.status === "declined") state.textContent = t("invite_declined");
  else state.textContent = "";
}

function invitationItem(invitation) {
  const list = document.getElementById("invitations");
  let item = list.querySelector(`li[data-id="${Number(invitation.id)}"]`);
  if (item) return item;
  item = document.createElement("li");
  item.dataset.id = String(invitation.id);
  const head = document.createElement("p");
  const code = document.createElement("span");
  code.className = "booth-code";
  code.textContent = invitation.booth;
  const employer = document.createElement("strong");
  employer.textContent = invitation.employer || "";
  head.append(code, " ", employer, invitation.title ? `: ${invitation.title}` : "");
  item.append(head);
  if (invitation.message) {
    const message = document.createElement("p");
    message.className = "muted";
    message.textContent = invitation.message;
    item.append(message);
  }
  const actions = document.createElement("p");
  actions.className = "invitation-actions";
  for (const [answer, key, cls] of [["accept", "invite_accept", "btn btn-primary"], ["decline", "invite_decline", "btn"]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = cls;
    button.dataset.answer = answer;
    button.textContent = t(key);
    actions.append(button, " ");
  }
  const state = document.createElement("span");
  state.className = "invitation-status";
  actions.append(state);
  item.append(actions);
  list.prepend(item);
  return item;
}

function showInvitation(invitation) {
  document.getElementById("invitations-panel").hidden = false;
  const item = invitationItem(invitation);
  showInvitationState(item, invitation);
  if (invitation.status === "sent" && navigator.vibrate) navigator.vibrate([100, 60, 100]);
}

function setupInvitations(config) {
  const list = document.getElementById("invitations");
  if (!list) return;
  list.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-answer]");
    if (!button) return;
    const item = button.closest("li");
    for (const b of item.querySelectorAll("button")) b.disabled = true;
    try {
      const result = await requestJson(`${config.scope}/invitations/${Number(item.dataset.id)}`, {
        method: "POST", json: { accept: button.dataset.answer === "accept" },
      });
      if (!result.ok) throw new Error(`HTTP ${result.status} ${result.body.message || ""}`);
      showInvitationState(item, result.body.invitation);
    } catch (err) {
      console.warn("card: the answer to the invitation was not sent", err);
      item.querySelector(".invitation-status").textContent = t("invite_failed");
    } finally {
      for (const b of item.querySelectorAll("button")) b.disabled = false;
    }
  });
}

function onEvents(events) {
  for (const event of Array.isArray(events) ? events : []) {
    if (event.type === "checkin" && event.status === "ok") {
      greet(t("checked_in"));
      document.getElementById("recommendations").hidden = false;
      if (navigator.vibrate) navigator.vibrate(80);
    } else if (event.type === "checkin" && event.status === "exit_recorded") {
      greet(t("exit"));
    } else if (event.type === "visit") {
      addVisit(event);
    } else if (event.type === "visit_removed") {
      removeVisit(event);
    } else if (event.type === "invitation" && event.invitation) {
      showInvitation(event.invitation);
    }
  }
}

function connect(config) {
  const status = document.getElementById("live-status");
  if (!status) return;
  // Already-marked items (rendered by the server) keep their booth for de-duplication.
  for (const item of document.querySelectorAll("#visits li")) {
    const code = item.querySelector(".booth-code");
    if (code) item.dataset.booth = code.textContent;
  }
  connectLive({
    auth: { card: config.link },
    onEvents,
    onStatus(state) {
      status.dataset.state = state;
      status.textContent = t(state);
    },
  });
}

export function init(config) {
  setupOffline(config);
  setupInstall();
  setupInvitations(config);
  connect(config);
}
