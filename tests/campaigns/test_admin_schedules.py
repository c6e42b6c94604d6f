"""The admin's periodic tasks: the ones from settings are read-only and say that settings win.

Beat's DatabaseScheduler writes every settings.CELERY_BEAT_SCHEDULE entry over its row at each
start (all but `enabled`), so an interval edited in the admin would silently come back.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from nhitweek.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def beat_starts(monkeypatch):
    """What beat does to the database when it starts (no broker needed for that)."""
    # Beat drops stale connections first; inside the test's transaction that would drop this one.
    monkeypatch.setattr("django_celery_beat.schedulers.close_old_connections", lambda: None)
    return lambda: DatabaseScheduler(app=celery_app)


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def polls(beat_starts) -> PeriodicTask:
    beat_starts()
    return PeriodicTask.objects.get(name="schedule-polls")


def change_url(task: PeriodicTask) -> str:
    return f"/admin/django_celery_beat/periodictask/{task.pk}/change/"


def test_every_scheduled_entry_names_the_variable_that_sets_its_interval() -> None:
    assert set(settings.CELERY_BEAT_SCHEDULE_ENV) == set(settings.CELERY_BEAT_SCHEDULE)


def test_beat_start_rewrites_an_edited_interval_but_keeps_enabled(polls, beat_starts) -> None:
    polls.interval = IntervalSchedule.objects.create(every=999, period=IntervalSchedule.SECONDS)
    polls.enabled = False
    polls.save()
    beat_starts()
    polls.refresh_from_db()
    assert polls.interval.every == settings.CELERY_BEAT_SCHEDULE["schedule-polls"]["schedule"]
    assert polls.enabled is False


def test_a_task_from_settings_says_settings_win_and_names_its_variable(as_admin, polls) -> None:
    page = as_admin.get(change_url(polls)).content.decode()
    assert "settings win" in page
    assert "POLL_SCHEDULER_SECONDS" in page
    assert 'name="interval"' not in page
    assert 'name="task"' not in page
    assert 'name="enabled"' in page


def test_posting_a_new_interval_for_a_task_from_settings_changes_only_enabled(
    as_admin, polls
) -> None:
    other = IntervalSchedule.objects.create(every=999, period=IntervalSchedule.SECONDS)
    before = polls.interval_id
    response = as_admin.post(
        change_url(polls), {"interval": other.pk, "task": "hashtags.heartbeat", "name": "x"}
    )
    assert response.status_code == 302
    polls.refresh_from_db()
    assert (polls.interval_id, polls.task, polls.name) == (
        before,
        "campaigns.schedule_polls",
        "schedule-polls",
    )
    assert polls.enabled is False  # the unticked box: the one thing beat keeps


def test_a_task_from_settings_cannot_be_deleted(as_admin, polls) -> None:
    delete_url = change_url(polls).replace("/change/", "/delete/")
    assert as_admin.get(delete_url).status_code == 403
    assert as_admin.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = as_admin.post(
        "/admin/django_celery_beat/periodictask/",
        {"action": "delete_selected", "_selected_action": [polls.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert PeriodicTask.objects.filter(pk=polls.pk).exists()


def test_a_task_added_in_the_admin_stays_editable(as_admin, polls) -> None:
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    own = PeriodicTask.objects.create(name="own", task="hashtags.heartbeat", interval=every_hour)
    page = as_admin.get(change_url(own)).content.decode()
    assert 'name="interval"' in page
    assert "settings win" not in page


def test_the_list_says_what_sets_each_interval(as_admin, polls) -> None:
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.create(name="own", task="hashtags.heartbeat", interval=every_hour)
    page = as_admin.get("/admin/django_celery_beat/periodictask/").content.decode()
    assert "HEARTBEAT_INTERVAL_SECONDS" in page
    assert "this admin" in page
