"""Fixtures for the real-browser tests: one served demo fair, headless Chromium, phones and laptops.

One `fair serve` (eventlet, its own FAIR_INSTANCE, a free port) is started for
the whole session and shared by every module; each journey uses its own
attendees and booths so the journeys do not see each other's data. Browsers
are Debian's Chromium driven by Playwright (``playwright install`` cannot
download browsers here). A browser whose camera plays a Y4M video is launched
per video (Chromium takes the fake-camera file per launch) and closed at the
end of the test that asked for it.

Every test in this folder is marked ``browser`` and skipped, with the reason,
when /usr/bin/chromium or Playwright is missing; `make test` installs Chromium.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests

from tests.browser.helpers import (CHROMIUM, CHROMIUM_ARGS, FAIR, FAKE_CAMERA_ARGS, LAPTOP, LOCALES, PHONE,
                                   TIMEOUT_MS, ServedFair, free_port)

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the test extra is not installed
    sync_playwright = None


def _missing() -> str | None:
    if sync_playwright is None:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (Debian/Ubuntu: apt-get install chromium; `make test` installs it)"
    return None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = _missing()
    mine = [item for item in items if here in Path(str(item.fspath)).parents]
    if reason and mine and os.environ.get("CI"):
        # CI installs Chromium (`make test`): a skipped browser suite there would hide a broken set-up.
        raise pytest.UsageError(f"browser tests cannot run in CI: {reason}")
    for item in mine:
        item.add_marker(pytest.mark.browser)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


# --- the served fair -------------------------------------------------------------------------

def _free_port() -> int:
    return free_port()     # FAIR_TEST_PORTS, when set, names the range


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Iterator[ServedFair]:
    """A demo fair (120 attendees, 20 booths) served by `fair serve` on a free port, for the session.

    FAIR_BASE_URL makes the pairing links point at it, as `fair serve` would print them on a laptop.
    """
    home = tmp_path_factory.mktemp("fair")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FAIR_INSTANCE": str(home / "instance"), "FAIR_BASE_URL": base,
           "FAIR_LIVE_BATCH_INTERVAL": "0.25"}
    for name in ("FAIR_ASYNC_MODE", "FAIR_DATABASE_URL"):
        env.pop(name, None)
    init = subprocess.run([FAIR, "init"], env=env, check=True, capture_output=True, text=True)
    password = re.search(r"password:\s*(\S+)", init.stdout).group(1)
    subprocess.run([FAIR, "demo", "--attendees", "120", "--booths", "20"], env=env, check=True,
                   capture_output=True)
    log = home / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([FAIR, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    fair = ServedFair(base, env, password, log)
    try:
        fair.prepare()          # while the server starts
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail("fair serve exited:\n" + fair.log_tail())
            try:
                requests.get(base + "/", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("fair serve did not answer within 30 s:\n" + fair.log_tail())
                time.sleep(0.2)
        yield fair
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


# --- browsers --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_driver():
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


def _launch(driver, extra_args=()):
    return driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                  args=[*CHROMIUM_ARGS, *extra_args], timeout=60_000)


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """One Chromium with no camera: pages that could scan fall back to a photo and typing."""
    b = _launch(playwright_driver)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def camera_browser(playwright_driver) -> Iterator[Callable]:
    """Factory: camera_browser(video) -> a Chromium whose camera plays that Y4M file; closed after the test."""
    launched: list = []

    def launch(video: Path):
        b = _launch(playwright_driver, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={video}"])
        launched.append(b)
        return b

    yield launch
    for b in launched:
        try:
            b.close()
        except Exception:  # already closed: nothing left to clean
            pass


@pytest.fixture
def new_context(browser, served) -> Iterator[Callable]:
    """Factory: new_context("phone"|"laptop", "th"|"en", browser_=other, **playwright_options).

    Phone is 360 x 740 (touch, mobile), laptop 1366 x 768; the locale sets the
    page language through Accept-Language. Every context is closed after the test.
    """
    made: list = []

    def make(size: str = "phone", lang: str = "th", *, browser_=None, **options):
        shape = PHONE if size == "phone" else LAPTOP
        ctx = (browser_ or browser).new_context(base_url=served.base, locale=LOCALES[lang], **shape, **options)
        ctx.set_default_timeout(TIMEOUT_MS)
        ctx.set_default_navigation_timeout(TIMEOUT_MS * 2)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        try:
            ctx.close()
        except Exception:  # its browser was closed first
            pass


@pytest.fixture(scope="session")
def gate_state(served, browser):
    """A gate paired once by opening its pairing link; its cookies then open /gate in any browser
    (each fake-camera video needs a browser of its own)."""
    context = browser.new_context(base_url=served.base)
    try:
        page = context.new_page()
        page.goto(served.gate_link)
        page.wait_for_url("**/gate")
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory) -> Iterator[Path]:
    """Where the fake-camera videos go: a temporary directory, never the repository."""
    path = tmp_path_factory.mktemp("camera")
    yield path
    shutil.rmtree(path, ignore_errors=True)
