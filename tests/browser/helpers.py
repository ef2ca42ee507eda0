"""What the browser journeys share: the served fair's handle, pairing, sign-in, registration,
screenshots and the accessibility checks (language, labels, contrast, 360 px width)."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import requests

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

CHROMIUM = os.environ.get("FAIR_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-dev-shm-usage"]
FAKE_CAMERA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
FAIR = str(Path(sys.executable).parent / "fair")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"     # git-ignored: every screenshot of a run
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"    # the committed few, refreshed on request

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "device_scale_factor": 1}
LOCALES = {"th": "th-TH", "en": "en-GB"}
TIMEOUT_MS = 15_000          # a page, a socket, a decode: generous on a busy 2-core runner


# --- ports -----------------------------------------------------------------------------------

def free_port() -> int:
    """A free port on 127.0.0.1: one of FAIR_TEST_PORTS ("6300-6399") when set, so runs that share
    a machine keep to their own ports; else any the system gives."""
    import random
    import socket
    wanted = os.environ.get("FAIR_TEST_PORTS", "").strip()
    if not wanted:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    low, _, high = wanted.partition("-")
    ports = list(range(int(low), int(high or low) + 1))
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in FAIR_TEST_PORTS={wanted}")


# --- the served fair -------------------------------------------------------------------------

@dataclass
class Card:
    ref: str
    name: str
    manual_code: str
    token: str


@dataclass
class ServedFair:
    """A running `fair serve` with its instance folder, the CLI pointed at it, and what the
    CLI made before the tests began: the demo cards, two pairing links per booth, a gate's
    pairing link and an `api` key (the organiser's rights, for checks over HTTP)."""
    base: str
    env: dict
    password: str
    log: Path
    cards: list[Card] = field(default_factory=list)
    booth_links: dict[str, list[str]] = field(default_factory=dict)
    gate_link: str = ""
    gate_token: str = ""
    api_token: str = ""
    _next_card: Iterator[int] = field(default_factory=itertools.count)

    def cli(self, *args: str) -> str:
        result = subprocess.run([FAIR, *args], env=self.env, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"fair {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def pair(self, kind: str, value: str):
        """`fair device pair --<kind> VALUE --json`: {"kind", "booth", "name", "token", "url"} (a list for --booth all)."""
        return json.loads(self.cli("device", "pair", f"--{kind}", value, "--json"))

    def prepare(self) -> None:
        """The CLI calls every journey needs, made once (each costs a second of start-up)."""
        rows = csv.DictReader(io.StringIO(self.cli("cards", "list", "--csv")))
        self.cards = [Card(r["attendee_ref"], r["name"], r["manual_code"], r["token"]) for r in rows]
        for _ in range(2):
            for device in self.pair("booth", "all"):
                self.booth_links.setdefault(device["booth"], []).append(device["url"])
        gate = self.pair("gate", "North door")
        self.gate_link, self.gate_token = gate["url"], gate["token"]
        self.api_token = self.pair("api", "Browser tests")["token"]

    def take_cards(self, n: int) -> list[Card]:
        """Demo attendees no other test has used: each journey checks in its own people."""
        return [self.cards[next(self._next_card)] for _ in range(n)]

    def take_booth(self) -> tuple[str, list[str]]:
        """A booth no other journey has used (so its leads are this journey's own) and its two pairing links."""
        code = next(c for c in sorted(self.booth_links) if len(self.booth_links[c]) == 2)
        links, self.booth_links[code] = self.booth_links[code], []
        return code, links

    def booth_link(self, code: str) -> str | None:
        """An unused pairing link of this booth, or None when its links are taken."""
        links = self.booth_links.get(code) or []
        return links.pop() if links else None

    def check_in(self, card: Card) -> dict:
        """Check an attendee in as a gate would (HTTP API), for journeys that need people inside."""
        import uuid
        response = self.api("POST", "/api/v1/checkins", self.gate_token,
                            json={"code": card.token, "nonce": str(uuid.uuid4()), "type": "entry"})
        assert response.ok, response.text
        return response.json()

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        return requests.request(method, self.base + path, timeout=10,
                                headers={"Authorization": f"Bearer {token or self.api_token}"}, **kwargs)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- pages -----------------------------------------------------------------------------------

def page_errors(page: "Page") -> list[str]:
    """Collect the page's uncaught script errors (a broken module shows up here, nowhere else)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def open_pairing_link(context: "BrowserContext", url: str, expect_path: str) -> "Page":
    """Open a device's single-use pairing link: the server pairs the browser and sends it to its page."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_url(f"**{expect_path}")
    return page


def login_organiser(context: "BrowserContext", served: ServedFair) -> "Page":
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "admin")
    page.fill("#password", served.password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login" not in page.url, "organiser sign-in failed"
    return page


_phones = itertools.count(12345670)


def register(page: "Page", *, first: str, last: str, skills: str = "", positions: str = "",
             share: bool = True) -> dict:
    """Fill /register as a job seeker would; returns {link, name, manual_code, attendee_id}."""
    page.goto("/register")
    page.fill("#first_name", first)
    page.fill("#last_name", last)
    page.fill("#phone", f"08{next(_phones):08d}")
    if skills:
        page.fill("#skills", skills)
    if positions:
        page.fill("#desired_positions", positions)
    page.check("input[name=consent_participate]")
    if share:
        page.check("input[name=consent_share_profile]")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/me/" in page.url, f"registration did not reach the card page: {page.url}"
    link = page.url.split("/me/", 1)[1].split("?")[0].strip("/")
    return {"link": link, "name": f"{first} {last}", "manual_code": page.inner_text(".card-code").strip(),
            "attendee_id": int(link.split(".")[0])}


def card_png(context: "BrowserContext", link: str) -> bytes:
    """The card as the attendee saves it ("Save image"): what the camera videos show."""
    response = context.request.get(f"/me/{link}/card.png")
    assert response.ok, response.status
    return response.body()


def forge(token: str) -> str:
    """A valid-looking SJW1 token whose signature no longer matches: one signature character changed."""
    prefix, body = token.split(".", 1)
    i = 60                                    # inside the signature, far from the padding bits
    swapped = "B" if body[i] != "B" else "C"
    return f"{prefix}.{body[:i]}{swapped}{body[i + 1:]}"


# --- screenshots -----------------------------------------------------------------------------

def save_screenshot(page: "Page", name: str, *, docs: bool = False, full_page: bool = False) -> Path:
    """Save a screenshot in test-artifacts/browser/. docs=True marks one of the README's pictures:
    it is rewritten in docs/screenshots/ only when FAIR_UPDATE_SCREENSHOTS=1, so an ordinary run
    leaves the committed images alone."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    if docs and os.environ.get("FAIR_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        optimise_png(path, DOCS_SCREENSHOTS / f"{name}.png")
    return path


def optimise_png(source: Path, target: Path, max_width: int = 1366) -> None:
    """A palette PNG: screenshots of flat UI lose nothing visible and shrink several times."""
    from PIL import Image
    with Image.open(source) as image:
        image = image.convert("RGB")
        if image.width > max_width:
            image = image.resize((max_width, round(image.height * max_width / image.width)),
                                 Image.Resampling.LANCZOS)
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            target, format="PNG", optimize=True)


# --- accessibility basics --------------------------------------------------------------------

_UNLABELLED_JS = """() => {
  const fields = [...document.querySelectorAll("input, select, textarea")].filter((el) => {
    const type = (el.getAttribute("type") || "").toLowerCase();
    return !["hidden", "submit", "button", "reset", "image"].includes(type);
  });
  const named = (el) => {
    if ((el.getAttribute("aria-label") || "").trim()) return true;
    const by = el.getAttribute("aria-labelledby");
    if (by && by.split(/\\s+/).some((id) => (document.getElementById(id) || {}).textContent)) return true;
    if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
    return Boolean((el.getAttribute("title") || "").trim());
  };
  return fields.filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 120));
}"""

_COLOURS_JS = """(el) => {
  const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const fg = parse(getComputedStyle(el).color);
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length >= 3 && (c.length === 3 || c[3] > 0)) { bg = c; break; }
    node = node.parentElement;
  }
  return {fg, bg: bg || [255, 255, 255]};
}"""


def check_page_basics(page: "Page", *, width: int | None = None) -> None:
    """Every page: a language attribute, every form field labelled, and, on a phone-sized
    viewport, no horizontal scrolling."""
    lang = page.evaluate("document.documentElement.lang")
    assert lang in ("th", "en"), f"{page.url}: <html lang> is {lang!r}"
    unlabelled = page.evaluate(_UNLABELLED_JS)
    assert not unlabelled, f"{page.url}: form fields without a label: {unlabelled}"
    if width is not None:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{page.url}: {scroll} px wide at a {width} px viewport (horizontal scroll)"


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg, bg) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (alpha ignored: the result screens are opaque)."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def page_colour_beside(page: "Page", selector: str) -> tuple[int, int, int]:
    """The colour on screen 4 px left of the element (near its top), in the page's margin: what
    the page background really looks like there, shades and overlays included."""
    import io
    from PIL import Image
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    assert box and box["x"] >= 5, f"{selector} has no margin to its left"
    y = max(0, box["y"]) + min(box["height"] / 2, 40)
    png = page.screenshot(clip={"x": 4, "y": y, "width": 1, "height": 1})
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel((0, 0))


def text_contrast(page: "Page", selector: str) -> float:
    colours = page.locator(selector).first.evaluate(_COLOURS_JS)
    return contrast_ratio(colours["fg"], colours["bg"])
