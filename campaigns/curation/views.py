"""The curator's pages: the queue (posts and stories), one action, bulk actions, rules, audit.

Who: the queue, its actions and the rules need campaigns.curate_posts (Curator, Admin); a
story action also needs campaigns.manage_stories. Organizers hold neither (roles.py): they
watch the dashboard and the wall, they do not moderate, so the queue answers them 403. The
audit log is for the Admin role (superusers hold it). Anonymous visitors are sent to log in.

Actions answer an htmx request with the item's row (and an HX-Trigger "curated" event with a
message the page reads out); without htmx they redirect back to the queue with its filters.
Bad input is a 400 with a plain-text message, and changes nothing.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.curation.forms import (
    MAX_BULK,
    QueueFilterForm,
    RulesForm,
    item_parse,
    position_parse,
)
from campaigns.curation.moderation import rules_save
from campaigns.curation.queue import SearchTooSlow, queue_item, queue_page, status_counts
from campaigns.curation.services import post_curate, story_curate, story_review
from campaigns.models import Campaign, CurationAction, CurationEvent, ModerationRules, Story
from campaigns.roles import ADMIN, user_roles

PAST = {action.value: action.label for action in CurationAction}


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    if not request.user.has_perm("campaigns.curate_posts"):
        raise PermissionDenied("Only curators and admins curate a campaign.")
    return get_object_or_404(Campaign, slug=slug)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _bad(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _back(request: HttpRequest, campaign: Campaign) -> str:
    """The queue page the action came from (its filters kept), never another site."""
    queue = reverse("campaigns:curate_queue", args=[campaign.slug])
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.startswith(queue) else queue


def _curate(request: HttpRequest, campaign: Campaign, kind: str, pk: int, action: str, pos):
    if kind == "story":
        if not request.user.has_perm("campaigns.manage_stories"):
            raise PermissionDenied("Only curators and admins review stories.")
        story_curate(
            campaign=campaign, story_id=pk, action=action, actor=request.user, position=pos
        )
    else:
        post_curate(campaign=campaign, post_id=pk, action=action, actor=request.user, position=pos)


def _row_html(request: HttpRequest, campaign: Campaign, item, oob: bool) -> str:
    context = {"campaign": campaign, "item": item, "oob": oob, "back": _back(request, campaign)}
    return render_to_string("curation/_item.html", context, request=request)


def _label(item) -> str:
    if item is None:
        return "Item"
    if item.kind == "story":
        return f"Story by {item.obj.name}"
    return f"Post by @{item.obj.author.handle}"


def _announce(response: HttpResponse, message: str) -> HttpResponse:
    response["HX-Trigger"] = json.dumps({"curated": {"message": message}})
    return response


@login_required
def curate_queue(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    form = QueueFilterForm(request.GET or None, campaign=campaign)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    cursor_error = ""
    try:
        try:
            items, next_cursor = queue_page(
                campaign=campaign, filters=filters, after=request.GET.get("after", "")
            )
        except ValueError as exc:
            cursor_error = str(exc)
            items, next_cursor = queue_page(campaign=campaign, filters=filters)
    except SearchTooSlow as exc:
        cursor_error, items, next_cursor = str(exc), [], ""
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "campaign": campaign,
        "form": form,
        "filters": filters,
        "items": items,
        "next_cursor": next_cursor,
        "query": params.urlencode(),
        "paged": bool(request.GET.get("after")),
        "cursor_error": cursor_error,
        "counts": status_counts(campaign=campaign),
        "can_audit": ADMIN in user_roles(request.user),
        "back": request.get_full_path(),
        "max_bulk": MAX_BULK,
    }
    return render(request, "curation/queue.html", context)


@login_required
@require_POST
def curate_act(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    action = request.POST.get("action", "")
    try:
        kind, pk = item_parse(request.POST.get("item", ""))
        position = position_parse(request.POST.get("position"))
        _curate(request, campaign, kind, pk, action, position)
    except ValueError as exc:
        return _bad(str(exc))
    item = queue_item(campaign=campaign, kind=kind, pk=pk)
    message = f"{_label(item)} {PAST.get(action, action)}."
    if _is_htmx(request):
        html = _row_html(request, campaign, item, oob=False)
        return _announce(HttpResponse(html), message)
    messages.success(request, message)
    return redirect(_back(request, campaign))


@login_required
@require_POST
def curate_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    action = request.POST.get("action", "")
    raw = request.POST.getlist("items")
    if not raw:
        return _bad("Select at least one item (x, or the checkboxes) first.")
    if len(raw) > MAX_BULK:
        return _bad(f"At most {MAX_BULK} items at once.")
    try:
        items = list(dict.fromkeys(item_parse(value) for value in raw))
        position = position_parse(request.POST.get("position"))
        if action == CurationAction.PIN and position is None:
            raise ValueError("A pin needs a position: a whole number from 1.")
        with transaction.atomic():  # all or nothing: one bad item changes nothing
            for offset, (kind, pk) in enumerate(items):
                pos = position
                if action == CurationAction.PIN and position is not None:  # a pin has one
                    pos = position + offset
                _curate(request, campaign, kind, pk, action, pos)
    except ValueError as exc:
        return _bad(f"Nothing was changed: {exc}")
    message = f"{len(items)} item{'s' if len(items) != 1 else ''} {PAST.get(action, action)}."
    if _is_htmx(request):
        rows = "".join(
            _row_html(request, campaign, queue_item(campaign=campaign, kind=k, pk=pk), oob=True)
            for k, pk in items
        )
        return _announce(HttpResponse(rows), message)
    messages.success(request, message)
    return redirect(_back(request, campaign))


@login_required
@require_http_methods(["GET", "POST"])
def curate_rules(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    rules = ModerationRules.objects.filter(campaign=campaign).first()
    instance = rules or ModerationRules(campaign=campaign)
    form = RulesForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        applied = rules_save(campaign=campaign, data=form.cleaned_data, actor=request.user)
        if not applied.changed:
            messages.info(request, "The rules are unchanged.")
        else:
            messages.success(
                request,
                f"Rules saved: {applied.hidden} post{'s' if applied.hidden != 1 else ''} "
                f"newly hidden, {applied.released} released.",
            )
        return redirect("campaigns:curate_rules", slug=campaign.slug)
    return render(
        request,
        "curation/rules.html",
        {"campaign": campaign, "form": form, "rules": rules, "can_audit": _admin(request)},
        status=400 if form.is_bound else 200,
    )


def _admin(request: HttpRequest) -> bool:
    return ADMIN in user_roles(request.user)


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


@login_required
def curate_audit(request: HttpRequest, slug: str) -> HttpResponse:
    if not _admin(request):
        raise PermissionDenied("Only admins read the audit log.")
    campaign = get_object_or_404(Campaign, slug=slug)
    events = CurationEvent.objects.filter(campaign=campaign).order_by("-at", "-id")
    kind = request.GET.get("type", "")
    if kind in ("post", "story", "rules"):
        events = events.filter(target_type=kind)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.before_rows = _state_rows(event.before)
        event.after_rows = _state_rows(event.after)
    return render(
        request,
        "curation/audit.html",
        {"campaign": campaign, "page": page, "type": kind, "can_audit": True},
    )


# --- Story review: the queue is the one screen; these addresses keep working ---------------


def _stories_queue(slug: str, status: str) -> str:
    if status not in Story.Status.values:
        status = Story.Status.NEW
    return f"{reverse('campaigns:curate_queue', args=[slug])}?kind=stories&status={status}"


def _require_story_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("campaigns.manage_stories"):
        raise PermissionDenied("Only curators and admins review stories.")


@login_required
def story_review_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The stories of one status, in the curator queue."""
    _require_story_manager(request)
    get_object_or_404(Campaign, slug=slug)
    return redirect(_stories_queue(slug, request.GET.get("status", Story.Status.NEW)))


@login_required
@require_POST
def story_review_set(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Set one story's status from a plain form, then back to the queue's stories."""
    _require_story_manager(request)
    story = get_object_or_404(Story, pk=pk, campaign__slug=slug)
    status = request.POST.get("status", "")
    if status not in Story.Status.values:
        return _bad("Unknown status.")
    story = story_review(story=story, status=status, by=request.user)
    messages.success(request, f"Story by {story.name} is now {story.get_status_display()}.")
    return redirect(_stories_queue(slug, request.POST.get("back_status", Story.Status.NEW)))
