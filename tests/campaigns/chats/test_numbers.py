"""A realistic chat's numbers equal a count written here from the hand-made labels."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from campaigns.chats.selectors import chat_transcript
from campaigns.models import PostCuration
from hashtags.ingest import posts_upsert
from hashtags.models import Post
from tests.support.chat_data import (
    CHAT_START,
    ChatBuilder,
    editions_store,
    x_author,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored():
    return editions_store()


def export(chat, kind: str) -> str:
    out = io.StringIO()
    call_command("export_chat", chat.campaign.slug, chat.slug, "--format", kind, stdout=out)
    return out.getvalue()


# The hosts' question posts, by how their texts start.
QUESTION_POSTS = ("Q1:", "@HostX Q2.", "Question 3 Who", "q 4", "Q5 ")


def brute_force(items) -> dict:
    """The JSON's numbers counted from the labels alone."""
    mine = [i for i in items if i.label is not None]
    originals = [i for i in mine if i.label != "repost"]
    authors = {(i.data.platform, i.data.author.external_id) for i in mine}
    # HostX, Veteran and returner posted in the 2025 edition's chat.
    earlier = {("x", "x-hostx"), ("x", "x-veteran"), ("bluesky", "did:plc:returner")}
    returning = earlier & authors
    questions = []
    for n in range(1, 7):
        answers = [
            i for i in originals if i.label == n and not i.data.text.startswith(QUESTION_POSTS)
        ]
        questions.append(
            {
                "number": n,
                "answers": len(answers),
                "participants": len({i.data.author.external_id for i in answers}),
            }
        )
    return {
        "posts": len(originals),
        "reposts": len(mine) - len(originals),
        "participants": len(authors),
        "first_time": len(authors) - len(returning),
        "returning": len(returning),
        "questions": questions,
        "intro": sum(1 for i in originals if i.label == "intro"),
        "wrap_up": sum(1 for i in originals if i.label == "wrap_up"),
    }


def test_every_post_lands_where_its_label_says(stored):
    chat, items = stored
    assert Post.objects.count() == 3 + len(items)  # the 2025 chat's three, then every one here
    transcript = chat_transcript(chat=chat)
    by_ext = {p.external_id: p for p in transcript.posts + transcript.reposts}
    for item in items:
        post = by_ext.get(item.data.external_id)
        if item.label is None:
            assert post is None, item.data.text
        elif item.label == "repost":
            assert post is not None and post.is_repost
        else:
            assert transcript.sections[post.pk] == item.label, item.data.text


def test_the_json_numbers_equal_a_brute_force_count(stored):
    chat, items = stored
    numbers = json.loads(export(chat, "json"))
    expected = brute_force(items)
    assert {k: numbers[k] for k in expected if k != "questions"} == {
        k: v for k, v in expected.items() if k != "questions"
    }
    got = [{k: q[k] for k in ("number", "answers", "participants")} for q in numbers["questions"]]
    assert got == expected["questions"]
    assert numbers["returning"] == 3 and numbers["first_time"] == numbers["participants"] - 3


def test_a_planned_question_without_a_host_post_is_kept_at_its_planned_time(stored):
    chat, _ = stored
    q6 = chat_transcript(chat=chat).questions[-1]
    assert (q6.number, q6.post, q6.text) == (6, None, "Bonus: favourite app?")


def test_the_public_transcript_and_recap_leave_hidden_posts_out(stored):
    chat, _ = stored
    hidden = Post.objects.get(text__startswith="A1 interoperability")
    PostCuration.objects.create(campaign=chat.campaign, post=hidden, status="hidden")
    rows = list(csv.reader(io.StringIO(export(chat, "csv"))))
    texts = [r[rows[0].index("text")] for r in rows[1:]]
    assert not any(t.startswith("A1 interoperability") for t in texts)
    assert rows[1][0] == "intro" and rows[-1][0] == "wrap_up"
    recap = export(chat, "md")
    assert "interoperability, finally" not in recap
    assert recap.startswith("# NHIT chat: data for all\n")
    assert "Tuesday 6 October 2026, 14:00 to 15:00 (America/New_York)" in recap
    assert "## Q1: What does health IT mean to you?" in recap
    # Q1's top answers by score once the hidden one is gone: cat (5), eve (3), then dan (0).
    q1 = recap.split("## Q1")[1].split("## Q2")[0]
    assert q1.index("cat@mastodon") < q1.index("eve") < q1.index("dan@mastodon")
    assert "([link](<https://mastodon.social/@cat/" in q1


def test_the_csv_transcript_guards_formulas(stored):
    chat, _ = stored
    Post.objects.filter(text__startswith="Consent forms").update(text="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(export(chat, "csv"))))
    assert [r[7] for r in rows if "HYPERLINK" in r[7]] == ["'=HYPERLINK(1)"]


def test_the_reply_chain_is_followed_through_stored_posts_without_the_chat_tag(stored):
    chat, items = stored
    q1 = next(i.data for i in items if i.data.text.startswith("Q1:"))
    builder = ChatBuilder(CHAT_START, first=500)
    link = builder.add(
        x_author("Linker"), 9, "off-tag thought", None, reply_to=q1, tags=("nhitweek",)
    )
    late = builder.add(x_author("Joiner"), 41, "replying to the link", 1, reply_to=link)
    posts_upsert(posts=[link, late])
    transcript = chat_transcript(chat=chat)
    post = next(p for p in transcript.posts if p.external_id == late.external_id)
    assert transcript.sections[post.pk] == 1  # Q4 was active; the chain leads to Q1
    assert link.external_id not in {p.external_id for p in transcript.posts}


def test_a_repost_of_a_question_is_a_repost_never_an_answer(stored):
    chat, _ = stored
    transcript = chat_transcript(chat=chat)
    assert {p.pk for p in transcript.reposts}.isdisjoint(transcript.sections)


def test_the_recap_escapes_markup_a_post_could_carry(stored):
    chat, _ = stored
    Post.objects.filter(text__startswith="@host@mastodon.social A 1)").update(
        text="A1 [x](javascript:alert(1)) <img src=x> &amp; *bold*", url="javascript:alert(1)"
    )
    recap = export(chat, "md")
    assert "\\[x\\](javascript:alert(1)) \\<img src=x\\> \\&amp; \\*bold\\*" in recap
    assert "](javascript" not in recap.replace("\\](javascript", "")
    assert "(<javascript" not in recap


def test_a_transcript_is_read_in_a_few_queries_whatever_its_size(
    stored, django_assert_max_num_queries
):
    chat, _ = stored
    chat = type(chat).objects.select_related("campaign", "hashtag").get(pk=chat.pk)
    with django_assert_max_num_queries(8):
        transcript = chat_transcript(chat=chat)
        assert len(transcript.posts) > 20
