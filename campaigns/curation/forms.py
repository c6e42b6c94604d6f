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
    kind = forms.ChoiceField(
        choices=Kind.choices,
        required=False,
    )
    hashtag = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    platform = forms.ChoiceField(required=False)
    range = forms.ChoiceField(choices=range_choices(custom=False), required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *QueueStatus.choices],
        required=False,
    )
    min_engagement = forms.IntegerField(
        min_value=0,
        max_value=10**12,
        required=False,
        label="Minimum engagement score",
        widget=forms.NumberInput(attrs={"placeholder": "min. score"}),
    )
    q = forms.CharField(
        max_length=200,
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Search text, names…", "type": "search"}),
    )
    sort = forms.ChoiceField(choices=Sort.choices, required=False)

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

    def _lines(self, name: str) -> list[str]:
        lines = rule_lines(self.cleaned_data.get(name, "").replace("\x00", ""))
        if len(lines) > MAX_RULE_LINES:
            raise forms.ValidationError(f"At most {MAX_RULE_LINES} lines.")
        long = [line for line in lines if len(line) > MAX_RULE_LINE]
        if long:
            raise forms.ValidationError(
                f"A line may hold at most {MAX_RULE_LINE} characters: {long[0][:40]}…"
            )
        return lines

    def clean_blocked_words(self) -> str:
        return "\n".join(self._lines("blocked_words"))

    def clean_blocked_authors(self) -> str:
        lines = self._lines("blocked_authors")
        for line in lines:
            try:
                author_rule_parse(line)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return "\n".join(lines)
