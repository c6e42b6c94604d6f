"""Hostile query strings never make a 500: every JSON endpoint's parameters and every registered
model admin's list lookups, fuzzed with hypothesis (derandomized, so a run is reproducible)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib import admin
from django.db import models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.endpoints import JSON_ENDPOINTS
from tests.support.wall_data import store

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=90,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PARAMS = ("range", "start", "end", "granularity", "platform", "hashtag", "limit", "refresh")
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "-0",
    "99999",
    "9" * 40,
    "1e400",
    "nan",
    "inf",
    "custom",
    "campaign",
    "1h",
    "minute",
    "x",
    "NHITweek",
    "#nhitweek",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59:59.999999",
    "9999-12-31T23:59-05:00",
    "2026-10-01T00:00+16:00",
    "2026-10-01T00:00-23:59",
    "2026-10-01T00:00+14:00:30",
    "2026-10-01T00:00:00.123456+05:45",
    "2026-10-01T00:00Z",
    "2026-02-30",
    "\x00",
    "a\x00b",
    "é",
    "\u202e\u200b",
    "🎉",
    "(",
    "[",
    "%",
    "\\",
    "'",
    '"',
    "x" * 5000,
]


def _offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# Years and offsets where the limits are: datetime's years 1 and 9999, the campaigns' 2000..2100,
# PostgreSQL's offsets (it refuses 16:00), and anything in between.
years = st.sampled_from([1, 2, 1999, 2000, 2026, 2099, 2100, 9998, 9999]) | st.integers(1, 9999)
offsets = st.none() | st.sampled_from([0, 14 * 60, -12 * 60, 16 * 60, -16 * 60, 23 * 60 + 59])
offsets |= st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)
moments = st.builds(
    lambda year, when, offset: (
        when.replace(year=year, day=min(when.day, 28)),
        "" if offset is None else _offset(offset),
    ),
    years,
    st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2001, 12, 31, 23, 59)),
    offsets,
)
instants = moments.map(lambda m: m[0].isoformat() + m[1])


def _window(moment, span: timedelta) -> dict[str, list[str]]:
    """range=custom from `moment` to `span` later (clamped to year 9999), both in its offset."""
    start, offset = moment
    end = min(start + span, datetime(9999, 12, 31, 23, 59)) if span else start
    return {
        "range": ["custom"],
        "start": [start.isoformat() + offset],
        "end": [end.isoformat() + offset],
    }


spans = st.sampled_from([timedelta(minutes=1), timedelta(days=1), timedelta(days=400)])
windows = st.builds(_window, moments, spans | st.timedeltas(timedelta(0), timedelta(days=500)))
values = (
    st.sampled_from(NASTY)
    | st.integers(min_value=-(10**30), max_value=10**30).map(str)
    | st.text(max_size=20)
    | instants
)
repeated = st.lists(values, min_size=1, max_size=3)  # ?start=a&start=b


@pytest.fixture
def fuzz_campaign(public_campaign):
    store(public_campaign, 1, 2, 3)
    return public_campaign


@FUZZ
@given(
    endpoint=st.sampled_from(JSON_ENDPOINTS),
    window=st.none() | windows,
    query=st.dictionaries(st.sampled_from(PARAMS), repeated, max_size=4),
)
def test_no_json_endpoint_answers_500_to_hostile_parameters(
    client, fuzz_campaign, endpoint, window, query
):
    # Half the examples are well-formed custom windows (anywhere in time), so the dates are
    # tried past the parser; the other parameters, or all of them, are hostile.
    if window is not None:
        query = {**query, **window}
    response = client.get(f"/c/{fuzz_campaign.slug}/api/{endpoint}", query)
    assert response.status_code in (200, 400), (query, response.content[:300])


# --- The admin's lists ----------------------------------------------------------------------------

DATE_PARTS = ("year", "month", "day", "week_day", "iso_year", "quarter", "week", "hour", "date")
OTHER_LOOKUPS = ("", "gte", "lt", "in", "regex", "iregex", "contains", "isnull", "range")
edges = st.sampled_from(["0", "-1", "1", "12", "13", "31", "32", "9999", "10000", "99999"])
edges |= st.sampled_from(["9" * 40, "0001-01-01", "9999-12-31"])
ADMINS = sorted(
    (
        (model._meta.app_label, model._meta.model_name, model_admin)
        for model, model_admin in admin.site._registry.items()
    ),
    key=lambda row: row[:2],
)


def _lookups(model_admin) -> list[str]:
    """The lookups a hostile visitor would try on this admin's model: every date part of every
    date field, the date hierarchy, other lookups on every concrete field, and the list's own
    parameters (search, order, page, show all)."""
    found = ["q", "o", "p", "all", "e", "_facets", "_to_field"]
    for field in model_admin.model._meta.concrete_fields:
        name = field.name if not field.is_relation else field.attname
        if isinstance(field, (models.DateField, models.DateTimeField)):
            found += [f"{name}__{part}" for part in DATE_PARTS]
        found += [f"{name}__{lookup}" if lookup else name for lookup in OTHER_LOOKUPS]
    if model_admin.date_hierarchy:
        found += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return found


@pytest.fixture
def as_admin(client, admin_user, fuzz_campaign):
    client.force_login(admin_user)
    return client


# A naive date typed into a lookup is the visitor's, not our code's: Django warns and makes it
# aware (the suite turns that warning into an error to catch naive datetimes in our own code).
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
@FUZZ
@given(data=st.data())
def test_no_admin_list_answers_500_to_hostile_lookups(as_admin, data):
    app, model, model_admin = data.draw(st.sampled_from(ADMINS), label="admin")
    lookups = _lookups(model_admin)
    dated = [name for name in lookups if name.rsplit("__", 1)[-1] in DATE_PARTS]
    # One date part at an edge of the datetime type, if the model has a date; then anything.
    query = data.draw(
        st.dictionaries(st.sampled_from(lookups), repeated, max_size=2), label="query"
    )
    if dated:
        key = data.draw(st.sampled_from(dated), label="date part")
        query[key] = [data.draw(edges | values, label="edge")]
    response = as_admin.get(f"/admin/{app}/{model}/", query)
    assert response.status_code in (200, 302, 400), (model, query, response.status_code)
