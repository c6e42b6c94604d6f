"""Forms of the curator pages: the queue's filters, one action, a bulk action, the rules."""

from __future__ import annotations

from django import forms

from campaigns.curation.moderation import author_rule_parse, rule_lines
from campaigns.curation.queue import Kind, QueueFilter, QueueStatus, Sort
from campaigns.curation.services import POST_ACTIONS
from campaigns.curation.states import MAX_POSITION
from campaigns.models import Campaign, ModerationRules
from campaigns.ranges import range_choices
from hashtags.models import Platform

MAX_RULE_LINES = 500
MAX_RULE_LINE = 200
MAX_BULK = 200
ACTION_CHOICES = [(a, a) for a in POST_ACTIONS]


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, required=False, label="Show")
    hashtag = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    platform = forms.ChoiceField(required=False)
    range = forms.ChoiceField(choices=range_choices(custom=False), required=False, label="When")
    status = forms.ChoiceField(
        choices=[("", "Any status"), *QueueStatus.choices],
        required=False,
    )
    min_engagement = forms.IntegerField(
        min_value=0,
        max_value=10**12,
        required=False,
        label="Minimum score",
        widget=forms.NumberInput(attrs={"placeholder": "0"}),
    )
    q = forms.CharField(
        max_length=200,
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Search text, names…", "type": "search"}),
    )
    sort = forms.ChoiceField(choices=Sort.choices, required=False, label="Order")

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        links = campaign.campaign_hashtags.select_related("hashtag").order_by("position", "id")
        hashtag, platform = self.fields["hashtag"], self.fields["platform"]
        assert isinstance(hashtag, forms.ChoiceField) and isinstance(platform, forms.ChoiceField)
        hashtag.choices = [("", "All hashtags")] + [
            (link.hashtag_id, f"#{link.hashtag.display}") for link in links
        ]
        platform.choices = [("", "All platforms"), *Platform.choices]

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()

    def filters(self) -> QueueFilter:
        """The valid filters; a field with an error falls back to its default."""
        data = getattr(self, "cleaned_data", {})
        return QueueFilter(
            kind=data.get("kind") or Kind.ALL,
            hashtag_id=data.get("hashtag") or None,
            platform=data.get("platform") or "",
            range=data.get("range") or "campaign",
            status=data.get("status") or "",
            min_engagement=data.get("min_engagement") or 0,
            q=data.get("q") or "",
            sort=data.get("sort") or Sort.NEWEST,
        )


def item_parse(value: str) -> tuple[str, int]:
    """("post" | "story", id) from "post:12"; ValueError with a message otherwise."""
    kind, _, pk = (value or "").partition(":")
    if kind not in ("post", "story") or not pk.isascii() or not pk.isdigit() or len(pk) > 18:
        raise ValueError(f"{value[:40]!r} is not an item of the queue (post:<id> or story:<id>).")
    return kind, int(pk)


def position_parse(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    value = value.strip()
    if not value.isascii() or not value.lstrip("-").isdigit() or len(value) > 12:
        raise ValueError(f"The pin position must be a whole number from 1 to {MAX_POSITION}.")
    return int(value)


MODE_HELP = {
    ModerationRules.Mode.OPEN: "Every post shows on the wall, the embeds and the dashboard's top "
    "posts unless a curator or a rule hides it. New posts appear at once.",
    ModerationRules.Mode.APPROVE: "Only posts a curator approved or featured show. Every other "
    "post, each new one too, stays off the wall, the embeds and the top posts until someone "
    "approves it: switching to this mode can empty the wall until posts are approved. "
    "Stories always wait for approval, in both modes.",
}


class RulesForm(forms.ModelForm):
    class Meta:
        model = ModerationRules
        fields = ["mode", "blocked_words", "blocked_authors", "hide_reposts"]
        widgets = {
            "mode": forms.RadioSelect,
            "blocked_words": forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
            "blocked_authors": forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        }
        help_texts = {
            "blocked_words": "One word or phrase a line. Whole words only, case ignored in any "
            "language: “spam” hides “SPAM!” and “#spam”, not “spammer”.",
            "blocked_authors": "One handle a line, with or without @. Prefix a platform to "
            "block on that one only: x:spammer, bluesky:spam.bsky.social, "
            "mastodon:spam@mastodon.social.",
            "hide_reposts": "Hide plain reposts (retweets, boosts); quotes stay.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("blocked_words", "blocked_authors"):  # line numbers count blank lines too
            field = self.fields[name]
            assert isinstance(field, forms.CharField)
            field.strip = False

    def mode_choices(self) -> list[tuple[str, str, str, bool]]:
        """(value, label, what it means, chosen) for each mode, for the form's own radios."""
        chosen = str(self["mode"].value() or ModerationRules.Mode.OPEN)
        return [
            (value, label, MODE_HELP[ModerationRules.Mode(value)], value == chosen)
            for value, label in ModerationRules.Mode.choices
        ]

    def _lines(self, name: str, check=None) -> list[str]:
        """The field's lines; a ValidationError naming each bad line by its number."""
        raw = self.cleaned_data.get(name, "").replace("\x00", "")
        errors = []
        for number, line in enumerate(raw.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            if len(line) > MAX_RULE_LINE:
                errors.append(
                    f"Line {number}: at most {MAX_RULE_LINE} characters (“{line[:40]}…”)."
                )
            elif check is not None:
                try:
                    check(line)
                except ValueError as exc:
                    errors.append(f"Line {number}: {exc}")
        if errors:
            more = len(errors) - 5
            raise forms.ValidationError(errors[:5] + ([f"…and {more} more."] if more > 0 else []))
        lines = rule_lines(raw)
        if len(lines) > MAX_RULE_LINES:
            raise forms.ValidationError(f"At most {MAX_RULE_LINES} lines.")
        return lines

    def clean_blocked_words(self) -> str:
        return "\n".join(self._lines("blocked_words"))

    def clean_blocked_authors(self) -> str:
        return "\n".join(self._lines("blocked_authors", author_rule_parse))
