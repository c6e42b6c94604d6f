"""The live queue over HTTP: undo of one's last action, what arrived since the queue opened,
the header counts with stories, and the audit log's revert."""

from __future__ import annotations

import json

import pytest

from campaigns.curation.live import mark_now, queue_counts
from campaigns.curation.services import post_curate, story_curate
from campaigns.models import CurationEvent, ModerationRules, PostCuration, Story
from tests.support.curation import post_make
from tests.support.curation_http import HTMX, act, rules_confirm
from tests.support.stories import story_make

pytestmark = pytest.mark.django_db


def teller(campaign, n: int) -> Story:
    return story_make(campaign, name=f"Teller {n}", text=f"Story {n}")


def curated(response) -> dict:
    return json.loads(response["HX-Trigger"])["curated"]


def test_an_action_says_what_changed_and_offers_its_undo_and_the_counts(as_curator, campaign):
    post = post_make(campaign, 1)
    post_curate(campaign=campaign, post_id=post.pk, action="pin", actor=None, position=1)
    response = act(as_curator, campaign, item=f"post:{post.pk}", action="hide")
    detail = curated(response)
    assert detail["message"] == (
        "Post by @user1: featured, pinned at 1 → hidden (unhide restores: featured, pin 1)."
    )
    assert detail["undo"] == str(CurationEvent.objects.latest("pk").pk)
    assert detail["counts"]["hidden"] == 1 and detail["counts"]["featured"] == 0
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/undo/", {"events": detail["undo"]}, **HTMX
    )
    assert response.status_code == 200
    assert curated(response)["message"].startswith("Undone. Post by @user1: hidden")
    assert curated(response)["undo"] == ""
    assert 'hx-swap-oob="true"' in response.content.decode()
    row = PostCuration.objects.get(post=post)
    assert (row.status, row.pinned) == ("featured", 1)
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/undo/", {"events": detail["undo"]}, **HTMX
    )
    assert response.status_code == 409 and "reverted it after this" in response.content.decode()


def test_an_action_that_changes_nothing_says_so_and_offers_no_undo(as_curator, campaign):
    post = post_make(campaign, 1)
    post_curate(campaign=campaign, post_id=post.pk, action="feature", actor=None)
    detail = curated(act(as_curator, campaign, item=f"post:{post.pk}", action="approve"))
    assert detail["message"] == "Post by @user1: nothing changed, it is featured."
    assert detail["undo"] == ""


@pytest.mark.parametrize("events", ["", "abc", "1,x", ",".join(["1"] * 201)])
def test_a_bad_undo_is_a_clear_400(as_curator, campaign, events):
    response = as_curator.post(f"/c/{campaign.slug}/curate/undo/", {"events": events}, **HTMX)
    assert response.status_code in (400, 409)
    assert response["Content-Type"].startswith("text/plain")


def test_a_plain_action_offers_its_undo_on_the_queue_page_once(as_curator, campaign):
    post = post_make(campaign, 1)
    queue = f"/c/{campaign.slug}/curate/"
    as_curator.post(queue + "act/", {"item": f"post:{post.pk}", "action": "hide", "next": queue})
    html = as_curator.get(queue).content.decode()
    event = CurationEvent.objects.get()
    assert f'name="events" value="{event.pk}"' in html and 'id="undo-form"' in html
    assert 'id="undo-form" class="curate-undo" method="post"' in html
    response = as_curator.post(queue + "undo/", {"events": str(event.pk), "next": queue})
    assert response.status_code == 302
    assert not PostCuration.objects.filter(status="hidden").exists()
    assert 'name="events" value=""' in as_curator.get(queue).content.decode()


def test_the_news_counts_what_arrived_since_the_mark_through_the_filters(as_curator, campaign):
    post_make(campaign, 1, platform="x")
    mark = mark_now()
    post_make(campaign, 2, platform="x")
    post_make(campaign, 3, platform="bluesky")
    teller(campaign, 1)
    news = f"/c/{campaign.slug}/curate/news/"
    answer = as_curator.get(news, {"mark": str(mark)}).json()
    assert (answer["posts"], answer["stories"], answer["more"]) == (2, 1, False)
    answer = as_curator.get(news, {"mark": str(mark), "platform": "bluesky"}).json()
    assert (answer["posts"], answer["stories"]) == (1, 0)  # a platform lists posts only
    answer = as_curator.get(news, {"mark": str(mark), "kind": "stories"}).json()
    assert (answer["posts"], answer["stories"]) == (0, 1)
    assert answer["counts"]["new_stories"] == 1
    for bad in ("", "1", "a.b", "1.2.3", "-1.0"):
        response = as_curator.get(news, {"mark": bad})
        assert response.status_code == 400 and "mark" in response.json()["error"]


def test_the_news_stops_counting_at_its_cap(as_curator, campaign, monkeypatch):
    monkeypatch.setattr("campaigns.curation.live.NEWS_MAX", 2)
    mark = mark_now()
    for n in range(4):
        post_make(campaign, n)
    answer = as_curator.get(f"/c/{campaign.slug}/curate/news/", {"mark": str(mark)}).json()
    assert (answer["posts"], answer["more"]) == (2, True)


def test_the_counts_include_stories(campaign, curator):
    post = post_make(campaign, 1)
    post_curate(campaign=campaign, post_id=post.pk, action="approve", actor=curator)
    stories = [teller(campaign, n) for n in range(4)]
    for story in stories[:3]:
        story_curate(campaign=campaign, story_id=story.pk, action="approve", actor=curator)
    story_curate(campaign=campaign, story_id=stories[2].pk, action="pin", actor=curator, position=1)
    counts = queue_counts(campaign=campaign)
    assert counts["approved"] == 4 and counts["stories_approved"] == 3
    assert counts["new_stories"] == 1 and counts["pinned"] == 1


# --- Rules refused by line, previewed, reverted from the log -----------------------------------


@pytest.mark.parametrize(
    ("authors", "message"),
    [
        ("@ok\nfacebook:someone", "Line 2: “facebook:someone”: “facebook” is not a platform"),
        ("x:this_handle_is_far_too_long", "Line 1: “x:this_handle_is_far_too_long” is not a"),
        ("https://x.com/spammer", "is a web address"),
        ("bluesky:nodots", "a domain name"),
        ("\n\nsp am", "Line 3"),
    ],
)
def test_malformed_author_lines_are_refused_by_their_line(as_curator, campaign, authors, message):
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/rules/", {"mode": "open", "blocked_authors": authors}
    )
    assert response.status_code == 400
    assert message in str(response.context["form"].errors["blocked_authors"])
    assert not ModerationRules.objects.exists()


def test_a_preview_counts_only_shown_posts_and_names_a_few(as_curator, campaign):
    for n in range(8):
        post_make(campaign, n, text=f"spam number {n}")
    hand = post_make(campaign, 9, text="spam by hand")
    post_curate(campaign=campaign, post_id=hand.pk, action="hide", actor=None)
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/rules/", {"mode": "open", "blocked_words": "spam"}
    )
    preview = response.context["preview"]
    assert (preview.hidden, preview.released, len(preview.examples)) == (8, 0, 5)
    assert "8</strong> posts shown now will be hidden" in response.content.decode()
    assert PostCuration.objects.filter(status="hidden").count() == 1


def test_rules_saved_by_someone_else_after_the_preview_are_previewed_again(as_curator, campaign):
    post_make(campaign, 1, text="spam")
    url = f"/c/{campaign.slug}/curate/rules/"
    data = {"mode": "open", "blocked_words": "spam"}
    fingerprint = as_curator.post(url, data).context["preview"].fingerprint
    ModerationRules.objects.create(campaign=campaign, blocked_words="other")
    response = as_curator.post(url, data | {"confirm": "yes", "preview": fingerprint})
    assert response.status_code == 200 and response.context["preview"] is not None
    assert "changed since this preview" in response.content.decode()
    assert not PostCuration.objects.exists()


def test_an_admin_reverts_a_rules_change_through_its_preview(client, admin_user, campaign):
    post_make(campaign, 1, text="spam")
    client.force_login(admin_user)
    rules_confirm(client, campaign, {"mode": "open", "blocked_words": "spam"})
    assert PostCuration.objects.filter(status="hidden").count() == 1
    event = CurationEvent.objects.get(target_type="rules")
    response = client.post(f"/c/{campaign.slug}/curate/audit/{event.pk}/revert/")
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.hidden, preview.released) == (0, 1)
    assert response.context["form"]["blocked_words"].value() == ""
    assert PostCuration.objects.filter(status="hidden").count() == 1  # not yet
    response = client.post(
        f"/c/{campaign.slug}/curate/rules/",
        {
            "mode": "open",
            "blocked_words": "",
            "reverts": str(event.pk),
            "confirm": "yes",
            "preview": preview.fingerprint,
        },
    )
    assert response.status_code == 302
    assert not PostCuration.objects.filter(status="hidden").exists()
    revert = CurationEvent.objects.get(action="revert")
    assert revert.reverts == event and revert.after["posts_released"] == 1
    response = client.post(f"/c/{campaign.slug}/curate/audit/{event.pk}/revert/", follow=True)
    assert "reverted it after this" in response.content.decode()


def test_the_audit_log_names_each_post_and_story(client, admin_user, curator, campaign):
    post = post_make(campaign, 1, text="Interop <b>saves</b> lives " + "x" * 200, handle="drkim")
    story = teller(campaign, 1)
    post_curate(campaign=campaign, post_id=post.pk, action="feature", actor=curator)
    story_curate(campaign=campaign, story_id=story.pk, action="approve", actor=curator)
    client.force_login(admin_user)
    html = client.get(f"/c/{campaign.slug}/curate/audit/").content.decode()
    assert "@drkim" in html and "Interop &lt;b&gt;saves&lt;/b&gt; lives" in html
    assert 'href="https://example.org/p/1"' in html
    assert "Teller 1" in html and "“Story 1”" in html
    assert html.count('<button type="submit" class="act" aria-label="Revert') == 2
