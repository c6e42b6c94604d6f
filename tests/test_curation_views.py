"""The curator pages over HTTP: who may do what, htmx rows, bulk actions, filters, bad input."""

from __future__ import annotations

import pytest

from campaigns.models import CurationEvent, PostCuration, Story

from .factories import CampaignFactory
from .support.curation import post_make
from .support.matrix import USER_FIXTURES, matrix_parse

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

# 200: allowed. 302: allowed, redirected back. 403: refused. login: sent to log in.
EXPECTED = """
page            organizer  curator  admin  outsider  anonymous
queue           403        200      200    403       login
queue-stories   403        200      200    403       login
act-approve     403        200      200    403       login
act-feature     403        200      200    403       login
act-unfeature   403        200      200    403       login
act-hide        403        200      200    403       login
act-unhide      403        200      200    403       login
act-pin         403        200      200    403       login
act-unpin       403        200      200    403       login
act-story       403        200      200    403       login
act-plain       403        302      302    403       login
bulk            403        200      200    403       login
rules           403        200      200    403       login
rules-post      403        302      302    403       login
audit           403        403      200    403       login
story-review    403        200      200    403       login
"""

WHO, MATRIX = matrix_parse(EXPECTED)


@pytest.fixture
def pages(campaign):
    post = post_make(campaign, 1)
    story = Story.objects.create(
        campaign=campaign,
        name="Dana",
        role="patient",
        email="d@example.org",
        text="Hi",
        consent=True,
    )
    base = f"/c/{campaign.slug}/curate/"
    act = base + "act/"
    item = f"post:{post.pk}"

    def action(name, **extra):
        return ("post", act, {"item": item, "action": name, **extra}, HTMX)

    return {
        "queue": ("get", base, {}, {}),
        "queue-stories": ("get", base, {"kind": "stories", "q": "Hi"}, {}),
        "act-approve": action("approve"),
        "act-feature": action("feature"),
        "act-unfeature": action("unfeature"),
        "act-hide": action("hide"),
        "act-unhide": action("unhide"),
        "act-pin": action("pin", position="1"),
        "act-unpin": action("unpin"),
        "act-story": ("post", act, {"item": f"story:{story.pk}", "action": "approve"}, HTMX),
        "act-plain": ("post", act, {"item": item, "action": "hide", "next": base}, {}),
        "bulk": ("post", base + "bulk/", {"items": [item], "action": "feature"}, HTMX),
        "rules": ("get", base + "rules/", {}, {}),
        "rules-post": ("post", base + "rules/", {"mode": "open", "blocked_words": "spam"}, {}),
        "audit": ("get", base + "audit/", {}, {}),
        "story-review": ("get", f"/c/{campaign.slug}/stories/review/", {}, {}),
    }


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", list(MATRIX))
def test_the_curation_permission_matrix(client, request, pages, page, who):
    if who in USER_FIXTURES:
        client.force_login(request.getfixturevalue(USER_FIXTURES[who]))
    method, url, data, headers = pages[page]
    response = getattr(client, method)(url, data, **headers)
    expected = MATRIX[page][who]
    assert response.status_code != 500
    if expected == "login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/login/?next="), response["Location"]
    else:
        assert response.status_code == int(expected), response.content[:300]


def test_the_queue_of_a_missing_campaign_is_404(client, curator):
    client.force_login(curator)
    assert client.get("/c/nope/curate/").status_code == 404


# --- Actions ------------------------------------------------------------------------------------


@pytest.fixture
def as_curator(client, curator):
    client.force_login(curator)
    return client


def act(client, campaign, **data):
    return client.post(f"/c/{campaign.slug}/curate/act/", data, **HTMX)


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


# --- The queue page ------------------------------------------------------------------------------


def keys(response) -> list[str]:
    return [item.key for item in response.context["items"]]


def test_the_queue_lists_posts_and_stories_newest_first(as_curator, campaign):
    from datetime import timedelta

    early = post_make(campaign, 1, at=campaign.start + timedelta(hours=1))
    late = post_make(campaign, 2, at=campaign.start + timedelta(hours=3))
    story = Story.objects.create(
        campaign=campaign,
        name="S",
        role="other",
        email="s@example.org",
        text="my story",
        consent=True,
        created_at=campaign.start + timedelta(hours=2),
    )
    response = as_curator.get(f"/c/{campaign.slug}/curate/")
    assert keys(response) == [f"post:{late.pk}", f"story:{story.pk}", f"post:{early.pk}"]
    response = as_curator.get(f"/c/{campaign.slug}/curate/", {"kind": "stories"})
    assert keys(response) == [f"story:{story.pk}"]


def test_the_queue_filters_by_hashtag_platform_status_engagement_and_sorts(as_curator, campaign):
    a = post_make(campaign, 1, tags=("hitworks",), platform="mastodon", likes=50)
    b = post_make(campaign, 2, likes=5)
    c = post_make(campaign, 3, likes=20)
    url = f"/c/{campaign.slug}/curate/"
    hitworks = campaign.hashtags.get(name="hitworks").pk
    assert keys(as_curator.get(url, {"hashtag": hitworks})) == [f"post:{a.pk}"]
    assert keys(as_curator.get(url, {"platform": "x"})) == [f"post:{c.pk}", f"post:{b.pk}"]
    assert keys(as_curator.get(url, {"min_engagement": 10})) == [f"post:{c.pk}", f"post:{a.pk}"]
    assert keys(as_curator.get(url, {"sort": "engagement"})) == [
        f"post:{a.pk}",
        f"post:{c.pk}",
        f"post:{b.pk}",
    ]
    act(as_curator, campaign, item=f"post:{b.pk}", action="feature")
    act(as_curator, campaign, item=f"post:{c.pk}", action="hide")
    assert keys(as_curator.get(url, {"status": "featured"})) == [f"post:{b.pk}"]
    assert keys(as_curator.get(url, {"status": "hidden"})) == [f"post:{c.pk}"]
    assert keys(as_curator.get(url, {"status": "new", "kind": "posts"})) == [f"post:{a.pk}"]


def test_the_queue_searches_text_with_postgres_full_text_search(as_curator, campaign):
    a = post_make(campaign, 1, text="Interoperability saves lives #NHITweek")
    b = post_make(campaign, 2, text="Great panel on telehealth policy")
    post_make(campaign, 3, text="Coffee break")
    url = f"/c/{campaign.slug}/curate/"
    assert keys(as_curator.get(url, {"q": "interoperability"})) == [f"post:{a.pk}"]
    assert keys(as_curator.get(url, {"q": "telehealth -coffee"})) == [f"post:{b.pk}"]
    assert keys(as_curator.get(url, {"q": '"panel on telehealth"'})) == [f"post:{b.pk}"]
    assert set(keys(as_curator.get(url, {"q": "interoperability or telehealth"}))) == {
        f"post:{a.pk}",
        f"post:{b.pk}",
    }
    # Hostile search text is just text.
    response = as_curator.get(url, {"q": "'); DROP TABLE x; -- <script>"})
    assert response.status_code == 200 and keys(response) == []
    response = as_curator.get(url, {"q": "nul\x00byte"})
    assert response.status_code == 200 and "q" in response.context["form"].errors


def test_the_queue_pages_with_a_cursor_and_refuses_a_forged_one(as_curator, campaign, monkeypatch):
    import campaigns.selectors_queue as sq

    monkeypatch.setattr(sq, "PAGE_SIZE", 2)
    monkeypatch.setattr(
        sq.queue_page, "__kwdefaults__", {**sq.queue_page.__kwdefaults__, "limit": 2}
    )
    posts = [post_make(campaign, n) for n in range(1, 6)]
    url = f"/c/{campaign.slug}/curate/"
    seen, params = [], {"kind": "posts"}
    for _ in range(5):
        response = as_curator.get(url, params)
        seen += keys(response)
        if not response.context["next_cursor"]:
            break
        params = {"kind": "posts", "after": response.context["next_cursor"]}
    assert seen == [f"post:{p.pk}" for p in reversed(posts)]
    response = as_curator.get(url, {"after": "not-a-cursor"})
    assert response.status_code == 200
    assert "not valid any more" in response.content.decode()


def test_bad_filters_show_form_errors_and_never_500(as_curator, campaign):
    response = as_curator.get(
        f"/c/{campaign.slug}/curate/",
        {"status": "evil", "min_engagement": "-5", "hashtag": "x", "platform": "myspace"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"status", "min_engagement", "hashtag", "platform"}


def test_post_text_is_escaped_and_only_web_links_are_linked(as_curator, campaign):
    post_make(
        campaign,
        1,
        text='<img src=x onerror=alert(1)><script>alert("x")</script>',
        url="javascript:alert(1)",
    )
    html = as_curator.get(f"/c/{campaign.slug}/curate/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:alert" not in html


def test_post_links_carry_nofollow_noopener_ugc(as_curator, campaign):
    post_make(campaign, 1, url="https://example.org/post/1")
    html = as_curator.get(f"/c/{campaign.slug}/curate/").content.decode()
    assert 'href="https://example.org/post/1" rel="nofollow noopener ugc"' in html


# --- Rules and audit -----------------------------------------------------------------------------


def test_the_rules_form_saves_applies_and_reports(as_curator, campaign):
    post_make(campaign, 1, text="buy spam now")
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/rules/",
        {"mode": "approve", "blocked_words": "spam\r\n", "blocked_authors": "@troll"},
        follow=True,
    )
    assert "1 post newly hidden, 0 released" in response.content.decode()
    assert PostCuration.objects.get().rule == "word: spam"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"mode": "sometimes"}, "mode", "Select a valid choice"),
        ({"mode": "open", "blocked_authors": "two words"}, "blocked_authors", "is not a handle"),
        ({"mode": "open", "blocked_words": "x" * 201}, "blocked_words", "at most 200"),
        (
            {"mode": "open", "blocked_words": "\n".join(map(str, range(600)))},
            "blocked_words",
            "500",
        ),
    ],
)
def test_bad_rules_get_form_errors(as_curator, campaign, data, field, message):
    response = as_curator.post(f"/c/{campaign.slug}/curate/rules/", data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert not CurationEvent.objects.exists()


def test_the_audit_log_shows_who_what_when_before_and_after(client, admin_user, curator, campaign):
    post = post_make(campaign, 1)
    client.force_login(curator)
    act(client, campaign, item=f"post:{post.pk}", action="pin", position="1")
    client.post(f"/c/{campaign.slug}/curate/rules/", {"mode": "open", "blocked_words": "spam"})
    client.force_login(admin_user)
    response = client.get(f"/c/{campaign.slug}/curate/audit/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="audit__row"') == 2
    assert "carlos" in html and "<strong>pin</strong> post" in html
    assert "<dt>status</dt><dd>new</dd>" in html and "<dt>status</dt><dd>featured</dd>" in html
    assert (
        "<dt>posts hidden</dt><dd>0</dd>" in html and "<dt>blocked words</dt><dd>spam</dd>" in html
    )
    response = client.get(f"/c/{campaign.slug}/curate/audit/", {"type": "rules"})
    assert response.content.decode().count('class="audit__row"') == 1


def test_paging_through_posts_and_stories_at_the_same_instant_shows_each_once(
    as_curator, campaign, monkeypatch
):
    import campaigns.selectors_queue as sq

    monkeypatch.setattr(
        sq.queue_page, "__kwdefaults__", {**sq.queue_page.__kwdefaults__, "limit": 1}
    )
    from datetime import timedelta

    at = campaign.start + timedelta(hours=2)
    posts = [post_make(campaign, n, at=at) for n in (1, 2)]
    stories = [
        Story.objects.create(
            campaign=campaign,
            name=f"S{n}",
            role="other",
            email="s@example.org",
            text="t",
            consent=True,
            created_at=at,
        )
        for n in (1, 2)
    ]
    url, params, seen = f"/c/{campaign.slug}/curate/", {}, []
    for _ in range(6):
        response = as_curator.get(url, params)
        seen += keys(response)
        if not response.context["next_cursor"]:
            break
        params = {"after": response.context["next_cursor"]}
    expected = [f"post:{p.pk}" for p in reversed(posts)] + [
        f"story:{s.pk}" for s in reversed(stories)
    ]
    assert seen == expected
