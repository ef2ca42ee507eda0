/**
 * pages/dashboard.js: the live dashboard (/dashboard) on the organiser's laptop or a big screen.
 *
 * The server renders the page with the current `stats` and the latest events
 * in its page config; after that, live.py pushes a `stats` message (all the
 * counts) and batched `events` (check-ins, leads) at most four times a second.
 * The socket authenticates with the session cookie (token null).
 *
 * On a big screen (config.show_names false) the server sends no names in the
 * page, and this script never prints one from a live event either.
 * All text goes in with textContent; nothing from data becomes markup.
 */
import { connectLive } from "../lib/live.js";
import { t } from "../lib/i18n.js";
import { barChart, floorPlan, heatLegend } from "../lib/svg-chart.js";

const $ = (id) => document.getElementById(id);
let config = {};
let offsetMs = 0;
let stats = {};
let windowKey = "recent";   // traffic shown on the map and in the rankings: "recent" (30 min) or "leads" (all day)

const SCREEN_LAYOUT = "(min-width: 60.01rem)";   // css/screen.css lays the screen out above this width

// ---- formatting -------------------------------------------------------------

/** "…Z" → the venue's wall clock, whatever the screen's own time zone. */
export function localTime(isoText, seconds = false, offset = offsetMs) {
  const ms = Date.parse(isoText);
  if (Number.isNaN(ms)) return "";
  return new Date(ms + offset).toISOString().slice(11, seconds ? 19 : 16);
}

function number(n) {
  return typeof n === "number" ? n.toLocaleString() : "–";
}

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = String(text);
  return element;
}

function replaceChildren(parent, children) {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  for (const child of children) parent.appendChild(child);
}

// ---- stats ------------------------------------------------------------------

const COUNTERS = { inside: "count-inside", checked_in_today: "count-checked-in", leads: "count-leads", hired: "count-hired" };

function renderCounters() {
  for (const [key, id] of Object.entries(COUNTERS)) {
    const element = $(id);
    if (element && typeof stats[key] === "number") element.textContent = number(stats[key]);
  }
}

function renderArrivals() {
  const svg = $("arrivals-chart");
  if (!svg) return;
  const buckets = stats.arrivals || [];
  const minutesEach = buckets.length > 48 ? 60 : 30;   // label hours on a long day, half hours on a short one
  const bars = buckets.map((b) => {
    const label = localTime(b.t);
    const minutes = Number(label.slice(0, 2)) * 60 + Number(label.slice(3, 5));
    return { label, value: b.n, tick: minutes % minutesEach === 0, title: t("chart.arrivals_bar", { time: label, n: b.n }) };
  });
  barChart(svg, bars, { empty: t("chart.empty") });
  const total = buckets.reduce((sum, b) => sum + b.n, 0);
  svg.setAttribute("aria-label", `${t("chart.arrivals")}: ${total}`);
}

function renderMap() {
  const svg = $("floor-plan");
  if (!svg) return;
  const booths = stats.booths || [];
  const placed = booths.filter((b) => b.plan_x > 0 && b.plan_y > 0);
  const cells = placed.map((b) => ({
    x: b.plan_x, y: b.plan_y, code: b.code, value: b[windowKey],
    title: t("map.cell", { code: b.code, employer: b.employer, n: b[windowKey] }),
  }));
  // The big screen fits the plan into its box's height too (config.plan_fit_height): no scrolling.
  // In a narrow window the screen page is one scrolling column (css/screen.css): width only.
  const box = config.plan_fit_height && window.matchMedia(SCREEN_LAYOUT).matches ? svg.closest("[data-plan-box]") : null;
  const top = floorPlan(svg, cells, box ? { maxHeight: box.clientHeight } : {});
  const legend = $("map-legend");
  replaceChildren(legend, heatLegend(top).map((entry) => {
    const item = node("li");
    item.appendChild(node("span", `swatch heat-${entry.cls}`));
    item.appendChild(node("span", "", entry.cls === 0 ? `0 (${t("map.legend_zero")})`
      : entry.low === entry.high ? entry.low : `${entry.low}–${entry.high}`));
    return item;
  }));
  const unplaced = booths.filter((b) => !(b.plan_x > 0 && b.plan_y > 0));
  const note = $("map-unplaced");
  note.hidden = unplaced.length === 0;
  note.textContent = unplaced.length
    ? `${t("map.unplaced")} ${unplaced.map((b) => `${b.code} (${b[windowKey]})`).join(", ")}` : "";
}

function renderFunnel() {
  const list = $("funnel");
  if (!list || !stats.funnel) return;
  const first = Math.max(1, stats.funnel[0] ? stats.funnel[0].n : 0);
  replaceChildren(list, stats.funnel.map((step, i) => {
    const item = node("li", "funnel-step");
    const head = node("div", "funnel-head");
    head.appendChild(node("span", "funnel-label", config.funnel_labels[step.step] || step.step));
    const share = i === 0 ? "" : ` · ${Math.round((step.n / first) * 100)}%`;
    head.appendChild(node("span", "funnel-value", `${number(step.n)}${share}`));
    const track = node("div", "funnel-track");
    const bar = node("div", "funnel-bar");
    bar.style.width = `${Math.min(100, (step.n / first) * 100)}%`;
    track.appendChild(bar);
    item.append(head, track);
    return item;
  }));
}

function renderGates() {
  const body = $("gates");
  if (!body) return;
  const gates = stats.gates || [];
  if (!gates.length) {
    const row = node("tr");
    const cell = node("td", "muted", t("gates.none"));
    cell.colSpan = 4;
    row.appendChild(cell);
    replaceChildren(body, [row]);
    return;
  }
  replaceChildren(body, gates.map((g) => {
    const row = node("tr");
    row.append(node("td", "", g.gate), node("td", "num", number(g.entries)), node("td", "num", number(g.exits)),
      node("td", "num", number(g.refused)));
    return row;
  }));
}

function boothList(listId, booths) {
  const list = $(listId);
  if (!list) return;
  if (!booths || !booths.length) {
    replaceChildren(list, [node("li", "muted", t("booths.none"))]);
    return;
  }
  replaceChildren(list, booths.map((b) => {
    const item = node("li", "booth-rank");
    item.appendChild(node("span", "booth-code", b.code));
    item.appendChild(node("span", "booth-employer", b.employer));
    const primary = windowKey === "recent" ? t("booths.recent", { n: b.recent }) : t("booths.total", { n: b.leads });
    const secondary = windowKey === "recent" ? t("booths.total", { n: b.leads }) : t("booths.recent", { n: b.recent });
    item.appendChild(node("span", "booth-count", primary));
    item.appendChild(node("span", "booth-other muted", secondary));
    return item;
  }));
}

function renderJobs() {
  const panel = $("jobs-panel");
  if (!panel) return;
  const jobs = stats.jobs_without_candidates;
  panel.hidden = !Array.isArray(jobs);   // absent when the matching engine does not offer it
  if (!Array.isArray(jobs)) return;
  const list = $("jobs");
  $("jobs-count").textContent = number(jobs.length);
  if (!jobs.length) {
    replaceChildren(list, [node("li", "muted", t("jobs.none"))]);
    return;
  }
  replaceChildren(list, jobs.map((j) => {
    const item = node("li");
    item.appendChild(node("span", "booth-code", j.booth || ""));
    item.appendChild(node("span", "", ` ${j.title || ""}`));
    item.appendChild(node("span", "muted", ` · ${j.employer || ""}`));
    return item;
  }));
}

function renderAll() {
  renderCounters();
  renderArrivals();
  renderMap();
  renderFunnel();
  renderGates();
  const key = windowKey === "recent" ? "recent" : "overall";
  boothList("busiest", stats.busiest && stats.busiest[key]);
  boothList("quietest", stats.quietest && stats.quietest[key]);
  renderJobs();
}

// ---- feed -------------------------------------------------------------------

const REFUSED = new Set(["unknown", "invalid_signature", "revoked", "wrong_fair", "fair_closed"]);

/** [who, what, kind] for one event, or null for events the feed does not show; names only with showNames. */
export function describeEvent(event, showNames = config.show_names) {
  if (event.type === "checkin") {
    const who = showNames && event.attendee && event.attendee.name ? event.attendee.name : "";
    const gate = event.gate || "";
    if (REFUSED.has(event.status)) {
      return ["", t("feed.checkin.refused", { gate, status: t(`status.${event.status}`) }), "bad"];
    }
    const key = `feed.checkin.${event.status}`;
    const kind = event.status === "ok" ? "ok" : event.status === "exit_recorded" ? "exit" : "warn";
    return [who, t(key, { gate }), kind];
  }
  if (event.type === "lead") {
    const candidate = (event.lead && event.lead.candidate) || {};
    const who = showNames ? (candidate.name || candidate.pseudonym || "") : "";
    const step = event.next_step || (event.lead && event.lead.next_step) || "none";
    const key = ["interview_now", "shortlisted", "hired", "not_suitable"].includes(step) ? `feed.lead.${step}` : "feed.lead";
    return [who, t(key, { booth: event.booth || "" }), step === "hired" ? "hired" : "lead"];
  }
  if (event.type === "invitation") return ["", t("feed.invitation", { booth: event.booth || "" }), "lead"];
  if (event.type === "registration") return ["", t("feed.registration"), "info"];
  if (event.type === "checkin_undo") {
    const who = showNames && event.attendee && event.attendee.name ? event.attendee.name : "";
    return [who, t(event.kind === "exit" ? "feed.undo.exit" : "feed.undo.entry", { gate: event.gate || "" }), "warn"];
  }
  return null;
}

function feedItem(event) {
  const described = describeEvent(event);
  if (!described) return null;
  const [who, what, kind] = described;
  const item = node("li", who ? "" : "anonymous");
  item.dataset.kind = kind;
  const time = node("time", "", localTime(event.at, true));
  time.dateTime = event.at || "";
  item.appendChild(time);
  const text = node("span", "feed-text");
  if (who) text.appendChild(node("strong", "feed-who", `${who} `));
  text.appendChild(node("span", "feed-what", what));
  item.appendChild(text);
  return item;
}

function addEvents(events, newestFirst = false) {
  const list = $("feed");
  const ordered = newestFirst ? [...events].reverse() : events;
  for (const event of ordered) {
    const item = feedItem(event);
    if (item) list.insertBefore(item, list.firstChild);
  }
  while (list.children.length > config.feed_length) list.removeChild(list.lastChild);
  $("feed-empty").hidden = list.children.length > 0;
}

// ---- controls and connection ------------------------------------------------

export function init(pageConfig) {
  config = pageConfig;
  offsetMs = (config.utc_offset_minutes || 0) * 60000;
  stats = config.stats || {};
  for (const button of document.querySelectorAll("[data-window]")) {
    button.addEventListener("click", () => {
      windowKey = button.dataset.window;
      for (const other of document.querySelectorAll("[data-window]")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      renderAll();
    });
  }

  // Redraw at most once a frame: stats arrive up to four times a second, resizes faster.
  let pending = false;
  function scheduleRender() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; renderAll(); });
  }
  window.addEventListener("resize", scheduleRender);

  const status = $("live-status");
  connectLive({
    onStats(next) { stats = next; scheduleRender(); },
    onEvents(events) { addEvents(events); },
    onStatus(state) {
      status.dataset.state = state;
      status.textContent = t(`live.${state}`);
    },
  });

  renderAll();
  addEvents(config.events || [], true);
}
