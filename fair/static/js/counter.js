// The public live counter (/counter): aggregate numbers pushed as `stats` on /live.
// Connects without credentials; the server puts it in the fair's public room.
const ids = { inside: "count-inside", checked_in: "count-checked-in", leads: "count-leads", hired: "count-hired" };
const status = document.getElementById("live-status");

const socket = window.io("/live", { transports: ["websocket", "polling"] });
socket.on("connect", () => { status.dataset.state = "online"; status.textContent = status.dataset.online || "live"; });
socket.on("disconnect", () => { status.dataset.state = "offline"; status.textContent = status.dataset.offline || "offline"; });
socket.on("stats", (counts) => {
  for (const [key, id] of Object.entries(ids)) {
    const el = document.getElementById(id);
    if (el && typeof counts[key] === "number") el.textContent = counts[key].toLocaleString();
  }
});
