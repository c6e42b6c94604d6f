"""Moderation rules and the audit log over HTTP: rules saved, applied or refused; who did what."""

from __future__ import annotations

import pytest

from campaigns.models import CurationEvent, PostCuration
from tests.support.curation import post_make
from tests.support.curation_http import act, rules_confirm

pytestmark = pytest.mark.django_db


def test_the_rules_form_previews_then_saves_applies_and_reports(as_curator, campaign):
    post_make(campaign, 1, text="buy spam now")
    data = {"mode": "approve", "blocked_words": "spam\r\n", "blocked_authors": "@troll"}
    response = as_curator.post(f"/c/{campaign.slug}/curate/rules/", data)
    assert response.status_code == 200 and response.context["preview"].hidden == 1
    assert not PostCuration.objects.exists() and not CurationEvent.objects.exists()
    fingerprint = response.context["preview"].fingerprint
    response = as_curator.post(
        f"/c/{campaign.slug}/curate/rules/",
        data | {"confirm": "yes", "preview": fingerprint},
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
    rules_confirm(client, campaign, {"mode": "open", "blocked_words": "spam"})
    client.force_login(admin_user)
    response = client.get(f"/c/{campaign.slug}/curate/audit/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="audit__row"') == 2
    assert "carlos" in html and "<strong>pin</strong> post" in html
    assert '<td class="audit__state">new</td>' in html
    assert '<td class="audit__state">featured, pinned at 1</td>' in html
    assert (
        "<dt>posts hidden</dt><dd>0</dd>" in html and "<dt>blocked words</dt><dd>spam</dd>" in html
    )
    response = client.get(f"/c/{campaign.slug}/curate/audit/", {"type": "rules"})
    assert response.content.decode().count('class="audit__row"') == 1
