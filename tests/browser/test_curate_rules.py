"""Moderation rules and the audit log in real Chromium: mistakes refused by line, nothing hidden
before the preview is confirmed, each mode explained, and the log's revert."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.curation.services import post_curate
from campaigns.models import CurationEvent, ModerationRules, PostCuration
from tests.browser.conftest import ARTIFACTS, login
from tests.support.curation import post_make
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = [
    ("drkim", "Patient portals that work save a day of phone calls. #NHITweek"),
    ("nurse_jo", "Night shift: the patient record followed her from the ER. #NHITweek"),
    ("policywonk", "Hill staffers heard why data access matters for every patient. #NHITweek"),
    ("hie_team", "Fourteen rural clinics now share records. #NHITweek"),
]


@pytest.fixture
def rules_campaign(db, curator):
    campaign = CampaignFactory(name="NHIT Week 2026", slug="nhit-week-2026", tags=["NHITweek"])
    posts = [
        post_make(
            campaign,
            n,
            handle=handle,
            text=text,
            url=f"https://x.com/{handle}/status/{n}",
            at=campaign.start + timedelta(hours=1, minutes=n),
        )
        for n, (handle, text) in enumerate(TEXTS, start=1)
    ]
    return campaign, posts


def rules_submit(page, live_server, campaign, **fields) -> None:
    """As a curator: the rules page, these fields typed in, "Save and apply" pressed."""
    login(page, live_server, "carlos", "password")
    page.goto(f"{live_server.url}/c/{campaign.slug}/curate/rules/")
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.click(".rules-form button[type=submit]")
    page.wait_for_load_state()


def hidden_count(campaign) -> int:
    return PostCuration.objects.filter(campaign=campaign, status="hidden").count()


def test_a_rule_with_an_unknown_platform_is_refused_naming_the_line(
    live_server, page, rules_campaign, dialogs
):
    campaign, _posts = rules_campaign
    rules_submit(page, live_server, campaign, blocked_authors="@troll\nfacebook:someone\nx:ok")
    assert not ModerationRules.objects.filter(campaign=campaign).exists()
    error = page.locator(".rules-form__field--error .field-error").first.inner_text()
    assert "Line 2" in error and "facebook:someone" in error
    assert "not a platform we collect" in error
    assert page.locator("#id_blocked_authors").input_value().splitlines()[1] == "facebook:someone"
    assert page.locator(".rules-preview").count() == 0
    # The refused form is answered 400, which Chromium reports; nothing else went wrong.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
    assert dialogs == []


def test_save_and_apply_shows_how_many_posts_it_will_hide_before_hiding_any(
    live_server, page, rules_campaign, dialogs, screenshot
):
    campaign, _posts = rules_campaign
    login(page, live_server, "carlos", "password")
    page.goto(f"{live_server.url}/c/{campaign.slug}/curate/rules/")
    page.fill("#id_blocked_words", "patient")
    page.check("#id_mode_1")  # approve before showing
    page.click(".rules-form button[type=submit]")
    page.wait_for_load_state()
    assert hidden_count(campaign) == 0  # nothing is hidden before the preview is confirmed
    assert not ModerationRules.objects.filter(campaign=campaign).exists()
    preview = page.locator(".rules-preview")
    assert preview.locator("[data-preview-hidden]").inner_text() == "3"
    examples = preview.locator(".rules-preview__examples li")
    assert examples.count() == 3
    assert "@policywonk" in examples.first.inner_text()
    assert "word: patient" in examples.first.inner_text()
    assert "the wall will be empty of posts" in preview.inner_text()
    screenshot(page, "curate-rules-preview")
    page.screenshot(path=str(ARTIFACTS / "curate-rules.png"))  # the README's: the preview

    page.click("[data-rules-confirm]")
    page.wait_for_load_state()
    assert "3 posts newly hidden" in page.locator(".messages").inner_text()
    assert hidden_count(campaign) == 3
    assert ModerationRules.objects.get(campaign=campaign).mode == "approve"
    # Each mode says what it does; approve mode says it can empty the wall.
    approve_help = page.locator("#mode-help-approve").inner_text()
    assert "can empty the wall until posts are approved" in approve_help
    assert "unless a curator or a rule hides it" in page.locator("#mode-help-open").inner_text()
    assert dialogs == [] and page.console_errors == []


def test_a_preview_is_confirmed_only_for_the_rules_it_showed(live_server, page, rules_campaign):
    campaign, _posts = rules_campaign
    rules_submit(page, live_server, campaign, blocked_words="rural")
    assert hidden_count(campaign) == 0
    assert page.locator("[data-preview-hidden]").inner_text() == "1"
    page.fill("#id_blocked_words", "rural\npatient")  # edited after the preview
    page.click("[data-rules-confirm]")
    page.wait_for_load_state()
    assert page.locator("[data-preview-hidden]").inner_text() == "4"
    assert hidden_count(campaign) == 0


def test_the_audit_log_names_posts_and_reverts_unless_a_later_change_came(
    live_server, page, rules_campaign, curator, admin_user, dialogs, screenshot
):
    campaign, posts = rules_campaign
    post = posts[0]
    post_curate(campaign=campaign, post_id=post.pk, action="pin", actor=curator, position=1)
    post_curate(campaign=campaign, post_id=post.pk, action="hide", actor=curator)
    hide = CurationEvent.objects.latest("pk")
    login(page, live_server, "ada", "password")
    page.goto(f"{live_server.url}/c/{campaign.slug}/curate/audit/")
    row = page.locator(".audit__row").first  # the newest: the hide
    text = row.inner_text()
    assert "hide" in text
    assert "@drkim" in text and "Patient portals that work" in text
    link = row.locator(".audit__target a")
    assert link.get_attribute("href") == "https://x.com/drkim/status/1"
    screenshot(page, "curate-audit")
    row.locator("button", has_text="Revert").click()
    page.wait_for_load_state()
    assert "hidden (unhide restores: featured, pin 1) → featured, pinned at 1" in (
        page.locator(".messages").inner_text()
    )
    row = PostCuration.objects.get(campaign=campaign, post=post)
    assert (row.status, row.pinned) == ("featured", 1)
    revert = CurationEvent.objects.get(action="revert")
    assert revert.reverts_id == hide.pk and revert.actor == admin_user

    # The log, open in the browser, goes stale: a curator acts on the post meanwhile.
    older = page.locator(f"#event-{revert.pk}")
    assert older.locator("button", has_text="Revert").count() == 1
    post_curate(campaign=campaign, post_id=post.pk, action="unpin", actor=curator)
    older.locator("button", has_text="Revert").click()
    page.wait_for_load_state()
    message = page.locator(".messages").inner_text()
    assert "Not reverted: carlos did “unpin” after this" in message
    row.refresh_from_db()
    assert (row.status, row.pinned) == ("featured", None)  # the later unpin stands
    assert dialogs == [] and page.console_errors == []
