"""The organizers' chat pages: a new chat and an existing one's form, both saved by chat_upsert.

Who: campaigns.add_chat to create, campaigns.change_chat to edit (Organizer, Admin; roles.py).
Anonymous visitors are sent to log in; the logged-in without the right get 403 before any
campaign is looked up, so nobody learns from a 404 which private campaigns exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from campaigns.access import campaigns_visible_to
from campaigns.chats.forms import ChatForm
from campaigns.chats.services import chat_upsert
from campaigns.models import Campaign, Chat


def _campaign(request: HttpRequest, slug: str, perm: str) -> Campaign:
    if not request.user.has_perm(perm):
        raise PermissionDenied("Only organizers and admins create and edit chats.")
    return get_object_or_404(campaigns_visible_to(user=request.user), slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def chat_new(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug, "campaigns.add_chat")
    return _chat_form(request, campaign, None)


@login_required
@require_http_methods(["GET", "POST"])
def chat_edit(request: HttpRequest, slug: str, chat: str) -> HttpResponse:
    campaign = _campaign(request, slug, "campaigns.change_chat")
    chats = Chat.objects.select_related("hashtag").prefetch_related("hosts", "questions")
    return _chat_form(request, campaign, get_object_or_404(chats, campaign=campaign, slug=chat))


def _chat_form(request: HttpRequest, campaign: Campaign, chat: Chat | None) -> HttpResponse:
    if request.method == "POST":
        form = ChatForm(request.POST, campaign=campaign, chat=chat)
        if form.is_valid():
            try:
                saved, _ = chat_upsert(
                    campaign=campaign, new=chat is None, **form.upsert_arguments()
                )
            except ValidationError as exc:
                form.errors_add(exc)
            else:
                messages.success(request, "Chat saved.")
                return redirect("campaigns:chat_detail", slug=campaign.slug, chat=saved.slug)
    else:
        form = ChatForm(campaign=campaign, chat=chat)
    context = {"campaign": campaign, "chat": chat, "form": form}
    return render(request, "campaigns/chats/form.html", context)
