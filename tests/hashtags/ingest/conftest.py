"""The write path a test's batches take: polling pages (INSERT from arrays) or archive batches
(COPY into staging tables; on SQLite the page path all the same)."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["page", "copy"])
def path(request, monkeypatch):
    staged_min = 1 if request.param == "copy" else 10**9
    monkeypatch.setattr("hashtags.ingest.upsert.STAGED_MIN", staged_min)
    return request.param
