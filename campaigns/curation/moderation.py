"""Moderation rules: hide a campaign's posts by word, author or kind, as they arrive and after.

Design:
- A rule set is compiled once from ModerationRules: blocked words and phrases (one a line,
  matched as whole words, ignoring case, in Unicode: NFKC + casefold on both sides, word
  characters are Python's Unicode \\w, spaces in a phrase match any run of spaces), blocked
  authors (one handle a line, "@" optional, "x:handle" for one platform or a bare handle for
  any) and "hide plain reposts". Matching runs in Python, not in SQL, so it means the same on
  PostgreSQL (whatever its locale) and on the embedded SQLite.
- A rule hides a post by a PostCuration row (status hidden, rule = which rule). Rules decide
  only about posts no curator has decided on: no row, or a row a rule wrote. A curator's
  approve / feature / hide / unhide always stands.
- Arriving posts: the receiver of hashtags.signals.posts_stored runs inside ingestion's
  transaction. One query finds the campaigns with rules among those the page's hashtags
  belong to (none: done); otherwise one query reads the new posts and one INSERT ... ON
  CONFLICT DO NOTHING writes the hidden rows, ordered by post id.
- Changed rules (rules_save): under the campaign lock, newly matching posts are hidden and
  rule-hidden posts no rule matches any more are released (their row is deleted: they are new
  again); one CurationEvent records the rules before and after and both counts.
- Nothing is saved unseen: rules_preview runs the same plan without writing (how many shown
  posts it hides, a few of them, how many it releases, what a change of mode means), and the
  save names the preview it confirms by a fingerprint of the change (rules before and after),
  so rules another curator saved in between are previewed again, never overwritten blind.
- Author lines are checked against the handle shapes of each platform: an unknown platform
  prefix (facebook:someone) or a line no platform could have as a handle is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.curation.services import campaign_bump_on_commit, campaign_lock, event_record
from campaigns.curation.undo import revert_check
from campaigns.models import (
    Campaign,
    CampaignHashtag,
    CurationEvent,
    ModerationRules,
    PostCuration,
)
from campaigns.posts import campaign_posts
from hashtags.models import Platform, Post
from hashtags.tagsets import tagset_hashtag_ids

RULE_MAX = 200  # PostCuration.rule
CHUNK = 2000
Status = PostCuration.Status


def text_fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").casefold()


def rule_lines(value: str) -> list[str]:
    """Non-empty trimmed lines, each once, in the order given."""
    seen: dict[str, None] = {}
    for line in (value or "").splitlines():
        line = line.strip()
        if line:
            seen.setdefault(line, None)
    return list(seen)


_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})+"
_USER = r"[a-z0-9_]+(?:[.-][a-z0-9_]+)*"
# What a handle looks like on each platform, as stored (folded, without "@").
HANDLE_SHAPES = {
    Platform.X: (re.compile(r"[a-z0-9_]{1,15}"), "letters, digits and _, at most 15"),
    Platform.BLUESKY: (re.compile(_DOMAIN), "a domain name, e.g. spam.bsky.social"),
    Platform.MASTODON: (
        re.compile(rf"{_USER}(?:@{_DOMAIN})?"),
        "user or user@server, e.g. spam@mastodon.social",
    ),
    Platform.DEMO: (re.compile(rf"{_USER}|{_DOMAIN}"), "letters, digits, _ . -"),
}
AUTHOR_EXAMPLES = "@spammer, x:spammer, bluesky:spam.bsky.social, mastodon:spam@mastodon.social"


def author_rule_parse(line: str) -> tuple[str, str]:
    """(platform or "" for any, folded handle without "@"); ValueError saying what is wrong
    with the line: an unknown platform prefix, or no handle any platform could have."""
    platform, handle = "", line.strip()
    if "://" in handle or handle.lower().startswith("www."):
        raise ValueError(
            f"“{handle}” is a web address: write the handle instead, e.g. {AUTHOR_EXAMPLES}."
        )
    head, sep, rest = handle.partition(":")
    if sep:
        platform, handle = head.strip().lower(), rest.strip()
        if platform not in Platform.values:
            known = ", ".join(f"{value}:" for value in Platform.values if value != Platform.DEMO)
            raise ValueError(
                f"“{line.strip()}”: “{head.strip()}” is not a platform we collect. Start the "
                f"line with {known} or with no prefix for every platform."
            )
    handle = text_fold(handle.removeprefix("@"))
    shapes = [HANDLE_SHAPES[Platform(platform)]] if platform else list(HANDLE_SHAPES.values())
    if not any(shape.fullmatch(handle) for shape, _hint in shapes):
        hint = shapes[0][1] if platform else "one handle, no spaces or links"
        raise ValueError(
            f"“{line.strip()}” is not a handle ({hint}). One handle a line, e.g. {AUTHOR_EXAMPLES}."
        )
    return platform, handle


def _word_pattern(phrase: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in text_fold(phrase).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")


@dataclass
class RuleSet:
    words: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    authors: list[tuple[str, str, str]] = field(default_factory=list)  # platform, handle, line
    hide_reposts: bool = False

    def __bool__(self) -> bool:
        return bool(self.words or self.authors or self.hide_reposts)

    def match(self, *, text: str, handle: str, platform: str, is_repost: bool) -> str:
        """The name of the first rule the post breaks, or ""."""
        if self.hide_reposts and is_repost:
            return "repost"
        folded_handle = text_fold((handle or "").lstrip("@"))
        for rule_platform, rule_handle, line in self.authors:
            if rule_handle == folded_handle and rule_platform in ("", platform):
                return f"author: {line}"[:RULE_MAX]
        folded = text_fold(text)
        for line, pattern in self.words:
            if pattern.search(folded):
                return f"word: {line}"[:RULE_MAX]
        return ""


def rules_compile(rules: ModerationRules | None) -> RuleSet:
    if rules is None:
        return RuleSet()
    authors = []
    for line in rule_lines(rules.blocked_authors):
        try:
            platform, handle = author_rule_parse(line)
        except ValueError:
            continue  # the form refuses these; an old row must not stop ingestion
        authors.append((platform, handle, line))
    words = [(line, _word_pattern(line)) for line in rule_lines(rules.blocked_words)]
    return RuleSet(words=words, authors=authors, hide_reposts=rules.hide_reposts)


def rules_state(rules: ModerationRules) -> dict[str, Any]:
    return {
        "mode": rules.mode,
        "blocked_words": rule_lines(rules.blocked_words),
        "blocked_authors": rule_lines(rules.blocked_authors),
        "hide_reposts": rules.hide_reposts,
    }


# --- Posts as they arrive --------------------------------------------------------------------

_FIELDS = ("id", "text", "author__handle", "platform", "is_repost", "created_at")


def _hidden_rows(campaign: Campaign, ruleset: RuleSet, rows: Iterable[tuple]) -> list:
    hidden = []
    for pk, text, handle, platform, is_repost, _at in rows:
        rule = ruleset.match(text=text, handle=handle, platform=platform, is_repost=is_repost)
        if rule:
            hidden.append(
                PostCuration(campaign=campaign, post_id=pk, status=Status.HIDDEN, rule=rule)
            )
    return hidden


def posts_arrived_moderate(*, post_ids: list[int], hashtag_ids: list[int]) -> int:
    """Hide the new posts that break a rule of a campaign they belong to; returns how many
    rows were written. Runs inside ingestion's transaction."""
    if not post_ids or not hashtag_ids:
        return 0
    with_rules = (
        ModerationRules.objects.filter(campaign__campaign_hashtags__hashtag_id__in=hashtag_ids)
        .exclude(blocked_words="", blocked_authors="", hide_reposts=False)
        .select_related("campaign")
        .distinct()
    )
    rules = list(with_rules)
    if not rules:
        return 0
    posts = list(
        Post.objects.filter(pk__in=post_ids).values_list(*_FIELDS, "tagset__key").order_by("pk")
    )
    links = {p[0]: set(tagset_hashtag_ids(p[-1] or "")) for p in posts}
    tags_of: dict[int, set[int]] = {}
    for campaign_id, tag_id in CampaignHashtag.objects.filter(
        campaign_id__in=[r.campaign_id for r in rules]
    ).values_list("campaign_id", "hashtag_id"):
        tags_of.setdefault(campaign_id, set()).add(tag_id)
    hidden = []
    for rule_row in rules:
        campaign = rule_row.campaign
        lo, hi = campaign.polling_window()
        tags = tags_of.get(campaign.pk, set())
        mine = [p[:-1] for p in posts if lo <= p[5] < hi and links[p[0]] & tags]
        hidden += _hidden_rows(campaign, rules_compile(rule_row), mine)
    hidden.sort(key=lambda row: (row.post_id, row.campaign_id))
    PostCuration.objects.bulk_create(hidden, ignore_conflicts=True)
    return len(hidden)


def posts_stored_receiver(
    sender: Any, post_ids: Iterable[int] = (), hashtag_ids: Iterable[int] = (), **kwargs: Any
) -> None:
    posts_arrived_moderate(post_ids=list(post_ids), hashtag_ids=list(hashtag_ids))


# --- Changed rules ---------------------------------------------------------------------------


@dataclass
class RulesApplied:
    hidden: int = 0
    released: int = 0
    rules: ModerationRules | None = None
    changed: bool = True


@dataclass
class RulesPlan:
    """What a rule set would do to the stored posts: rows to write, posts to release, and how
    many shown posts it hides (`newly`: they had no decision and were not hidden)."""

    to_create: list[PostCuration] = field(default_factory=list)
    to_update: list[tuple[int, str]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    newly: list[int] = field(default_factory=list)


def _rules_plan(*, campaign: Campaign, ruleset: RuleSet) -> RulesPlan:
    rows = {
        post_id: (status, rule)
        for post_id, status, rule in PostCuration.objects.filter(campaign=campaign)
        .filter(Q(status=Status.NEW) | Q(status=Status.HIDDEN) & ~Q(rule=""))
        .values_list("post_id", "status", "rule")
    }
    decided = PostCuration.objects.filter(campaign=campaign).exclude(
        Q(status=Status.NEW) | Q(status=Status.HIDDEN) & ~Q(rule="")
    )
    if not ruleset:  # nothing can match: only releases, no need to read any post
        posts: Iterable[tuple] = []
    else:
        posts = (
            campaign_posts(campaign=campaign)
            .exclude(pk__in=decided.values("post_id"))
            .values_list(*_FIELDS)
            .order_by("pk")
            .iterator(chunk_size=CHUNK)
        )
    plan, matched = RulesPlan(), set()
    for pk, text, handle, platform, is_repost, _at in posts:
        rule = ruleset.match(text=text, handle=handle, platform=platform, is_repost=is_repost)
        if not rule:
            continue
        matched.add(pk)
        current = rows.get(pk)
        if current is None:
            plan.to_create.append(
                PostCuration(campaign=campaign, post_id=pk, status=Status.HIDDEN, rule=rule)
            )
        elif current != (Status.HIDDEN, rule):
            plan.to_update.append((pk, rule))
        if current is None or current[0] == Status.NEW:
            plan.newly.append(pk)
    plan.released = sorted(
        pk for pk, (s, _r) in rows.items() if s == Status.HIDDEN and pk not in matched
    )
    return plan


def rules_apply_stored(*, campaign: Campaign, ruleset: RuleSet) -> RulesApplied:
    """Bring the stored posts in line with `ruleset`. The caller holds the campaign lock."""
    plan = _rules_plan(campaign=campaign, ruleset=ruleset)
    PostCuration.objects.bulk_create(plan.to_create, ignore_conflicts=True, batch_size=CHUNK)
    now = timezone.now()
    for pk, rule in plan.to_update:
        PostCuration.objects.filter(campaign=campaign, post_id=pk).update(
            status=Status.HIDDEN, rule=rule, updated_at=now, updated_by=None
        )
    released = plan.released
    for start in range(0, len(released), CHUNK):
        PostCuration.objects.filter(
            campaign=campaign,
            post_id__in=released[start : start + CHUNK],
            status=Status.HIDDEN,
            pinned__isnull=True,
        ).exclude(rule="").delete()
    return RulesApplied(hidden=len(plan.newly), released=len(released))


def _rules_from(rules: ModerationRules, data: dict[str, Any]) -> None:
    rules.mode = data.get("mode") or ModerationRules.Mode.OPEN
    rules.blocked_words = "\n".join(rule_lines(data.get("blocked_words", "")))
    rules.blocked_authors = "\n".join(rule_lines(data.get("blocked_authors", "")))
    rules.hide_reposts = bool(data.get("hide_reposts"))


def rules_fingerprint(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Names one change from these rules to those: a preview is confirmed only for the change
    it showed, not for rules someone saved in between."""
    blob = json.dumps([before, after], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


@dataclass
class RulesPreview:
    """What saving would do, before anything is saved."""

    changed: bool
    fingerprint: str = ""
    hidden: int = 0
    released: int = 0
    examples: list[tuple[Post, str]] = field(default_factory=list)
    mode_before: str = ModerationRules.Mode.OPEN
    mode_after: str = ModerationRules.Mode.OPEN
    shown_in_approve: int = 0  # posts approved or featured: what approve mode shows

    @property
    def to_approve_mode(self) -> bool:
        return self.mode_after == ModerationRules.Mode.APPROVE != self.mode_before


EXAMPLES = 5


def rules_preview(*, campaign: Campaign, data: dict[str, Any]) -> RulesPreview:
    """How many shown posts these rules would hide (with a few of them) and release, and what
    a change of mode means; reads only."""
    current = ModerationRules.objects.filter(campaign=campaign).first()
    rules = ModerationRules(campaign=campaign)
    before = rules_state(current or rules)
    _rules_from(rules, data)
    after = rules_state(rules)
    if after == before:
        return RulesPreview(changed=False)
    plan = _rules_plan(campaign=campaign, ruleset=rules_compile(rules))
    rule_of = {row.post_id: row.rule for row in plan.to_create} | dict(plan.to_update)
    shown = plan.newly[:EXAMPLES]
    posts = Post.objects.filter(pk__in=shown).select_related("author").order_by("-created_at")
    chosen = PostCuration.objects.filter(
        campaign=campaign, status__in=[Status.APPROVED, Status.FEATURED]
    )
    return RulesPreview(
        changed=True,
        fingerprint=rules_fingerprint(before, after),
        hidden=len(plan.newly),
        released=len(plan.released),
        examples=[(post, rule_of.get(post.pk, "")) for post in posts],
        mode_before=before["mode"],
        mode_after=after["mode"],
        shown_in_approve=chosen.count() if after["mode"] == ModerationRules.Mode.APPROVE else 0,
    )


class RulesChanged(Exception):
    """The rules changed since the preview was shown: preview again."""


def rules_save(
    *,
    campaign: Campaign,
    data: dict[str, Any],
    actor: Any,
    previewed: str | None = None,
    reverts: CurationEvent | None = None,
) -> RulesApplied:
    """Store the campaign's rules from cleaned form data and apply them to stored posts.
    `previewed`: the fingerprint of the preview the user confirmed (RulesChanged if the change
    is no longer that one). `reverts`: the rules event this save reverts (RevertRefused if a
    later one came since)."""
    with transaction.atomic():
        campaign_lock(campaign)
        if reverts is not None:
            revert_check(campaign=campaign, event=reverts)
        rules, _ = ModerationRules.objects.select_for_update().get_or_create(campaign=campaign)
        before = rules_state(rules)
        _rules_from(rules, data)
        after = rules_state(rules)
        if after == before:
            return RulesApplied(rules=rules, changed=False)
        if previewed is not None and previewed != rules_fingerprint(before, after):
            raise RulesChanged("The rules changed since this preview; check it again.")
        rules.updated_at = timezone.now()
        rules.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        rules.save()
        applied = rules_apply_stored(campaign=campaign, ruleset=rules_compile(rules))
        applied.rules = rules
        event_record(
            campaign=campaign,
            actor=actor,
            action="revert" if reverts is not None else "rules",
            target_type="rules",
            target_id=rules.pk,
            before=before,
            after={**after, "posts_hidden": applied.hidden, "posts_released": applied.released},
            reverts=reverts,
        )
        campaign_bump_on_commit(campaign)
    return applied
