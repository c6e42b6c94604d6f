"""Real Chromium (Debian's package) driven by Playwright against Django's live server.

Browser tests never skip: a missing Chromium is a failure that says how to install it.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body
# are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class _InFlight:
    """Requests the live server is still answering. Django's request signals also fire for the
    test client, in the main thread, whose streamed answers may never be closed: only the live
    server's own threads are counted."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)

    def started(self, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            with self.lock:
                self.count += 1

    def finished(self, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            with self.lock:
                self.count -= 1
                self.idle.notify_all()


_in_flight = _InFlight()
request_started.connect(_in_flight.started, dispatch_uid="browser-in-flight-started")
request_finished.connect(_in_flight.finished, dispatch_uid="browser-in-flight-finished")


@pytest.fixture(autouse=True)
def _live_server_quiet():
    """Let the live server finish what a closed page asked for before the test database is
    flushed: a dashboard or wall request still running during the flush's TRUNCATE can
    deadlock with it. Autouse fixtures of this folder are torn down after the test's pages and
    before pytest-django's database teardown."""
    yield
    with _in_flight.lock:
        _in_flight.idle.wait_for(lambda: _in_flight.count <= 0, timeout=10)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium is not installed: apt-get install -y chromium (make test does it).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def dialogs(page) -> list[str]:
    """The messages of every alert/confirm/prompt the page opens (each dismissed)."""
    opened: list[str] = []

    def record(dialog):
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def select2_search(page, select: str, typed: str, option: str):
    """Open the admin's select2 box over `select`, type, and return `option` once it shows."""
    page.locator(f"{select} + .select2 .select2-selection").click()
    page.locator(".select2-search__field").fill(typed)
    found = page.get_by_role("option", name=option)
    found.wait_for()
    return found
