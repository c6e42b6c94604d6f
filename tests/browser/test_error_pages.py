"""The embedded default's error pages in real Chromium: what `make run` shows a visitor.

The server is the real embedded default (`manage.py runserver` with no environment: the local
settings, SQLite under a fresh var/), not the test settings, so this sees what a newcomer's
visitors see: the site's own 404 and 500 pages, never Django's debug pages with the URL
patterns, settings or a traceback. Its database is left unmigrated, so the campaign list
fails the way a server error does.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEBUG_PAGE = ("URLconf", "Django tried these URL patterns", "DEBUG = True", "Traceback")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def embedded_server(tmp_path):
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "NHITWEEK_VAR_DIR": str(tmp_path / "var"),
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "server.log").read_text())
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", tmp_path / "server.log"
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_the_embedded_default_shows_the_sites_own_404_and_500_pages(page, embedded_server):
    url, log = embedded_server
    missing = page.goto(f"{url}/no-such-page/")
    assert missing.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    assert page.locator("a", has_text="See all campaigns").count() == 1
    # In the site's look: its stylesheet is served (DEBUG off serves it from the source).
    sheet = page.evaluate("[...document.styleSheets].map(s => s.href).find(h => /site/.test(h))")
    assert sheet and page.request.get(sheet).status == 200
    content = page.content()
    assert not [marker for marker in DEBUG_PAGE if marker in content], content[:500]

    failing = page.goto(f"{url}/")  # no tables yet: the list's query fails
    assert failing.status == 500
    assert page.locator("h1").inner_text() == "Something went wrong on our side"
    content = page.content()
    assert not [marker for marker in DEBUG_PAGE if marker in content], content[:500]
    assert "no such table" not in content
    # The developer still has the traceback, in the console.
    assert "Traceback" in log.read_text() and "no such table" in log.read_text()
