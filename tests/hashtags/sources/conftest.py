"""Every source test starts and ends with the process-wide Bluesky stores empty (sessions,
follower counts), so no test sees another's login or cached counts."""

from __future__ import annotations

import pytest

from hashtags.sources.bluesky import sessions_forget
from hashtags.sources.bluesky_profiles import followers_forget


@pytest.fixture(autouse=True)
def _bluesky_stores_empty():
    sessions_forget()
    followers_forget()
    yield
    sessions_forget()
    followers_forget()
