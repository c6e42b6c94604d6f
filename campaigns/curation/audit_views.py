"""The audit log: every curation action and rules change, who made it, when (in the campaign's
zone), the state before and after, the post or story it was about (author, an excerpt, a link),
and a revert for each.

Admins only (the Admin role; superusers hold it). A revert of a post's or a story's entry is
done at once, through undo.events_revert, which refuses (and says why) when a later entry or a
rule changed the item since; a revert of a rules change opens the rules page with the earlier
rules filled in and previewed, saved only when confirmed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from campaigns.curation.forms import RulesForm
from campaigns.curation.moderation import rules_preview
from campaigns.curation.rules_views import rules_form_data, rules_page
from campaigns.curation.states import change_describe, state_describe
from campaigns.curation.undo import REVERTIBLE, RevertRefused, events_revert, revert_check
from campaigns.curation.views import is_admin
from campaigns.models import Campaign, CurationEvent, ModerationRules, Story, web_link
from hashtags.models import Post

EXCERPT = 90
PAGE = 50


def _admin_campaign(request: HttpRequest, slug: str) -> Campaign:
    if not is_admin(request):
        raise PermissionDenied("Only admins read the audit log.")
    return get_object_or_404(Campaign, slug=slug)


def _excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _state_value(value: object) -> str:
    if value is None or value == "":
        return "\u2013"  # an en dash
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def _state_rows(state: object) -> list[tuple[str, str]]:
    if not isinstance(state, dict):
        return []
    return [(str(key).replace("_", " "), _state_value(value)) for key, value in state.items()]


def _targets(events: list[CurationEvent]) -> dict[tuple[str, str], dict]:
    """(type, id) -> how the log names it: who, an excerpt, a link. Two queries a page."""
    ids = lambda kind: {int(e.target_id) for e in events if e.target_type == kind}  # noqa: E731
    named: dict[tuple[str, str], dict] = {}
    for post in Post.objects.filter(pk__in=ids("post")).select_related("author"):
        named[("post", str(post.pk))] = {
            "who": f"@{post.author.handle}",
            "name": post.author.name,
            "platform": post.get_platform_display(),
            "excerpt": _excerpt(post.text),
            "link": web_link(post.url),
        }
    for story in Story.objects.filter(pk__in=ids("story")).only("id", "name", "text", "link"):
        named[("story", str(story.pk))] = {
            "who": story.name,
            "name": "",
            "platform": "#IHeartHIT story",
            "excerpt": _excerpt(story.text),
            "link": story.safe_link,
        }
    return named


def _latest(campaign: Campaign, events: list[CurationEvent]) -> set[int]:
    """The ids among these events that are the last word on their target."""
    targets = {(e.target_type, e.target_id) for e in events}
    rows = (
        CurationEvent.objects.filter(
            campaign=campaign,
            target_type__in={kind for kind, _ in targets},
            target_id__in={pk for _, pk in targets},
        )
        .values("target_type", "target_id")
        .annotate(last=Max("id"))
    )
    return {row["last"] for row in rows if (row["target_type"], row["target_id"]) in targets}


@login_required
def curate_audit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _admin_campaign(request, slug)
    events = CurationEvent.objects.filter(campaign=campaign).order_by("-at", "-id")
    kind = request.GET.get("type", "")
    if kind in ("post", "story", "rules"):
        events = events.filter(target_type=kind)
    page = Paginator(events.select_related("reverts"), PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    named = _targets(shown)
    latest = _latest(campaign, shown)
    reverted = {
        e.reverts_id: e
        for e in CurationEvent.objects.filter(reverts__in=[e.pk for e in shown]).order_by("id")
    }
    for event in shown:
        if event.target_type == "rules":
            event.before_rows = _state_rows(event.before)
            event.after_rows = _state_rows(event.after)
        else:
            event.before_text = state_describe(event.before) if event.before else ""
            event.after_text = state_describe(event.after) if event.after else ""
        event.target = named.get((event.target_type, event.target_id))
        event.revertible = event.target_type in REVERTIBLE and event.pk in latest
        event.reverted_by_event = reverted.get(event.pk)
    return render(
        request,
        "curation/audit.html",
        {
            "campaign": campaign,
            "page": page,
            "events": shown,
            "type": kind,
            "can_audit": True,
            "back": request.get_full_path(),
        },
    )


def _audit_back(request: HttpRequest, campaign: Campaign) -> str:
    audit = reverse("campaigns:curate_audit", args=[campaign.slug])
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.startswith(audit) else audit


@login_required
@require_POST
def curate_revert(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    """Revert one entry of the audit log (a rules change: through the rules page's preview)."""
    campaign = _admin_campaign(request, slug)
    event = get_object_or_404(CurationEvent, campaign=campaign, pk=event_id)
    if event.target_type == "rules":
        try:
            revert_check(campaign=campaign, event=event)
        except RevertRefused as exc:
            messages.error(request, str(exc))
            return redirect(_audit_back(request, campaign))
        rules = ModerationRules.objects.filter(campaign=campaign).first()
        form = RulesForm(rules_form_data(event.before), instance=rules)
        if not form.is_valid():  # rules saved before today's checks: shown to be fixed
            return rules_page(request, campaign, form, reverts=event, status=400)
        preview = rules_preview(campaign=campaign, data=form.cleaned_data)
        return rules_page(request, campaign, form, preview=preview, reverts=event)
    try:
        ((_, done),) = events_revert(campaign=campaign, event_ids=[event.pk], actor=request.user)
    except RevertRefused as exc:
        messages.error(request, str(exc))
    else:
        label = _targets([event]).get((event.target_type, event.target_id), {}).get("who", "")
        noun = "Post by" if event.target_type == "post" else "Story by"
        messages.success(
            request, "Reverted. " + change_describe(f"{noun} {label}", done.before, done.after)
        )
    return redirect(_audit_back(request, campaign))
