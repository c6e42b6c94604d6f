"""create_chat: a chat from the command line, bad input refused with nothing stored; the
polling of a chat's own hashtag from its lead-in to its tail; export_chat's --output file,
which appears only once complete."""

from __future__ import annotations

import io
import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from campaigns.jobs.scheduling import active_hashtag_ids
from campaigns.models import Chat, ChatHost, ChatQuestion
from hashtags.models import Hashtag
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 10, 6, 18, 0, tzinfo=UTC)


@pytest.fixture
def campaign():
    return CampaignFactory(
        slug="nhit", start=START - timedelta(days=1), end=START + timedelta(days=4)
    )


def create(*extra: str, hosts: str = "x:@HostX,mastodon:Host@Mastodon.Social") -> str:
    out = io.StringIO()
    args = ["nhit", "tuesday", "--title", "Tuesday chat", "--hashtag", "#NHITchat"]
    args += ["--start", "2026-10-06T14:00", "--end", "2026-10-06T15:00", "--hosts", hosts]
    call_command("create_chat", *args, *extra, stdout=out)
    return out.getvalue()


def test_it_creates_a_chat_in_the_campaign_zone_with_normalized_hosts_and_questions(
    campaign, tmp_path
):
    plan = tmp_path / "q.txt"
    plan.write_text("1|14:05|What does health IT mean to you?\n\n2|14:20|Where does it stall?\n")
    assert create("--questions", str(plan)).startswith("created: nhit/tuesday")
    chat = Chat.objects.get()
    assert (chat.start, chat.end, chat.hashtag.name, chat.tail_minutes) == (
        START,
        START + timedelta(hours=1),
        "nhitchat",
        30,
    )
    hosts = set(ChatHost.objects.values_list("platform", "handle"))
    assert hosts == {("x", "hostx"), ("mastodon", "host@mastodon.social")}
    first = ChatQuestion.objects.get(number=1)
    assert first.planned_at == START + timedelta(minutes=5)
    assert create(hosts="bluesky:Host.BSKY.social").startswith("updated:")
    assert list(ChatHost.objects.values_list("platform", "handle")) == [
        ("bluesky", "host.bsky.social")
    ]
    assert ChatQuestion.objects.count() == 2  # no --questions: the plan stays


def test_a_question_without_a_time_is_planned_with_none(campaign, tmp_path):
    plan = tmp_path / "q.txt"
    plan.write_text("# the plan\n1|14:05|Timed\n2||Whenever it fits | with a bar\n")
    create("--questions", str(plan))
    assert list(ChatQuestion.objects.values_list("number", "planned_at", "text")) == [
        (1, START + timedelta(minutes=5), "Timed"),
        (2, None, "Whenever it fits | with a bar"),
    ]


@pytest.mark.parametrize(
    ("extra", "hosts", "lines", "message"),
    [
        ((), "x:HostX", "1|25:00|bad hour", "not a time of day"),
        ((), "x:HostX", "one|14:00|no number", "expected N|HH:MM|text"),
        ((), "x:HostX", "1|14:00|a\n1|14:10|twice", "only once"),
        ((), "mastodon:nohost", "", "user@server"),
        ((), "myspace:tom", "", "not a platform"),
        ((), "HostX", "", "PLATFORM:HANDLE"),
        (("--end", "2026-10-06T13:00"), "x:HostX", "", "after the start"),
        (("--start", "1999-01-01T10:00"), "x:HostX", "", "between"),
        (("--start", "tomorrow"), "x:HostX", "", "not an ISO"),
        (("--hashtag", "#no tag"), "x:HostX", "", "not a valid hashtag"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(campaign, tmp_path, extra, hosts, lines, message):
    plan = tmp_path / "q.txt"
    plan.write_text(lines)
    tags_before = Hashtag.objects.count()
    with pytest.raises(CommandError, match=message):
        create("--questions", str(plan), *extra, hosts=hosts)
    assert (Chat.objects.count(), ChatHost.objects.count(), ChatQuestion.objects.count()) == (
        0,
        0,
        0,
    )
    assert Hashtag.objects.count() == tags_before


def test_a_bad_update_leaves_the_chat_as_it_was(campaign):
    create()
    with pytest.raises(CommandError):
        create("--end", "2026-10-06T13:00", hosts="x:Other")
    chat = Chat.objects.get()
    assert chat.end == START + timedelta(hours=1)
    assert ChatHost.objects.filter(chat=chat).count() == 2


def test_an_unknown_campaign_or_chat_is_a_clear_error(campaign):
    with pytest.raises(CommandError, match="No campaign 'nope'"):
        call_command(
            "create_chat",
            "nope",
            "c",
            "--title",
            "t",
            "--hashtag",
            "x",
            "--start",
            "2026-10-06T14:00",
            "--end",
            "2026-10-06T15:00",
            "--hosts",
            "x:a",
        )
    with pytest.raises(CommandError, match="No chat 'nope'"):
        call_command("export_chat", "nhit", "nope", "--format", "json")


@override_settings(POLL_LEAD_IN_MINUTES=60, POLL_TAIL_MINUTES=24 * 60)
def test_a_chats_own_hashtag_is_polled_from_its_lead_in_to_its_tail():
    # The campaign ended long before: only the chat keeps its own tag collected.
    campaign = CampaignFactory(
        slug="nhit", start=START - timedelta(days=10), end=START - timedelta(days=5)
    )
    create("--tail", "45")
    chat = Chat.objects.get(campaign=campaign)
    tag = chat.hashtag_id
    assert tag not in active_hashtag_ids(now=START - timedelta(minutes=61))
    assert tag in active_hashtag_ids(now=START - timedelta(minutes=60))
    assert tag in active_hashtag_ids(now=START + timedelta(minutes=30))
    assert tag in active_hashtag_ids(now=chat.end + timedelta(minutes=45))
    assert tag not in active_hashtag_ids(now=chat.end + timedelta(minutes=46))
    assert tag in active_hashtag_ids(now=START, campaign_slug="nhit")
    assert tag not in active_hashtag_ids(now=START, campaign_slug="other")


# --- export_chat --output: the file appears only once complete ----------------------------------


def export(*extra: str) -> str:
    out = io.StringIO()
    call_command("export_chat", "nhit", "tuesday", "--format", "json", *extra, stdout=out)
    return out.getvalue()


def test_an_output_file_holds_what_stdout_shows_and_replaces_the_old_one(campaign, tmp_path):
    create()
    target = tmp_path / "numbers.json"
    target.write_text("the previous export\n")
    export("--output", str(target))
    assert target.read_text(encoding="utf-8") == export()
    assert json.loads(target.read_text())["chat"] == "tuesday"
    assert [p.name for p in tmp_path.iterdir()] == ["numbers.json"]  # no temporary file left
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # a normal file, not private


def test_an_export_interrupted_before_the_rename_leaves_the_old_file(
    campaign, tmp_path, monkeypatch
):
    create()
    target = tmp_path / "numbers.json"
    target.write_text("the previous export\n")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("campaigns.management.output.os.fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export("--output", str(target))
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["numbers.json"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/numbers.json", "no such folder"),
        ("a-file/numbers.json", "no such folder"),
        ("a-folder", "Is a directory"),  # the target itself is a folder: replacing it fails
    ],
)
def test_an_output_that_cannot_be_written_is_a_clear_error_leaving_nothing(
    campaign, tmp_path, where, message
):
    create()
    (tmp_path / "a-file").write_text("not a folder\n")
    (tmp_path / "a-folder").mkdir()
    with pytest.raises(CommandError, match=rf"--output .*{message}"):
        export("--output", str(tmp_path / where))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder"]
    assert list((tmp_path / "a-folder").iterdir()) == []


def test_a_folder_it_may_not_write_in_is_a_clear_error_leaving_nothing(
    campaign, tmp_path, monkeypatch
):
    create()
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root writes anywhere: the OS's refusal, as it would come

        def refused(**kwargs):
            raise PermissionError(13, "Permission denied", str(kwargs["dir"]))

        monkeypatch.setattr("campaigns.management.output.tempfile.mkstemp", refused)
    with pytest.raises(CommandError, match=r"cannot write in .*locked.*Permission denied"):
        export("--output", str(folder / "numbers.json"))
    folder.chmod(0o755)
    assert list(folder.iterdir()) == []
