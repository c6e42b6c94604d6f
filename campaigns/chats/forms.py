"""The organizers' chat form: a chat's title, slug, hashtag, dates typed and shown in the
campaign's zone, and its hosts and planned questions as text (plans.py). The rules stay where
they live (the model's clean: the dates' bounds, the end after the start; chat_upsert: each
question number once, the slug not taken); the form asks them and puts each refusal on the
field it is about."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from campaigns.chats.plans import (
    LineError,
    hosts_parse,
    hosts_text,
    questions_parse,
    questions_text,
)
from campaigns.models import Campaign, Chat
from campaigns.wallclock import wall_clock, wall_clock_instant
from hashtags.normalize import hashtag_normalize

WALL_CLOCK_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows
# chat_upsert's error keys that are not this form's fields: a planned question's own checks.
SERVICE_FIELDS = {"number": "questions", "planned_at": "questions", "text": "questions"}

_CHAT_FIELDS = forms.fields_for_model(
    Chat,
    fields=["title", "slug", "tail_minutes"],
    labels={"tail_minutes": "Tail (minutes)"},
    help_texts={
        "slug": "Its address: letters, digits, hyphens and underscores, e.g. tuesday-chat. "
        "It cannot be changed later.",
        "tail_minutes": "Posts this long after the end still count (late answers, the wrap-up).",
    },
)


def _wall_clock_field(label: str) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=WALL_CLOCK_FORMAT)
    return forms.DateTimeField(label=label, widget=widget)


def _said(exc: LineError) -> str:
    return f"Line {exc.line}: {exc.reason}"


class ChatForm(forms.Form):
    title = _CHAT_FIELDS["title"]
    slug = _CHAT_FIELDS["slug"]
    hashtag = forms.ChoiceField(label="Campaign hashtag", required=False)
    own_hashtag = forms.CharField(
        label="Or the chat's own hashtag",
        required=False,
        help_text="e.g. NHITchat, with or without '#'. Leave the choice above empty to use it.",
    )
    start = _wall_clock_field("Start")
    end = _wall_clock_field("End")
    tail_minutes = _CHAT_FIELDS["tail_minutes"]
    hosts = forms.CharField(
        label="Hosts",
        help_text="One platform:handle a line (x, mastodon, bluesky), e.g. x:HITchat, "
        "mastodon:host@mastodon.social or bluesky:host.bsky.social.",
        error_messages={"required": "List at least one host, e.g. x:HITchat."},
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    questions = forms.CharField(
        label="Planned questions (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, campaign: Campaign, chat: Chat | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.campaign, self.chat, self.zone = campaign, chat, campaign.tz
        zone_name = campaign.timezone
        tags = [link.hashtag for link in campaign.campaign_hashtags.all()]
        choice = self.fields["hashtag"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [
            ("", "The chat's own hashtag (type it below)"),
            *((tag.name, f"#{tag.display}") for tag in tags),
        ]
        choice.help_text = "One of the campaign's hashtags, or the chat's own."
        self.fields["start"].help_text = f"Times in {zone_name}, whatever your computer's zone."
        self.fields["end"].help_text = f"Times in {zone_name}; after the start."
        self.fields["questions"].help_text = (
            f"One N|HH:MM|text a line, times in {zone_name} on the chat's day, e.g. "
            "1|14:05|What does health IT mean to you? (N||text: a question with no time)."
        )
        if chat is not None:
            del self.fields["slug"]  # a chat's address stays what it was
            if not self.is_bound:
                self.initial.update(self._stored(chat, {tag.pk for tag in tags}))
        self._describe(errors=())

    def _stored(self, chat: Chat, campaign_tags: set[int]) -> dict[str, Any]:
        """The stored chat as the form shows it: wall-clock dates, hosts and questions as text."""
        ours = chat.hashtag_id in campaign_tags
        return {
            "title": chat.title,
            "hashtag": chat.hashtag.name if ours else "",
            "own_hashtag": "" if ours else chat.hashtag.display,
            "start": wall_clock(chat.start, self.zone),
            "end": wall_clock(chat.end, self.zone),
            "tail_minutes": chat.tail_minutes,
            "hosts": hosts_text(chat.hosts.all()),
            "questions": questions_text(chat.questions.all(), self.zone),
        }

    def clean_own_hashtag(self) -> str:
        typed = self.cleaned_data["own_hashtag"]
        if typed:
            hashtag_normalize(typed)  # its ValidationError says what is wrong with the tag
        return typed

    def clean_start(self) -> datetime:
        return wall_clock_instant(self.cleaned_data["start"], self.zone)

    def clean_end(self) -> datetime:
        return wall_clock_instant(self.cleaned_data["end"], self.zone)

    def clean_hosts(self) -> list[tuple[str, str]]:
        try:
            return hosts_parse(self.cleaned_data["hosts"].splitlines())
        except LineError as exc:
            raise ValidationError(_said(exc)) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        chosen, typed = cleaned.get("hashtag"), cleaned.get("own_hashtag")
        if chosen and typed:
            self.add_error("own_hashtag", "Choose a campaign hashtag or type one, not both.")
        elif not chosen and not typed and not {"hashtag", "own_hashtag"} & set(self.errors):
            self.add_error(
                "own_hashtag", "Choose one of the campaign's hashtags or type the chat's own."
            )
        if "start" in cleaned and "end" in cleaned:
            try:  # the model's own rule (bounds, the end after the start), before any saving
                Chat(start=cleaned["start"], end=cleaned["end"]).clean()
            except ValidationError as exc:
                self.errors_add(exc)
        if "start" in cleaned:  # the questions' times are on the start's day
            try:
                cleaned["questions"] = questions_parse(
                    cleaned.get("questions", "").splitlines(),
                    start=cleaned["start"],
                    zone=self.zone,
                )
            except LineError as exc:
                self.add_error("questions", _said(exc))
        return cleaned

    def upsert_arguments(self) -> dict[str, Any]:
        """chat_upsert's keywords, less the campaign, for a valid form."""
        data = self.cleaned_data
        return {
            "slug": self.chat.slug if self.chat is not None else data["slug"],
            "title": data["title"],
            "hashtag": data["own_hashtag"] or data["hashtag"],
            "start": data["start"],
            "end": data["end"],
            "tail_minutes": data["tail_minutes"],
            "hosts": data["hosts"],
            "questions": data["questions"],
        }

    def errors_add(self, exc: ValidationError) -> None:
        """A refusal of chat_upsert or of the model, each message on the field it is about."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, messages in exc.message_dict.items():
            name = SERVICE_FIELDS.get(key, key)
            self.add_error(name if name in self.fields else None, messages)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._describe(errors=self.errors)

    def _describe(self, *, errors: Collection[str]) -> None:
        """Point each field at its error and its help text, for screen readers."""
        for name, field in self.fields.items():
            ids = [f"id_{name}_error"] if name in errors else []
            if field.help_text:
                ids.append(f"id_{name}_helptext")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            if name in errors:
                field.widget.attrs["aria-invalid"] = "true"

    @property
    def has_field_errors(self) -> bool:
        return any(name in self.fields for name in self.errors)
