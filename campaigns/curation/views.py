"""The curator's pages: the queue (posts and stories), one action, bulk actions, undo, the
queue's news, and the rules.

Who: the queue, its actions and the rules need campaigns.curate_posts (Curator, Admin); a
story action also needs campaigns.manage_stories. Organizers hold neither (roles.py): they
watch the dashboard and the wall, they do not moderate, so the queue answers them 403. The
audit log (audit.py) is for the Admin role (superusers hold it). Anonymous visitors are sent to
log in.

Actions answer an htmx request with the item's row (bulk and undo: the rows, out of band) and
an HX-Trigger "curated" event carrying the message (what changed, in words), the events to
undo ("undo", for undo.UNDO_SECONDS) and the header counts; without htmx they redirect back
to the queue with its filters, which then offers the same undo (kept in the session). Bad
input is a 400 with a plain-text message, and changes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from campaigns.curation.forms import (
    MAX_BULK,
    QueueFilterForm,
    item_parse,
    position_parse,
)
from campaigns.curation.live import NEWS_MAX, mark_now, mark_parse, queue_counts, queue_news
from campaigns.curation.queue import SearchTooSlow, queue_item, queue_page
from campaigns.curation.services import Curated, post_curate, story_curate, story_review
from campaigns.curation.states import change_describe
from campaigns.curation.undo import UNDO_GRACE_SECONDS, UNDO_SECONDS, RevertRefused, events_revert
from campaigns.models import Campaign, CurationAction, CurationEvent, Story
from campaigns.roles import ADMIN, user_roles

PAST = {action.value: action.label for action in CurationAction}
UNDO_KEY = "curation_undo"


def curator_campaign(request: HttpRequest, slug: str) -> Campaign:
    if not request.user.has_perm("campaigns.curate_posts"):
        raise PermissionDenied("Only curators and admins curate a campaign.")
    return get_object_or_404(Campaign, slug=slug)


def is_admin(request: HttpRequest) -> bool:
    return ADMIN in user_roles(request.user)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def bad_request(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _back(request: HttpRequest, campaign: Campaign) -> str:
    """The queue page the action came from (its filters kept), never another site."""
    queue = reverse("campaigns:curate_queue", args=[campaign.slug])
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.startswith(queue) else queue


def _curate(request: HttpRequest, campaign: Campaign, kind: str, pk: int, action: str, pos):
    if kind == "story":
        _require_story_manager(request)
        return story_curate(
            campaign=campaign, story_id=pk, action=action, actor=request.user, position=pos
        )
    return post_curate(
        campaign=campaign, post_id=pk, action=action, actor=request.user, position=pos
    )


def _row_html(request: HttpRequest, campaign: Campaign, item, oob: bool) -> str:
    context = {"campaign": campaign, "item": item, "oob": oob, "back": _back(request, campaign)}
    return render_to_string("curation/_item.html", context, request=request)


def _label(item) -> str:
    if item is None:
        return "Item"
    if item.kind == "story":
        return f"Story by {item.obj.name}"
    return f"Post by @{item.obj.author.handle}"


def _several(done: list[Curated], past: str) -> str:
    changed = sum(1 for d in done if d.event is not None)
    same = len(done) - changed
    message = f"{changed} item{'s' if changed != 1 else ''} {past}."
    if same:
        message += f" {same} unchanged: {'it was' if same == 1 else 'they were'} so already."
    return message


def _answer(
    request: HttpRequest,
    campaign: Campaign,
    *,
    message: str,
    events: list[CurationEvent],
    rows: list[tuple[str, int]],
    swap_first: bool = False,
) -> HttpResponse:
    """The answer to an action: rows and the "curated" event for htmx, else a redirect back
    with the message and the undo kept for the queue page."""
    undo = ",".join(str(e.pk) for e in events)
    if not _is_htmx(request):
        messages.success(request, message)
        if undo:
            request.session[UNDO_KEY] = {
                "campaign": campaign.pk,
                "events": undo,
                "at": timezone.now().isoformat(),
            }
        return redirect(_back(request, campaign))
    parts = []
    for index, (kind, pk) in enumerate(rows):
        item = queue_item(campaign=campaign, kind=kind, pk=pk)
        if item is not None:
            oob = not (swap_first and index == 0)
            parts.append(_row_html(request, campaign, item, oob=oob))
    html = "".join(parts)
    response = HttpResponse(html)
    response["HX-Trigger"] = json.dumps(
        {
            "curated": {
                "message": message,
                "undo": undo,
                "undo_seconds": UNDO_SECONDS,
                "counts": queue_counts(campaign=campaign),
            }
        }
    )
    return response


def _pending_undo(request: HttpRequest, campaign: Campaign) -> str:
    """The events the last plain (no htmx) action wrote, while they may still be undone."""
    pending = request.session.pop(UNDO_KEY, None)
    if not isinstance(pending, dict) or pending.get("campaign") != campaign.pk:
        return ""
    try:
        at = datetime.fromisoformat(str(pending.get("at")))
    except ValueError:
        return ""
    if (timezone.now() - at).total_seconds() > UNDO_SECONDS + UNDO_GRACE_SECONDS:
        return ""
    return str(pending.get("events") or "")


@login_required
def curate_queue(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = curator_campaign(request, slug)
    mark = mark_now()  # before the page is read: nothing stored meanwhile is missed
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
        "counts": queue_counts(campaign=campaign),
        "can_audit": is_admin(request),
        "back": request.get_full_path(),
        "max_bulk": MAX_BULK,
        "mark": mark,
        "undo": _pending_undo(request, campaign),
        "undo_seconds": UNDO_SECONDS,
        "news_seconds": settings.QUEUE_NEWS_SECONDS,
    }
    return render(request, "curation/queue.html", context)


@login_required
@require_POST
def curate_act(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = curator_campaign(request, slug)
    action = request.POST.get("action", "")
    try:
        kind, pk = item_parse(request.POST.get("item", ""))
        position = position_parse(request.POST.get("position"))
        done = _curate(request, campaign, kind, pk, action, position)
    except ValueError as exc:
        return bad_request(str(exc))
    label = _label(queue_item(campaign=campaign, kind=kind, pk=pk))
    return _answer(
        request,
        campaign,
        message=change_describe(label, done.before, done.after),
        events=[done.event] if done.event else [],
        rows=[(kind, pk)],
        swap_first=True,
    )


@login_required
@require_POST
def curate_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = curator_campaign(request, slug)
    action = request.POST.get("action", "")
    raw = request.POST.getlist("items")
    if not raw:
        return bad_request("Select at least one item (x, or the checkboxes) first.")
    if len(raw) > MAX_BULK:
        return bad_request(f"At most {MAX_BULK} items at once.")
    try:
        items = list(dict.fromkeys(item_parse(value) for value in raw))
        position = position_parse(request.POST.get("position"))
        if action == CurationAction.PIN and position is None:
            raise ValueError("A pin needs a position: a whole number from 1.")
        done = []
        with transaction.atomic():  # all or nothing: one bad item changes nothing
            for offset, (kind, pk) in enumerate(items):
                pos = position
                if action == CurationAction.PIN and position is not None:  # a pin has one
                    pos = position + offset
                done.append(_curate(request, campaign, kind, pk, action, pos))
    except ValueError as exc:
        return bad_request(f"Nothing was changed: {exc}")
    return _answer(
        request,
        campaign,
        message=_several(done, PAST.get(action, action)),
        events=[d.event for d in done if d.event is not None],
        rows=items,
    )


def _event_ids(values: list[str]) -> list[int]:
    ids = []
    for value in ",".join(values).split(","):
        value = value.strip()
        if not value:
            continue
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise ValueError(f"{value[:20]!r} is not an entry of the audit log.")
        ids.append(int(value))
    if len(ids) > MAX_BULK:
        raise ValueError(f"At most {MAX_BULK} actions at once.")
    return ids


@login_required
@require_POST
def curate_undo(request: HttpRequest, slug: str) -> HttpResponse:
    """Undo the actions the curator just made (their events), all or nothing."""
    campaign = curator_campaign(request, slug)
    try:
        ids = _event_ids(request.POST.getlist("events"))
        events = CurationEvent.objects.filter(campaign=campaign, pk__in=ids, target_type="story")
        if events.exists():
            _require_story_manager(request)
        reverted = events_revert(
            campaign=campaign, event_ids=ids, actor=request.user, own_undo=True
        )
    except RevertRefused as exc:
        return bad_request(str(exc), status=409)
    except ValueError as exc:
        return bad_request(str(exc))
    rows = [(e.target_type, int(e.target_id)) for e, _done in reversed(reverted)]
    if len(reverted) == 1:
        kind, pk = rows[0]
        done = reverted[0][1]
        label = _label(queue_item(campaign=campaign, kind=kind, pk=pk))
        message = "Undone. " + change_describe(label, done.before, done.after)
    else:
        message = f"Undone: {len(reverted)} items are back as they were."
    return _answer(request, campaign, message=message, events=[], rows=rows)


@login_required
@require_GET
def curate_news(request: HttpRequest, slug: str) -> JsonResponse:
    """What arrived since the queue was opened (its mark), through its filters, and the
    header counts: polled by the open queue."""
    campaign = curator_campaign(request, slug)
    try:
        mark = mark_parse(request.GET.get("mark", ""))
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    form = QueueFilterForm(request.GET, campaign=campaign)
    form.is_valid()
    try:
        news = queue_news(campaign=campaign, filters=form.filters(), mark=mark, now=timezone.now())
    except SearchTooSlow as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    return JsonResponse(
        {
            "posts": news.posts,
            "stories": news.stories,
            "more": news.more,
            "cap": NEWS_MAX,
            "counts": queue_counts(campaign=campaign),
        }
    )


# --- Story review: the queue is the one screen; these addresses keep working ---------------


def _require_story_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("campaigns.manage_stories"):
        raise PermissionDenied("Only curators and admins review stories.")


def _stories_queue(slug: str, status: str) -> str:
    if status not in Story.Status.values:
        status = Story.Status.NEW
    return f"{reverse('campaigns:curate_queue', args=[slug])}?kind=stories&status={status}"


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
        return bad_request("Unknown status.")
    story = story_review(story=story, status=status, by=request.user)
    messages.success(request, f"Story by {story.name} is now {story.get_status_display()}.")
    return redirect(_stories_queue(slug, request.POST.get("back_status", Story.Status.NEW)))
