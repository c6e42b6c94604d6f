"""#IHeartHIT story pages: the public form, the approved stories and the CSV export."""

from __future__ import annotations

import csv
import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from campaigns.access import user_reads_story_emails, visible_campaign
from campaigns.models import Campaign
from campaigns.stories.forms import StoryForm
from campaigns.stories.services import (
    StoryRefused,
    stories_approved,
    story_client_key,
    story_export_rows,
    story_submit,
)
from nhitweek.clients import client_address

logger = logging.getLogger(__name__)

STORIES_PER_PAGE = 20


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
        if form.too_fast:
            logger.info("stories: a submission for %s came too fast; sent back to send again", slug)
        if valid:
            client_key = story_client_key(address=client_address(request))
            try:
                story_submit(
                    campaign=campaign,
                    data=form.story_data(),
                    client_key=client_key,
                    form_key=form.form_key,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except StoryRefused as exc:
                refusal, status, retry_after = exc.message, exc.status_code, exc.retry_after
                # The form may have been used up: shown again, it can be sent again.
                form.token_renew()
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
    if not user_reads_story_emails(request.user):
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
