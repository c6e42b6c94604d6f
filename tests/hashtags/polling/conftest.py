"""The source_poll tests' hashtags (by normalized name) and their X source."""

from __future__ import annotations

import pytest

from tests.support.factories import SourceFactory
from tests.support.polling_data import INTERVAL, tags_make


@pytest.fixture
def tags(db):
    return tags_make("NHITweek", "HITworks", "IHeartHIT")


@pytest.fixture
def source(db):
    return SourceFactory(platform="x", poll_interval=INTERVAL)
