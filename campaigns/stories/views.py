"""#IHeartHIT story pages: the public form and wall of approved stories, review, CSV export."""

from __future__ import annotations

import csv
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaigns.access import campaigns_visible_to, visible_campaign
from campaigns.models import Campaign, Story
from campaigns.roles import ADMIN, ORGANIZER, user_roles
from campaigns.stories.forms import StoryForm
from campaigns.stories.services import (
    StoryRefused,
    stories_approved,
    stories_for_review,
    story_client_key,
    story_counts,
    story_export_rows,
    story_review,
    story_submit,
)

logger = logging.getLogger(__name__)

STORIES_PER_PAGE = 20


def _client_address(request: HttpRequest) -> str:
    """The visitor's address; behind our own proxy, the last hop it appended to the header."""
    header = settings.STORIES_CLIENT_ADDRESS_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def story_new(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_campaign(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    status, refusal, retry_after = 200, None, 0
    if request.method == "POST":
        form = StoryForm(request.POST)
        valid = form.is_valid()
        if form.bot_reason:
            # Same answer as a real submission, so a bot learns nothing; nothing is stored.
            logger.info("stories: dropped a %s submission for %s", form.bot_reason, slug)
            return redirect("campaigns:story_thanks", slug=slug)
        if valid:
            client_key = story_client_key(address=_client_address(request))
            try:
                story_submit(campaign=campaign, data=form.story_data(), client_key=client_key)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except StoryRefused as exc:
                refusal, status, retry_after = exc.message, exc.status_code, exc.retry_after
            else:
                return redirect("campaigns:story_thanks", slug=slug)
    else:
        form = StoryForm()
    response = render(
        request,
        "campaigns/stories/new.html",
        {"campaign": campaign, "form": form, "refusal": refusal},
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def story_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_campaign(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    return render(request, "campaigns/stories/thanks.html", {"campaign": campaign})


def story_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_campaign(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    paginator = Paginator(stories_approved(campaign=campaign), STORIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "campaigns/stories/list.html", {"campaign": campaign, "page": page})


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value


@login_required
def story_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    if not user_roles(request.user) & {ORGANIZER, ADMIN}:
        raise PermissionDenied("Only organizers and admins export stories.")
    campaign = get_object_or_404(Campaign, slug=slug)
    writer = csv.writer(_Echo(), lineterminator="\n")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in story_export_rows(campaign=campaign)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-stories.csv"'
    response["Cache-Control"] = "no-store"  # the file carries private e-mail addresses
    return response


def _require_story_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("campaigns.manage_stories"):
        raise PermissionDenied("Only curators and admins review stories.")


@login_required
def story_review_list(request: HttpRequest, slug: str) -> HttpResponse:
    _require_story_manager(request)
    campaign = get_object_or_404(campaigns_visible_to(user=request.user), slug=slug)
    status = request.GET.get("status", Story.Status.NEW)
    if status not in Story.Status.values:
        status = Story.Status.NEW
    paginator = Paginator(stories_for_review(campaign=campaign, status=status), 50)
    counts = story_counts(campaign=campaign)
    context = {
        "campaign": campaign,
        "status": status,
        "tabs": [(value, label, counts[value]) for value, label in Story.Status.choices],
        "page": paginator.get_page(request.GET.get("page")),
    }
    return render(request, "campaigns/stories/review.html", context)


@login_required
@require_POST
def story_review_set(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _require_story_manager(request)
    story = get_object_or_404(Story, pk=pk, campaign__slug=slug)
    status = request.POST.get("status", "")
    if status not in Story.Status.values:
        return HttpResponse("Unknown status.", status=400, content_type="text/plain")
    story = story_review(story=story, status=status, by=request.user)
    messages.success(request, f"Story by {story.name} is now {story.get_status_display()}.")
    back = request.POST.get("back_status", Story.Status.NEW)
    if back not in Story.Status.values:
        back = Story.Status.NEW
    return redirect(f"{reverse('campaigns:story_review_list', args=[slug])}?status={back}")
