/**
 * card.js: the attendee's card page (/me/<link>) and its print view.
 *
 * - Installs the card's service worker (scope: this card only), so the card
 *   shows with no network, and offers "Add to home screen" where the browser
 *   supports the install prompt.
 * - Connects to /live with auth {card: link}: the server puts the page in the
 *   attendee's room. A `checkin` event with status ok shows the greeting and
 *   the recommended booths (rendered by the server, hidden until then); a
 *   `visit` event adds the booth to "your record of the fair".
 * - On the print view, the Print button opens the print dialog.
 * Strings come translated from the #i18n block; names go in with textContent.
 */
import { t } from "./i18n.js";

function readConfig() {
  const el = document.getElementById("card-config");
  if (!el) return null;
  try { return JSON.parse(el.textContent); } catch (err) { return null; }
}

function setupPrint() {
  const button = document.getElementById("print-now");
  if (button) button.addEventListener("click", () => window.print());
}

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
    try { await prompt.userChoice; } catch (err) { /* dismissed */ }
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
    }
  }
}

function connect(config) {
  const status = document.getElementById("live-status");
  if (typeof window.io !== "function" || !status) return;
  const report = (state) => {
    status.dataset.state = state;
    status.textContent = t(state);
  };
  const socket = window.io("/live", {
    auth: { card: config.link },
    transports: ["websocket", "polling"],
    reconnectionDelayMax: 10000,
  });
  socket.on("connect", () => report("online"));
  socket.on("disconnect", () => report("offline"));
  socket.on("connect_error", () => report("offline"));
  socket.on("events", onEvents);
  // Already-marked items (rendered by the server) keep their booth for de-duplication.
  for (const item of document.querySelectorAll("#visits li")) {
    const code = item.querySelector(".booth-code");
    if (code) item.dataset.booth = code.textContent;
  }
}

setupPrint();
const config = readConfig();
if (config) {
  setupOffline(config);
  setupInstall();
  connect(config);
}
