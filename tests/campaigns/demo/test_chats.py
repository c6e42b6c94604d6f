"""seed_demo's chats: each edition's Tuesday and Thursday chats as the demo source makes them
(hashtag, host, hour, questions), numbers worth showing for every chat whose day has passed,
and a second seed that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from campaigns.chats.markers import question_number
from campaigns.chats.numbers import chat_numbers
from campaigns.chats.selectors import chat_transcript
from campaigns.demo.chats import CHAT_HASHTAG, chat_starts
from campaigns.demo.posts import demo_client
from campaigns.demo.seed import DEMO_HASHTAGS, demo_seed
from campaigns.models import Campaign, Chat, ChatHost, ChatQuestion
from campaigns.posts import campaign_posts
from hashtags.sources.demo_content import HOST
from tests.support.factories import CampaignFactory

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]

# As test_seed: a Monday evening in New York, 2026's chats both ahead.
MONDAY = datetime(2026, 10, 5, 23, 30, tzinfo=UTC)
WEDNESDAY = datetime(2026, 10, 7, 16, 0, tzinfo=UTC)  # noon: Tuesday's chat passed, Thursday's not
TUESDAY_CHAT = datetime(2026, 10, 6, 18, 35, tzinfo=UTC)  # 14:35, Q4 out, Q5 not yet


def _numbers(campaign: str, slug: str) -> dict:
    chat = Chat.objects.get(campaign__slug=campaign, slug=slug)
    return chat_numbers(transcript=chat_transcript(chat=chat))


def _chat_rows() -> list[tuple]:
    return [
        *Chat.objects.values_list("pk", "campaign_id", "slug", "title", "start", "updated_at"),
        *ChatHost.objects.values_list("pk", "chat_id", "platform", "handle"),
        *ChatQuestion.objects.values_list("pk", "chat_id", "number", "planned_at", "text"),
    ]


def test_each_edition_has_a_tuesday_and_a_thursday_chat_at_the_hour_the_source_chats():
    demo_seed(now=MONDAY)
    for slug, days in (("nhit-week-2025", (7, 9)), ("nhit-week-2026", (6, 8))):
        campaign = Campaign.objects.get(slug=slug)
        chats = list(Chat.objects.filter(campaign=campaign))
        assert [c.slug for c in chats] == ["tuesday-chat", "thursday-chat"]
        assert [c.title.split(":")[0] for c in chats] == ["Tuesday chat", "Thursday chat"]
        for chat, day in zip(chats, days, strict=True):
            assert (chat.local_start.day, chat.local_start.time()) == (day, time(14, 0))
            assert chat.end - chat.start == timedelta(hours=1)
            assert chat.hashtag.display == CHAT_HASHTAG
            assert list(chat.hosts.values_list("platform", "handle")) == [("demo", HOST[0])]


def test_the_planned_questions_are_the_hosts_posts_at_their_minutes():
    demo_seed(now=MONDAY)
    chat = Chat.objects.get(campaign__slug="nhit-week-2025", slug="thursday-chat")
    questions = list(chat.questions.all())
    assert [q.number for q in questions] == [1, 2, 3, 4, 5, 6]
    client = demo_client(MONDAY)
    for question in questions:
        host_post = client.minute_posts(hashtags=DEMO_HASHTAGS, minute=question.planned_at)[0]
        assert (host_post.author.handle, host_post.created_at) == (HOST[0], question.planned_at)
        assert question_number(host_post.text) == question.number
        # The host's text, whichever of the campaign's tags the source gave this post.
        asked = question.text.removesuffix(f"#{CHAT_HASHTAG}")
        assert host_post.text.startswith(f"Q{question.number}: {asked}")


def test_a_past_chat_has_every_question_answered_and_first_time_participants():
    demo_seed(now=MONDAY)
    first = _numbers("nhit-week-2025", "tuesday-chat")
    assert [q["number"] for q in first["questions"]] == [1, 2, 3, 4, 5, 6]
    assert all(q["answers"] > 0 and q["participants"] > 0 for q in first["questions"])
    assert first["host_posts"] > 0 and first["intro"] > 0
    # The demo's first chat ever: everybody in it is there for the first time.
    assert first["participants"] == first["first_time"] > 0
    second = _numbers("nhit-week-2025", "thursday-chat")
    assert all(q["answers"] > 0 for q in second["questions"])
    assert second["returning"] > 0
    assert second["first_time"] > 0  # that day's newcomers
    assert second["first_time"] + second["returning"] == second["participants"]
    # The host's question posts are found, asking at the planned minute.
    chat = Chat.objects.get(campaign__slug="nhit-week-2025", slug="tuesday-chat")
    asked = {q.number: q.asked_at for q in chat_transcript(chat=chat).questions if q.post}
    planned = dict(chat.questions.values_list("number", "planned_at"))
    assert sorted(asked) == [1, 2, 3, 4, 5, 6]  # the host always posts on the chat's tag
    assert asked == {n: planned[n] for n in asked}


def test_a_2026_chat_whose_day_passed_has_returning_participants_and_one_ahead_has_no_posts():
    demo_seed(now=WEDNESDAY)
    tuesday = _numbers("nhit-week-2026", "tuesday-chat")
    assert all(q["answers"] > 0 for q in tuesday["questions"])
    assert tuesday["participants"] > 0
    assert tuesday["returning"] > 0  # they chatted in 2025 too
    assert tuesday["first_time"] > 0  # and the day's newcomers did not
    thursday = _numbers("nhit-week-2026", "thursday-chat")
    assert (thursday["posts"], thursday["participants"]) == (0, 0)
    assert len(thursday["questions"]) == 6  # planned, waiting for the host


def test_a_seed_during_a_chat_polls_the_campaigns_own_tags():
    # The chat's tag is one of the campaign's, so the live poll reads the same demo world as
    # the history: one stream of ids, no second copy of the week for another set of tags.
    demo_seed(now=TUESDAY_CHAT)
    campaign = Campaign.objects.get(slug="nhit-week-2026")
    world = "demo-" + "+".join(sorted(tag.lower() for tag in DEMO_HASHTAGS)) + "-"
    ids = set(campaign_posts(campaign=campaign).values_list("external_id", flat=True))
    assert {i for i in ids if not i.startswith(world)} == {"demo-welcome-nhit-week-2026"}
    live = _numbers("nhit-week-2026", "tuesday-chat")
    assert [q["answers"] > 0 for q in live["questions"]] == [True] * 4 + [False] * 2


def test_a_second_seed_changes_no_chat_and_a_deleted_one_comes_back():
    demo_seed(now=MONDAY)
    before = _chat_rows()
    assert (Chat.objects.count(), ChatHost.objects.count(), ChatQuestion.objects.count()) == (
        4,
        4,
        24,
    )
    second = demo_seed(now=MONDAY)
    assert not any("chats" in line for line in second.created)
    assert _chat_rows() == before
    Chat.objects.filter(campaign__slug="nhit-week-2025", slug="thursday-chat").delete()
    third = demo_seed(now=MONDAY + timedelta(hours=1))
    assert third.created == ["chats of NHIT Week 2025: thursday-chat"]
    assert (Chat.objects.count(), ChatQuestion.objects.count()) == (4, 24)


def test_a_chat_is_only_scheduled_on_a_chat_day_it_fits_inside_the_campaign():
    # Wednesday noon to Thursday 14:30 local: Tuesday is before it, Thursday's hour runs past it.
    start = datetime(2026, 10, 7, 16, 0, tzinfo=UTC)
    short = CampaignFactory(start=start, end=start + timedelta(hours=26, minutes=30))
    assert chat_starts(campaign=short) == []
    longer = CampaignFactory(start=start, end=start + timedelta(days=2))
    assert [s.isoformat() for s in chat_starts(campaign=longer)] == ["2026-10-08T14:00:00-04:00"]
