"""Who may open each curator page and post each action: the curation permission matrix."""

from __future__ import annotations

import pytest

from campaigns.curation.services import post_curate
from campaigns.models import Story
from tests.support.curation import post_make
from tests.support.curation_http import HTMX
from tests.support.matrix import USER_FIXTURES, matrix_parse

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]

# 200: allowed. 302: allowed, redirected back. 403: refused. 409: allowed, but not this
# (the undo of someone else's action). login: sent to log in.
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
rules-post      403        200      200    403       login
rules-confirm   403        302      302    403       login
news            403        200      200    403       login
undo            403        409      409    403       login
audit           403        403      200    403       login
revert          403        403      302    403       login
story-review    403        302      302    403       login
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
    # An action of the demo's (no one's): nobody may undo it; an admin may revert it.
    event = post_curate(campaign=campaign, post_id=post.pk, action="feature", actor=None).event
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
        "rules-confirm": ("post", base + "rules/", {"mode": "open", "confirm": "yes"}, {}),
        "news": ("get", base + "news/", {"mark": "0.0"}, {}),
        "undo": ("post", base + "undo/", {"events": str(event.pk)}, HTMX),
        "audit": ("get", base + "audit/", {}, {}),
        "revert": ("post", base + f"audit/{event.pk}/revert/", {}, {}),
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
