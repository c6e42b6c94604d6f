"""The public #IHeartHIT story form: plain words for every error, and two spam traps.

Its hidden `started` token is signed: when the form was opened and a nonce, so each opened form
stores one story (story_submit records `form_key` when it stores). Older than
STORIES_FORM_MAX_AGE_SECONDS is refused. Sent sooner than STORIES_MIN_FILL_SECONDS after it
was opened, it comes back with its text and a fresh token, as any form error does: a person
who pasted a story loses nothing, and a bot that sends again at once is just as fast again, so
it must wait out the minimum for every form it opens. Only the honeypot stays silent (the
thank-you, nothing stored): a person never fills it.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import URLValidator

from campaigns.models import Story
from campaigns.stories.services import plain_text

SIGNING_SALT = "campaigns.story-form.started"

TOO_FAST = (
    "That was quick! To keep out automated spam we need a few seconds between opening this "
    "form and sending it, so we have not taken your story yet. It is all still below: "
    "look it over and send it again."
)


class PlainTextField(forms.CharField):
    """Free text: NFC, control characters (NUL included) dropped, invisible-only text is empty."""

    def to_python(self, value):
        text = super().to_python(value)
        assert text is not None  # empty_value is "": CharField gives a str, never None
        return plain_text(text)


class WebLinkField(forms.URLField):
    default_validators = [
        URLValidator(
            schemes=["http", "https"],
            message="Use a full web address that starts with http:// or https://.",
        )
    ]

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


def form_started_token() -> str:
    return signing.dumps(
        {"t": time.time(), "n": secrets.token_urlsafe(12)}, salt=SIGNING_SALT, compress=True
    )


def _age_in_words(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(seconds // 60, 1)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class StoryForm(forms.Form):
    name = PlainTextField(
        label="Your name, as we may publish it",
        max_length=Story.NAME_MAX,
        error_messages={
            "required": "Please tell us the name to publish with your story.",
            "max_length": "Keep the name to %(limit_value)d characters (it has %(show_value)d).",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    role = forms.ChoiceField(
        label="You are a",
        choices=Story.Role.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the role that fits you best (or Other).",
            "invalid_choice": "Choose one of the roles listed.",
        },
    )
    email = forms.EmailField(
        label="Your e-mail",
        max_length=254,
        help_text="Private: only the organizers see it, to follow up about your story.",
        error_messages={
            "required": "Please give an e-mail address so we can follow up.",
            "invalid": "That does not look like an e-mail address (name@example.org).",
            "max_length": "That e-mail address is too long (%(show_value)d characters).",
            "null_characters_not_allowed": "The e-mail address contains an invisible character; "
            "please type it again.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    text = PlainTextField(
        label="Your story",
        max_length=Story.TEXT_MAX,
        help_text=f"How has health IT touched your life or work? Up to {Story.TEXT_MAX:,} "
        "characters.",
        error_messages={
            "required": "Please write your story.",
            "max_length": "Keep your story to %(limit_value)d characters (it has %(show_value)d); "
            "please shorten it.",
        },
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    link = WebLinkField(
        label="A link (optional)",
        required=False,
        max_length=Story.LINK_MAX,
        help_text="A blog post or video about your story.",
        error_messages={
            "max_length": "Keep the link to %(limit_value)d characters (it has %(show_value)d).",
            "invalid": "Use a full web address that starts with http:// or https://.",
            "null_characters_not_allowed": "The link contains an invisible character; "
            "please paste it again.",
        },
    )
    consent = forms.BooleanField(
        label="I agree that my story, with the name above, may be republished by the campaign "
        "on this site and its social media.",
        error_messages={
            "required": "We can only publish a story with your consent: tick the box to agree."
        },
    )
    # Spam trap: hidden by CSS, labelled for screen readers; people leave it empty, bots do not.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bot_reason = ""  # the honeypot: answered like a stored story, nothing stored
        self.too_fast = False
        self.form_key = ""  # which opened form this is, once the token checks out
        if not self.is_bound:
            self.initial["started"] = form_started_token()

    def clean(self):
        cleaned = super().clean()
        if self.data.get("website"):
            self.bot_reason = "honeypot"
        token = self.data.get("started") or ""
        try:
            started = float(signing.loads(token, salt=SIGNING_SALT)["t"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            # Not a bot signal on its own (a proxy may drop fields): ask again with a fresh start.
            self.token_renew()
            raise forms.ValidationError(
                "This form was incomplete when it reached us. Please check it and send it again."
            ) from None
        max_age = settings.STORIES_FORM_MAX_AGE_SECONDS
        if time.time() - started > max_age:
            self.token_renew()
            raise forms.ValidationError(
                f"This form was open for more than {_age_in_words(max_age)}, so we need you to "
                "send it again. Your story is still below."
            )
        if time.time() - started < settings.STORIES_MIN_FILL_SECONDS:
            self.too_fast = True
            self.token_renew()
            raise forms.ValidationError(TOO_FAST)
        self.form_key = hashlib.sha256(token.encode()).hexdigest()
        return cleaned

    def token_renew(self) -> None:
        """A fresh start token in the form as shown again, so the visitor can send it again."""
        assert isinstance(self.data, dict)  # request.POST: a QueryDict, a dict subclass
        self.data = self.data.copy()
        self.data["started"] = form_started_token()

    def full_clean(self):
        super().full_clean()
        # Point each field with an error at its message, for screen readers.
        for name in self.errors:
            if name in self.fields:
                ids = [f"id_{name}_error"]
                if self.fields[name].help_text:
                    ids.append(f"id_{name}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)

    @property
    def has_field_errors(self) -> bool:
        return any(name in self.fields for name in self.errors)

    def story_data(self) -> dict:
        keys = ("name", "role", "email", "text", "link", "consent")
        return {key: self.cleaned_data.get(key) for key in keys}
