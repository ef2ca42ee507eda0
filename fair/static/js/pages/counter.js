/**
 * pages/counter.js: the public live counter (/counter), aggregate numbers
 * pushed as `stats` on /live. Connects without credentials; the server puts
 * it in the fair's public room. Its status words come translated in the
 * status element's data-online / data-offline attributes.
 */
import { connectLive } from "../lib/live.js";

const COUNTERS = { inside: "count-inside", checked_in: "count-checked-in", leads: "count-leads", hired: "count-hired" };

export function init() {
  const status = document.getElementById("live-status");
  connectLive({
    onStatus(state) {
      status.dataset.state = state;
      status.textContent = (state === "online" ? status.dataset.online : status.dataset.offline) || state;
    },
    onStats(counts) {
      for (const [key, id] of Object.entries(COUNTERS)) {
        const el = document.getElementById(id);
        if (el && typeof counts[key] === "number") el.textContent = counts[key].toLocaleString();
      }
    },
  });
}
