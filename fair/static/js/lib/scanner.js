/**
 * scanner.js: one component for every way a card's code reaches a page.
 *
 * Used by the gate and booth pages (pages/gate.js, pages/booth.js):
 *
 *   const scanner = createScanner({video, fileInput, manualInput, onCode, onError, token});
 *   const {camera} = await scanner.start();   // camera false: show the photo button
 *   form.onsubmit = (e) => { e.preventDefault(); scanner.submitManual(input.value); };
 *
 * Sources, each ending in onCode(code, {source}):
 *  - "camera": getUserMedia with the back camera, only in a secure context
 *    (browsers give http:// LAN pages no camera). Frames are decoded ~8 times
 *    a second by the native BarcodeDetector where it exists, else by jsQR
 *    (the vendored classic script, window.jsQR) on a canvas downscaled to
 *    640 px, which keeps cheap phones cool. jsQR alternates normal and
 *    inverted frames: the same coverage as its "attemptBoth" option
 *    (white-on-black codes from dark-mode screens) at half the work per frame.
 *    When decoding is slower than the frame interval, the loop slows down.
 *  - "wedge": USB/Bluetooth barcode scanners type the code then Enter. A burst
 *    of keys ending in Enter counts as a scan, at any moment, unless focus is
 *    in another text field (a notes box, say), when the keys came on average
 *    less than 50 ms apart (no person types that fast). Single gaps up to
 *    300 ms are allowed: Bluetooth scanners send keys in packets, and a busy
 *    phone delivers them late; a longer pause starts a new burst.
 *    Scanners type US key positions: when a burst holds any non-ASCII
 *    character the OS layout is Thai (Kedmanee), and the burst is read
 *    back by physical key (event.code) instead, its digits row included.
 *  - "photo": over plain HTTP, a file input (accept="image/*"
 *    capture="environment"); big photos are shrunk to 1600 px JPEG in the
 *    browser, then POSTed as multipart `image` to decodeUrl (server pyzbar).
 *  - "manual": submitManual(text), the short code typed by a person.
 * The same code seen again within dedupeMs is ignored (the camera keeps
 * seeing a card held up); every sighting restarts the window. A manual entry
 * is always delivered: a person typing a code means it.
 *
 * onError({source, error, message?, status?}) with error one of
 * "no_camera", "camera_denied", "camera_failed", "no_code", "network",
 * "bad_image", "too_large", "server"; message is the server's own
 * (already translated) text when it sent one. The page words the rest via t().
 */

import { NetworkError, requestJson } from "./http.js";

const FRAME_MS = 125;          // ~8 frames a second
const SCAN_SIDE = 640;         // longest side of the frame jsQR reads
const PHOTO_SIDE = 1600;       // longest side of an uploaded photo
const WEDGE_GAP_MS = 50;       // mean key interval: scanners type faster than any person
const WEDGE_PAUSE_MS = 300;    // a longer pause ends a burst (a hiccup within a scan is shorter)
const WEDGE_MIN_LENGTH = 4;

// US-layout characters by physical key, for scanners on a Thai-layout keyboard.
const US_KEYS = {
  Minus: "-_", Equal: "=+", BracketLeft: "[{", BracketRight: "]}", Backslash: "\\|",
  Semicolon: ";:", Quote: "'\"", Backquote: "`~", Comma: ",<", Period: ".>", Slash: "/?",
  Digit1: "1!", Digit2: "2@", Digit3: "3#", Digit4: "4$", Digit5: "5%",
  Digit6: "6^", Digit7: "7&", Digit8: "8*", Digit9: "9(", Digit0: "0)", Space: "  ",
};

/** The character a US layout gives for this physical key, or null if unknown. */
function usChar({ code, shiftKey }) {
  if (/^Key[A-Z]$/.test(code)) return shiftKey ? code[3] : code[3].toLowerCase();
  if (/^Numpad\d$/.test(code)) return code[6];
  if (US_KEYS[code]) return US_KEYS[code][shiftKey ? 1 : 0];
  return null;
}

const TEXT_INPUT_TYPES = new Set(["text", "search", "email", "number", "password", "tel", "url", ""]);

function isTextField(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA") return true;
  return el.tagName === "INPUT" && TEXT_INPUT_TYPES.has((el.getAttribute("type") || "").toLowerCase());
}

/** Draw an image or video frame scaled so its longest side is at most maxSide. */
function drawScaled(canvas, source, width, height, maxSide) {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return ctx;
}

export function createScanner({
  video = null,
  canvas = null,
  onCode,
  onError = (problem) => console.warn("scanner:", problem),
  fileInput = null,
  manualInput = null,
  decodeUrl = "/api/v1/decode",
  token = null,
  dedupeMs = 5000,
} = {}) {
  if (typeof onCode !== "function") throw new TypeError("createScanner: onCode is required");
  const work = canvas || document.createElement("canvas");
  const seen = new Map();       // code -> last time seen
  let stream = null;
  let timer = null;
  let running = false;
  let detector = null;
  let frame = 0;
  let burst = "";               // as the OS layout typed it (event.key)
  let burstUs = "";             // as a US layout would have (event.code)
  let burstThai = false;        // some key came out non-ASCII: read burstUs
  let burstStart = 0;           // time of the burst's first key
  let lastKeyAt = 0;

  function deliver(raw, source) {
    const code = String(raw).trim();
    if (!code) return false;
    const now = Date.now();
    const last = seen.get(code);
    seen.set(code, now);
    for (const [c, at] of seen) if (now - at > dedupeMs) seen.delete(c);
    if (source !== "manual" && last !== undefined && now - last < dedupeMs) return false;
    onCode(code, { source });
    return true;
  }

  // --- camera ---------------------------------------------------------

  async function makeDetector() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    } catch (err) {
      console.warn("scanner: the native BarcodeDetector failed, jsQR reads the frames", err);
      return null;
    }
  }

  function jsqrDecode(ctx, inverted) {
    if (typeof window.jsQR !== "function") return null;
    const img = ctx.getImageData(0, 0, work.width, work.height);
    // Inverted by hand: jsQR 1.4's own "onlyInvert" mode throws (it never
    // computes the inverted image), and "attemptBoth" costs two passes.
    if (inverted) {
      const d = img.data;
      for (let i = 0; i < d.length; i += 4) {
        d[i] = 255 - d[i]; d[i + 1] = 255 - d[i + 1]; d[i + 2] = 255 - d[i + 2];
      }
    }
    try {
      const hit = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      return hit ? hit.data : null;
    } catch (err) {
      return null;                   // jsQR 1.4 throws on some frames with no code in them
    }
  }

  async function decodeFrame() {
    if (video.readyState < 2 || !video.videoWidth) return [];
    frame++;
    if (detector) {
      const found = await detector.detect(video);
      if (found.length) return found.map((b) => b.rawValue);
      // Native detectors may miss inverted codes; jsQR checks now and then.
      if (frame % 4 !== 0 || typeof window.jsQR !== "function") return [];
      const ctx = drawScaled(work, video, video.videoWidth, video.videoHeight, SCAN_SIDE);
      const inverted = jsqrDecode(ctx, true);
      return inverted ? [inverted] : [];
    }
    const ctx = drawScaled(work, video, video.videoWidth, video.videoHeight, SCAN_SIDE);
    const data = jsqrDecode(ctx, frame % 2 === 0);
    return data ? [data] : [];
  }

  async function tick() {
    if (!running) return;
    const started = performance.now();
    if (!document.hidden) {
      try {
        for (const code of await decodeFrame()) deliver(code, "camera");
      } catch (err) {
        console.warn("scanner: frame not decoded", err);
      }
    }
    const spent = performance.now() - started;
    if (running) timer = setTimeout(tick, Math.max(FRAME_MS - spent, spent));
  }

  async function startCamera() {
    if (!video) return { camera: false, reason: "no_video" };
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return { camera: false, reason: "insecure" };
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (err) {
      const denied = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
      const error = denied ? "camera_denied" : err && err.name === "NotFoundError" ? "no_camera" : "camera_failed";
      onError({ source: "camera", error, message: err && err.message });
      return { camera: false, reason: error };
    }
    if (!running) {                  // stop() was called while the permission prompt was up
      stopCamera();
      return { camera: false, reason: "stopped" };
    }
    // iOS Safari plays inline only with these set before play().
    video.setAttribute("playsinline", "");
    video.muted = true;
    video.srcObject = stream;
    try {
      await video.play();
    } catch (err) {
      // Autoplay of a muted stream is allowed; a failure here is a stopped scanner.
      if (!running) return { camera: false, reason: "stopped" };
      console.warn("scanner: the camera preview did not start playing", err);
    }
    detector = await makeDetector();
    if (!detector && typeof window.jsQR !== "function") {
      console.error("scanner: no BarcodeDetector and vendor/jsqr/jsQR.js not loaded");
    }
    timer = setTimeout(tick, FRAME_MS);
    return { camera: true, reason: detector ? "native" : "jsqr" };
  }

  function stopCamera() {
    clearTimeout(timer);
    timer = null;
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    if (video) video.srcObject = null;
  }

  // --- keyboard wedge ---------------------------------------------------

  function resetBurst() {
    burst = "";
    burstUs = "";
    burstThai = false;
  }

  function onKeyDown(event) {
    const target = event.target;
    if (target !== manualInput && isTextField(target)) { resetBurst(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { resetBurst(); return; }
    const now = event.timeStamp || performance.now();
    const gap = now - lastKeyAt;
    lastKeyAt = now;
    if (event.key === "Enter") {
      const code = burstThai ? burstUs : burst;
      const meanGap = (now - burstStart) / Math.max(1, code.length);
      resetBurst();
      if (code.length >= WEDGE_MIN_LENGTH && gap < WEDGE_PAUSE_MS && meanGap < WEDGE_GAP_MS) {
        event.preventDefault(); // no form submit, no second copy via the manual input
        if (target === manualInput) manualInput.value = "";
        deliver(code, "wedge");
      }
      return;
    }
    const { key } = event;
    if (key.length !== 1 && !usChar(event)) return;   // Shift, CapsLock and friends
    if (gap >= WEDGE_PAUSE_MS) resetBurst();
    if (!burst) burstStart = now;
    const ch = key.length === 1 ? key : usChar(event);
    burst += ch;
    burstUs += usChar(event) || ch;
    if (ch.charCodeAt(0) > 127) burstThai = true;
  }

  // --- photo fallback ---------------------------------------------------

  async function shrinkPhoto(file) {
    if (!file.type.startsWith("image/")) return file;  // the server says 400 in words
    const url = URL.createObjectURL(file);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();            // honours EXIF orientation in current browsers
      const big = Math.max(img.naturalWidth, img.naturalHeight) > PHOTO_SIDE;
      if (!big && file.type === "image/jpeg") return file;
      const photo = document.createElement("canvas");
      drawScaled(photo, img, img.naturalWidth, img.naturalHeight, PHOTO_SIDE);
      const blob = await new Promise((resolve) => photo.toBlob(resolve, "image/jpeg", 0.85));
      return blob || file;
    } catch (err) {
      return file;                   // e.g. HEIC this browser cannot draw: let the server try
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  async function sendPhoto(file) {
    const form = new FormData();
    const upload = await shrinkPhoto(file);
    form.append("image", upload, upload === file ? file.name || "photo" : "photo.jpg");
    let result;
    try {
      result = await requestJson(decodeUrl, { method: "POST", form, token });
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      onError({ source: "photo", error: "network", message: err.message });
      return;
    }
    const answer = result.body;
    if (!result.ok) {
      const error = result.status === 413 ? "too_large" : result.status === 400 ? "bad_image" : "server";
      onError({ source: "photo", error, status: result.status, message: answer.message });
      return;
    }
    const codes = Array.isArray(answer.codes) ? answer.codes : [];
    if (!codes.length) onError({ source: "photo", error: "no_code" });
    for (const code of codes) deliver(code, "photo");
  }

  function onFileChange() {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = "";            // the same photo can be chosen again
    if (!file) return;
    sendPhoto(file).catch((err) => {
      console.error("scanner: the photo was not read", err);
      onError({ source: "photo", error: "server", message: "" });
    });
  }

  // --- public -----------------------------------------------------------

  return {
    /** Listen for the wedge and the photo input, and start the camera if it can. */
    async start() {
      if (running) return { camera: Boolean(stream), reason: "running" };
      running = true;
      document.addEventListener("keydown", onKeyDown, true);
      if (fileInput) fileInput.addEventListener("change", onFileChange);
      return startCamera();
    },
    /** Stop everything (camera light off), e.g. when leaving the page. */
    stop() {
      running = false;
      stopCamera();
      document.removeEventListener("keydown", onKeyDown, true);
      if (fileInput) fileInput.removeEventListener("change", onFileChange);
    },
    /** A code typed by a person; returns whether it went to onCode. */
    submitManual(text) {
      return deliver(text, "manual");
    },
    /** Decode a photo File the page got some other way (drag and drop). */
    sendPhoto,
  };
}
