/**
 * feedback.js: the big coloured result after a scan, with a sound and a buzz.
 *
 * Used by the gate and booth pages after each scan answer (live or replayed):
 *
 *   showResult({kind: "ok", title: "สมชาย ใจดี", subtitle: "เข้างานแล้ว", detail: "…"});
 *
 * kind "ok" is green, "warn" amber (e.g. already inside), "bad" red (invalid,
 * revoked); variant "offline" or "exit" shades it (.result-offline,
 * .result-exit). The overlay covers the screen (styles: .result-overlay and
 * .result-ok/.result-warn/.result-bad in css/fair.css), hides itself after
 * `ms` (default 2500; 0 keeps it until tapped) or on a tap, and a newer
 * result replaces an older one.
 * Text goes in with textContent only: names come from attendees.
 *
 * Sound is made with a WebAudio oscillator (no audio files to serve). Browsers
 * only allow audio after a user gesture, so the AudioContext is created and
 * resumed on the first tap or key press anywhere on the page.
 */

const KINDS = ["ok", "warn", "bad"];
const VARIANTS = ["offline", "exit"];   // shades of a kind: the gate's "accepted offline" and "exit recorded"

// Tones per kind: [frequency Hz, start s, length s]; rising = good, low buzz = bad.
const TONES = {
  ok: { wave: "sine", notes: [[880, 0, 0.12], [1320, 0.13, 0.18]] },
  warn: { wave: "triangle", notes: [[660, 0, 0.15], [660, 0.22, 0.15]] },
  bad: { wave: "square", notes: [[220, 0, 0.22], [180, 0.28, 0.22], [150, 0.56, 0.35]] },
};

const VIBRATIONS = { ok: [80], warn: [120, 80, 120], bad: [300, 100, 300, 100, 300] };

let overlay = null;
let hideTimer = null;
let audio = null;

function unlockAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  try {
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
  } catch (err) {
    console.warn("feedback: no sound on this browser", err);
    audio = null; // no sound is better than a broken page
  }
}

if (typeof document !== "undefined") {
  for (const type of ["pointerdown", "touchend", "keydown"]) {
    document.addEventListener(type, unlockAudio, { capture: true, passive: true });
  }
}

function beep(kind) {
  if (!audio || audio.state !== "running") return;
  const { wave, notes } = TONES[kind];
  const now = audio.currentTime;
  for (const [freq, start, length] of notes) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = wave;
    osc.frequency.value = freq;
    // Short ramps avoid the click of a square edge starting at full volume.
    gain.gain.setValueAtTime(0.0001, now + start);
    gain.gain.exponentialRampToValueAtTime(0.3, now + start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + start + length);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + start);
    osc.stop(now + start + length + 0.02);
  }
}

function ensureOverlay() {
  if (overlay) return overlay;
  overlay = document.createElement("div");
  overlay.className = "result-overlay";
  overlay.hidden = true;
  overlay.setAttribute("role", "alert");
  overlay.setAttribute("aria-live", "assertive");
  for (const part of ["title", "subtitle", "detail"]) {
    const el = document.createElement("p");
    el.className = `result-${part}`;
    overlay.append(el);
  }
  overlay.addEventListener("click", hideResult);
  document.body.append(overlay);
  return overlay;
}

/** Hide the overlay now (also done by a tap or the timer). */
export function hideResult() {
  clearTimeout(hideTimer);
  hideTimer = null;
  if (overlay) overlay.hidden = true;
}

/**
 * Show one result full screen. Returns {hide} for callers that want to close
 * it early (e.g. when the next scan arrives they can simply call showResult
 * again: it replaces this one).
 */
export function showResult({ kind = "ok", title = "", subtitle = "", detail = "", ms = 2500, variant = null } = {}) {
  if (!KINDS.includes(kind)) kind = "bad";
  const el = ensureOverlay();
  for (const k of KINDS) el.classList.toggle(`result-${k}`, k === kind);
  for (const v of VARIANTS) el.classList.toggle(`result-${v}`, v === variant);
  el.querySelector(".result-title").textContent = title;
  el.querySelector(".result-subtitle").textContent = subtitle;
  const detailEl = el.querySelector(".result-detail");
  detailEl.textContent = detail;
  detailEl.hidden = !detail;
  el.hidden = false;

  beep(kind);
  if (navigator.vibrate) navigator.vibrate(VIBRATIONS[kind]);

  clearTimeout(hideTimer);
  hideTimer = ms > 0 ? setTimeout(hideResult, ms) : null;
  return { hide: hideResult };
}
