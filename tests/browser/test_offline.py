"""Offline and flaky networks (issue 6): a gate and a booth phone lose the network, keep
scanning, are reloaded with no network, and come back. Every queued scan must reach the
server once, in the order it was made, with the time it was scanned on the phone (not the
time it was replayed), and a second replay of the very same queue must change nothing.

What arrived is read from the served instance's SQLite database (opened read-only) and from
the HTTP API with the `api` key; the queue itself is read from the page's IndexedDB.
"""
from __future__ import annotations

import socket
import sqlite3
import struct
import threading
import time
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.browser.helpers import LOCALES, PHONE, TIMEOUT_MS, free_port, open_pairing_link, page_errors

pytestmark = pytest.mark.browser

OFFLINE_S = 10            # how long the network stays down after the last scan: short, but real
GAP_MS = 300              # between two scans, as a person at the door would
CLOCK_SLACK_S = 2.0       # browser clock vs this process, and a scan's own duration

GATE_QUEUE = "fair-queue-gate"

# The page's queue, read and written straight in IndexedDB (the same stores offline-queue.js uses).
_READ_QUEUE = """async (name) => {
  const db = await new Promise((ok, ko) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
  try {
    const read = (store) => new Promise((ok, ko) => {
      const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error);
    });
    return {items: await read("items"), failed: await read("failed")};
  } finally { db.close(); }
}"""

_PUT_BACK = """async ([name, items]) => {
  const db = await new Promise((ok, ko) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
  try {
    await new Promise((ok, ko) => {
      const tx = db.transaction("items", "readwrite");
      for (const item of items) tx.objectStore("items").add(item);
      tx.oncomplete = ok; tx.onerror = tx.onabort = () => ko(tx.error);
    });
  } finally { db.close(); }
}"""

# True once the queue is empty (nothing waiting, nothing refused); polled, so it reads in the background.
_QUEUE_EMPTY = """(name) => {
  const seen = window.__queueSeen || (window.__queueSeen = {state: null});
  if (!seen.busy) {
    seen.busy = true;
    const r = indexedDB.open(name);
    r.onsuccess = () => {
      const db = r.result;
      const tx = db.transaction(["items", "failed"]);
      const a = tx.objectStore("items").count(), b = tx.objectStore("failed").count();
      tx.oncomplete = () => { seen.state = [a.result, b.result]; seen.busy = false; db.close(); };
      tx.onerror = () => { seen.busy = false; db.close(); };
    };
    r.onerror = () => { seen.busy = false; };
  }
  return seen.state !== null && seen.state[0] === 0 && seen.state[1] === 0;
}"""


# --- an unpluggable network -------------------------------------------------------------------

class Cable:
    """A TCP relay between the browser and the served fair that the test can unplug.

    Playwright's offline emulation (context.set_offline) alone does not keep a phone offline
    across a reload: the renderer of the page being replaced loses the emulation while it is
    torn down, fires "online", and its queue replays one scan before the error page commits
    (seen here: exactly one check-in arrived ~30 ms after every offline reload, with no request
    visible to Playwright or CDP). So the phones in this module reach the server through this
    relay, and going offline is both: the emulation (navigator.onLine, the "offline" event,
    failed requests) and the cable pulled (open connections cut, new ones reset).
    """

    def __init__(self, target: str, source: str | None = None):
        host, port = target.rsplit("//", 1)[1].split(":")
        self._target = (host, int(port))
        # A loopback address of its own (127.x.y.z) makes the phone a client of its own to the
        # server's per-address limits, as each phone on the venue's Wi-Fi is.
        self._source = (source, 0) if source else None
        self._listener = socket.create_server(("127.0.0.1", free_port()))
        self.base = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._plugged = threading.Event()
        self._plugged.set()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True, name="cable").start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return                                  # closed
            if not self._plugged.is_set():
                self._reset(client)
                continue
            try:
                server = socket.create_connection(self._target, timeout=5, source_address=self._source)
                server.settimeout(None)
            except OSError:
                self._reset(client)
                continue
            with self._lock:
                self._open.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                self._drop(end)

    def _drop(self, end: socket.socket) -> None:
        with self._lock:
            self._open.discard(end)
        try:
            end.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        end.close()

    @staticmethod
    def _reset(end: socket.socket) -> None:
        end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))   # RST
        end.close()

    def unplug(self) -> None:
        self._plugged.clear()
        with self._lock:
            cut = list(self._open)
        for end in cut:
            self._drop(end)

    def plug(self) -> None:
        self._plugged.set()

    def close(self) -> None:
        self.unplug()
        self._listener.close()


@pytest.fixture
def cable(served) -> Iterator[Cable]:
    relay = Cable(served.base)
    yield relay
    relay.close()


@pytest.fixture
def phone(browser, cable) -> Iterator[Callable]:
    """Factory: phone(**playwright_options) -> a phone-sized context whose network goes through the cable."""
    made = []

    def make(**options):
        context = browser.new_context(base_url=cable.base, locale=LOCALES["en"], **PHONE, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS * 2)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def network_down(context, cable: Cable) -> None:
    context.set_offline(True)
    cable.unplug()


def network_up(context, cable: Cable) -> None:
    cable.plug()
    context.set_offline(False)


# --- helpers ------------------------------------------------------------------------------------

def database(served) -> Path:
    return Path(served.env["FAIR_INSTANCE"]) / "fair.db"


def query(served, sql: str, params=()) -> list[sqlite3.Row]:
    """Read the served fair's database, read-only (the server keeps writing beside us)."""
    with closing(sqlite3.connect(f"file:{database(served)}?mode=ro", uri=True, timeout=10)) as con:
        con.row_factory = sqlite3.Row
        return con.execute(sql, params).fetchall()


def epoch(db_time: str) -> float:
    """A naive-UTC time as SQLAlchemy stores it in SQLite -> seconds since the epoch."""
    return datetime.fromisoformat(db_time).replace(tzinfo=timezone.utc).timestamp()


def wedge(page, code: str) -> None:
    """A USB/Bluetooth barcode scanner: the code typed fast, then Enter."""
    page.keyboard.type(code, delay=10)
    page.keyboard.press("Enter")


def read_queue(page, name: str) -> dict:
    return page.evaluate(_READ_QUEUE, name)


def wait_queue_empty(page, name: str) -> None:
    page.wait_for_function(_QUEUE_EMPTY, arg=name, polling=100)


def reload_offline(page) -> None:
    """Reload with no network: Chromium shows its own error page, the scans stay in IndexedDB."""
    try:
        page.reload()
    except Exception as error:                  # noqa: BLE001 - the error is the point
        assert "ERR_INTERNET_DISCONNECTED" in str(error), error


def wait_out(last_scan_at: float) -> None:
    """The deliberate part: the network stays down OFFLINE_S seconds after the last scan."""
    left = OFFLINE_S - (time.time() - last_scan_at)
    if left > 0:
        time.sleep(left)


def gate_rows(served, refs: list[str]) -> list[sqlite3.Row]:
    marks = ",".join("?" * len(refs))
    return query(served, f"""
        SELECT c.id, c.nonce, c.type, c.status, c.scanned_at, c.received_at, a.ref
          FROM check_in c JOIN attendee a ON a.id = c.attendee_id
         WHERE a.ref IN ({marks}) ORDER BY c.id""", refs)


def booth_rows(served, booth: str) -> list[sqlite3.Row]:
    return query(served, """
        SELECT s.id, s.nonce, s.status, s.scanned_at, s.received_at, a.ref
          FROM lead_scan s JOIN lead l ON l.id = s.lead_id
          JOIN booth b ON b.id = l.booth_id JOIN attendee a ON a.id = l.attendee_id
         WHERE b.code = ? ORDER BY s.id""", (booth,))


def leads_by_ref(served, booth: str) -> dict[str, dict]:
    """The booth's leads from the API, by attendee ref (the API shows a ref only with consent)."""
    response = served.api("GET", f"/api/v1/booths/{booth}/leads")
    assert response.ok, response.text
    refs = dict(tuple(r) for r in query(served, "SELECT l.id, a.ref FROM lead l JOIN attendee a ON a.id = l.attendee_id"))
    leads = response.json()["leads"]
    by_ref = {refs[lead["id"]]: lead for lead in leads}
    assert len(by_ref) == len(leads)
    return by_ref


def stats(served) -> dict:
    response = served.api("GET", "/api/v1/stats")
    assert response.ok, response.text
    return response.json()


def assert_scanned_when_recorded(row, scan: dict, online_at: float) -> None:
    """scanned_at is the phone's time of the scan; it reached the server only after the network came back."""
    scanned, received = epoch(row["scanned_at"]), epoch(row["received_at"])
    assert scan["before"] - CLOCK_SLACK_S <= scanned <= scan["after"] + CLOCK_SLACK_S, (
        f"{row['ref']}: scanned_at {row['scanned_at']} is not when the phone scanned it "
        f"({datetime.fromtimestamp(scan['before'], timezone.utc):%H:%M:%S.%f})")
    assert received >= online_at - 0.5, f"{row['ref']} reached the server while offline"
    assert received - scanned > OFFLINE_S, "the replay time was stored, not the scan time"


# --- the gate -------------------------------------------------------------------------------------

def test_offline_gate_keeps_entries_and_an_exit_through_a_reload_and_replays_each_once_in_order(
        served, phone, cable, gate_state):
    people = served.take_cards(5)
    refs = [p.ref for p in people]
    context = phone(storage_state=gate_state)          # the paired gate's cookie (cookies ignore the port)
    page = context.new_page()
    errors = page_errors(page)
    page.goto("/gate")
    page.wait_for_selector("#net-online:not([hidden])")
    page.wait_for_function("() => document.getElementById('camera-note').textContent !== ''"
                           " || !document.getElementById('scanner').hidden")   # the scanner listens
    before_stats = stats(served)

    network_down(context, cable)
    offline_at = time.time()
    page.wait_for_selector("#net-offline:not([hidden])")

    # Five entries, then the first person leaves: each code typed by the USB scanner
    # (the exit by the short manual code, so both kinds of code go through the queue).
    planned = [(p.token, "entry", p.ref) for p in people] + [(people[0].manual_code, "exit", people[0].ref)]
    scans: list[dict] = []
    for n, (code, kind, ref) in enumerate(planned, start=1):
        if kind == "exit":
            page.click(".mode-switch button[data-mode=exit]")
            page.wait_for_selector("#mode-banner[data-mode=exit]")
        before = time.time()
        wedge(page, code)
        page.wait_for_function("(n) => document.querySelectorAll('#recent li').length === n", arg=n)
        scans.append({"code": code, "kind": kind, "ref": ref, "before": before, "after": time.time()})
        page.wait_for_timeout(GAP_MS)
    page.wait_for_function("() => document.getElementById('queue').textContent.trim().startsWith('6 ')")
    assert page.locator("#queue").is_visible()
    assert page.locator("#recent li[data-kind=bad]").count() == 0, page.inner_text("#recent")

    queued = read_queue(page, GATE_QUEUE)
    assert [(i["body"]["code"], i["body"]["type"]) for i in queued["items"]] == [(s["code"], s["kind"]) for s in scans]
    assert len({i["nonce"] for i in queued["items"]}) == 6 and queued["failed"] == []
    assert gate_rows(served, refs) == [], "a scan reached the server while offline"

    reload_offline(page)
    wait_out(scans[-1]["after"])
    assert gate_rows(served, refs) == [], "a scan reached the server while offline"

    network_up(context, cable)
    online_at = time.time()
    offline_for = online_at - offline_at
    page.goto("/gate")
    page.wait_for_selector("#net-online:not([hidden])")
    wait_queue_empty(page, GATE_QUEUE)
    replayed_in = time.time() - online_at

    rows = gate_rows(served, refs)
    assert [(r["ref"], r["type"], r["status"]) for r in rows] == (
        [(ref, "entry", "ok") for ref in refs] + [(refs[0], "exit", "exit_recorded")])
    assert [r["nonce"] for r in rows] == [i["nonce"] for i in queued["items"]]
    for row, scan in zip(rows, scans):
        assert_scanned_when_recorded(row, scan, online_at)
    page.wait_for_function("() => document.querySelectorAll('#recent li').length === 6")   # each replay shown
    after_stats = stats(served)
    assert after_stats["checked_in"] - before_stats["checked_in"] == 5
    assert after_stats["inside"] - before_stats["inside"] == 4

    # The same queue replayed a second time (a phone that never heard the answers): nothing new.
    page.evaluate(_PUT_BACK, [GATE_QUEUE, queued["items"]])
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#recent li').length === 6")   # all answered again
    wait_queue_empty(page, GATE_QUEUE)
    assert [tuple(r) for r in gate_rows(served, refs)] == [tuple(r) for r in rows]
    again = stats(served)
    assert (again["checked_in"], again["inside"]) == (after_stats["checked_in"], after_stats["inside"])
    assert not errors, errors
    print(f"\ngate: 6 scans queued, {offline_for:.1f} s offline, replayed in {replayed_in:.2f} s")


# --- the booth ------------------------------------------------------------------------------------

def test_offline_booth_keeps_scans_and_ratings_through_a_reload_and_replays_each_once_in_order(
        served, phone, cable):
    code, (link, _spare) = served.take_booth()
    a, b, c = served.take_cards(3)
    queue_name = f"fair-queue-booth-{code}"
    context = phone()
    page = open_pairing_link(context, link.replace(served.base, cable.base), "/booth")
    errors = page_errors(page)
    with page.expect_navigation():
        page.click(".name-prompt button[name=skip]")
    page.wait_for_selector("#live-status[data-state=online]")

    network_down(context, cable)
    offline_at = time.time()
    page.wait_for_selector("#live-status[data-state=offline]")

    def queued(n: int) -> None:
        page.wait_for_function(
            "(n) => { const b = document.getElementById('queue-badge');"
            " return !b.hidden && b.textContent.trim().startsWith(String(n) + ' '); }", arg=n)

    scans: list[dict] = []

    def scan(person, text: str, n: int) -> None:
        before = time.time()
        wedge(page, text)
        queued(n)
        page.wait_for_selector("#cand-status[data-state=queued]")
        scans.append({"ref": person.ref, "code": text, "before": before, "after": time.time()})
        page.wait_for_timeout(GAP_MS)

    def rate(stars: int, n: int) -> None:
        page.click(f"#qualify [data-rating='{stars}']")
        queued(n)
        assert page.get_attribute(f"[data-rating='{stars}']", "aria-pressed") == "true"

    scan(a, a.token, 1)
    rate(4, 2)                        # an edit on a scan that has not reached the server yet
    scan(b, b.token, 3)
    scan(c, c.token, 4)
    rate(2, 5)
    scan(a, a.manual_code, 6)         # the first candidate comes back: the same lead, updated

    queue = read_queue(page, queue_name)
    ops = [(i["body"]["op"], i["body"]["payload"]["code"] if i["body"]["op"] == "scan" else i["body"]["fields"])
           for i in queue["items"]]
    assert ops == [("scan", a.token), ("edit", {"rating": 4}), ("scan", b.token), ("scan", c.token),
                   ("edit", {"rating": 2}), ("scan", a.manual_code)]
    assert queue["failed"] == []
    assert booth_rows(served, code) == [] and leads_by_ref(served, code) == {}, "sent while offline"

    reload_offline(page)
    wait_out(scans[-1]["after"])
    assert booth_rows(served, code) == [] and leads_by_ref(served, code) == {}, "sent while offline"

    network_up(context, cable)
    online_at = time.time()
    offline_for = online_at - offline_at
    page.goto("/booth")
    wait_queue_empty(page, queue_name)
    replayed_in = time.time() - online_at
    page.wait_for_function("() => document.querySelectorAll('#lead-list .lead-item').length === 3")

    rows = booth_rows(served, code)
    assert [(r["ref"], r["status"]) for r in rows] == [
        (a.ref, "ok"), (a.ref, "updated"), (b.ref, "ok"), (c.ref, "ok"), (c.ref, "updated"), (a.ref, "updated")]
    assert [r["nonce"] for r in rows] == [i["nonce"] for i in queue["items"]]
    scan_rows = [rows[0], rows[2], rows[3], rows[5]]
    for row, made in zip(scan_rows, scans):
        assert_scanned_when_recorded(row, made, online_at)

    leads = leads_by_ref(served, code)
    assert set(leads) == {a.ref, b.ref, c.ref}, "one lead per candidate"
    assert (leads[a.ref]["rating"], leads[b.ref]["rating"], leads[c.ref]["rating"]) == (4, None, 2)
    first_a = datetime.fromisoformat(leads[a.ref]["first_scanned_at"].replace("Z", "+00:00")).timestamp()
    last_a = datetime.fromisoformat(leads[a.ref]["last_scanned_at"].replace("Z", "+00:00")).timestamp()
    assert abs(first_a - epoch(rows[0]["scanned_at"])) < 0.01, "the lead's first scan is the phone's time"
    assert abs(last_a - epoch(rows[5]["scanned_at"])) < 0.01, "the lead's last scan is the phone's time"

    # The same queue replayed a second time: the server answers from its receipts, nothing changes.
    page.evaluate(_PUT_BACK, [queue_name, queue["items"]])
    page.reload()
    page.wait_for_selector("#queue-badge:not([hidden])", state="attached")   # the reload found them...
    wait_queue_empty(page, queue_name)                                        # ...and sent them
    assert [tuple(r) for r in booth_rows(served, code)] == [tuple(r) for r in rows]
    assert leads_by_ref(served, code) == leads
    assert page.locator("#lead-list .lead-item").count() == 3
    assert page.locator("#failed-badge").is_hidden()
    assert not errors, errors
    print(f"\nbooth: 4 scans and 2 ratings queued, {offline_for:.1f} s offline, replayed in {replayed_in:.2f} s")
