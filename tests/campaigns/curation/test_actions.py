"""Curator actions over HTTP: an htmx row or a redirect back, bulk actions, bad input refused."""

from __future__ import annotations

import pytest

from campaigns.models import CurationEvent, PostCuration, Story
from tests.support.curation import post_make
from tests.support.curation_http import HTMX, act
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_an_htmx_action_answers_with_the_row_and_a_message(as_curator, campaign):
    post = post_make(campaign, 1)
    response = act(as_curator, campaign, item=f"post:{post.pk}", action="feature")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<li") and f'id="item-post-{post.pk}"' in html
    assert "state--featured" in html and 'value="unfeature"' in html
    assert "<html" not in html
    assert "featured" in response["HX-Trigger"]


def test_a_plain_action_redirects_back_to_the_queue_with_its_filters(as_curator, campaign):
    post = post_make(campaign, 1)
    back = f"/c/{campaign.slug}/curate/?status=new&q=hello"
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/act/",
        {"item": f"post:{post.pk}", "action": "hide", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/act/",
        {"item": f"post:{post.pk}", "action": "unhide", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/c/{campaign.slug}/curate/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item": "post:{pk}", "action": "nuke"}, "Unknown action 'nuke'"),
        ({"item": "post:{pk}", "action": "pin", "position": "first"}, "whole number"),
        ({"item": "post:{pk}", "action": "pin", "position": "0"}, "between 1 and 1000"),
        ({"item": "post:{pk}", "action": "pin"}, "needs a position"),
        ({"item": "post:{pk}", "action": "pin", "position": "\u0661"}, "whole number"),
        ({"item": "tweet:{pk}", "action": "hide"}, "not an item of the queue"),
        ({"item": "post:abc", "action": "hide"}, "not an item of the queue"),
        ({"item": "", "action": "hide"}, "not an item of the queue"),
        ({"item": "post:99999999999999999999999", "action": "hide"}, "not an item"),
        ({"item": "post:{foreign}", "action": "hide"}, "not one of this campaign's posts"),
        ({"item": "story:{story}", "action": "hide"}, "not one of this campaign's stories"),
        ({"item": "story:{own_story}", "action": "feature"}, "not featured"),
    ],
)
def test_bad_actions_get_a_clear_400_and_change_nothing(as_curator, campaign, data, message):
    post = post_make(campaign, 1)
    other = CampaignFactory(tags=["Elsewhere"])
    foreign = post_make(other, 2, tags=("elsewhere",))
    story = Story.objects.create(
        campaign=other, name="N", role="other", email="n@example.org", text="t", consent=True
    )
    own = Story.objects.create(
        campaign=campaign, name="O", role="other", email="o@example.org", text="t", consent=True
    )
    ids = {"pk": post.pk, "foreign": foreign.pk, "story": story.pk, "own_story": own.pk}
    data = {key: value.format(**ids) for key, value in data.items()}
    response = act(as_curator, campaign, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert not PostCuration.objects.exists() and not CurationEvent.objects.exists()


def test_a_get_on_an_action_is_refused(as_curator, campaign):
    assert as_curator.get(f"/c/{campaign.slug}/curate/act/").status_code == 405


def test_bulk_actions_apply_to_all_selected_and_answer_with_their_rows(as_curator, campaign):
    posts = [post_make(campaign, n) for n in range(1, 4)]
    story = Story.objects.create(
        campaign=campaign, name="S", role="other", email="s@example.org", text="t", consent=True
    )
    items = [f"post:{p.pk}" for p in posts] + [f"story:{story.pk}"]
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/bulk/", {"items": items, "action": "hide"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('hx-swap-oob="true"') == 4
    assert "4 items hidden" in response["HX-Trigger"]
    assert PostCuration.objects.filter(status="hidden").count() == 3
    story.refresh_from_db()
    assert story.status == "hidden"
    assert CurationEvent.objects.count() == 4


def test_bulk_pin_pins_in_order_from_the_position(as_curator, campaign):
    posts = [post_make(campaign, n) for n in range(1, 4)]
    items = [f"post:{p.pk}" for p in posts]
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/bulk/", {"items": items, "action": "pin", "position": "1"}
    )
    assert response.status_code == 302
    order = PostCuration.objects.order_by("pinned").values_list("post_id", flat=True)
    assert list(order) == [p.pk for p in posts]


def test_a_bulk_action_with_one_bad_item_changes_nothing(as_curator, campaign):
    post = post_make(campaign, 1)
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/bulk/",
        {"items": [f"post:{post.pk}", "post:424242"], "action": "feature"},
        **HTMX,
    )
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    assert not PostCuration.objects.exists() and not CurationEvent.objects.exists()
    response = as_curator.post(f"/c/{campaign.slug}/curate/bulk/", {"action": "feature"})
    assert response.status_code == 400 and "Select at least one" in response.content.decode()
