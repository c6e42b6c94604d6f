"""Hashtags, the sources we poll, and the worker heartbeat the health check reads."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from .normalize import hashtag_display, hashtag_normalize


class KeyField(models.CharField):
    """Text of a unique key, compared byte by byte: collation "C" on PostgreSQL, where it is
    the cheapest comparison for the key's index and the order ingestion locks rows in; the
    embedded SQLite compares bytes already (BINARY) and has no "C"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("db_collation", "C")
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor != "postgresql":
            params["collation"] = None
        return params


class Hashtag(models.Model):
    """A tag stored once, normalized; campaigns refer to it, posts link to it."""

    name = models.CharField(
        max_length=100, unique=True, help_text="Normalized: no '#', NFKC, case-folded."
    )
    display = models.CharField(max_length=100, help_text="As people write it, e.g. NHITweek.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"#{self.display}"

    def clean(self) -> None:
        raw = self.display or self.name
        try:
            self.name = hashtag_normalize(raw)
        except ValidationError as exc:
            raise ValidationError({"display": exc.messages}) from None
        self.display = hashtag_display(raw)
        # The admin form leaves `name` out, so Django would not check its uniqueness itself.
        clash = Hashtag.objects.filter(name=self.name).exclude(pk=self.pk).first()
        if clash:
            raise ValidationError({"display": f"{clash} already exists (tags ignore case)."})


class Platform(models.TextChoices):
    X = "x", "X"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    DEMO = "demo", "Demo"


class Source(models.Model):
    """A network we poll: X, Bluesky, the demo generator, or one Mastodon server."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    base_url = models.URLField(
        blank=True, default="", help_text="The server's base URL (Mastodon only)."
    )
    enabled = models.BooleanField(default=True)
    poll_interval = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(10)],
        help_text="Seconds between polls of each hashtag.",
    )
    last_error = models.TextField(blank=True, default="", help_text="Shown to admins.")
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["platform", "base_url"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "base_url"], name="source_unique_url"),
            models.CheckConstraint(
                condition=models.Q(poll_interval__gte=10), name="source_poll_interval_min"
            ),
        ]

    def __str__(self) -> str:
        label = self.get_platform_display()
        return f"{label} ({self.base_url})" if self.base_url else label

    def clean(self) -> None:
        self.base_url = (self.base_url or "").strip().rstrip("/")
        if self.platform == Platform.MASTODON:
            if not self.base_url:
                raise ValidationError({"base_url": "A Mastodon source needs its server's URL."})
            if not self.base_url.startswith("https://"):
                raise ValidationError({"base_url": "Use the server's https:// address."})
        elif self.base_url:
            raise ValidationError(
                {"base_url": f"{self.get_platform_display()} takes no base URL; leave it empty."}
            )


class Heartbeat(models.Model):
    """The last time a worker ran the heartbeat task that beat schedules."""

    name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Author(models.Model):
    """A person or account on one platform; followers are as of the last time we saw them."""

    platform = KeyField(max_length=16, choices=Platform.choices)
    external_id = KeyField(max_length=255)
    handle = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True, default="")
    avatar_url = models.URLField(max_length=1000, blank=True, default="")
    url = models.URLField(max_length=1000, blank=True, default="")
    followers = models.BigIntegerField(default=0)
    verified = models.BooleanField(default=False)
    updated_at = models.DateTimeField(
        default=timezone.now, help_text="When ingestion last changed these details."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="author_unique"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.get_platform_display()})"


class Post(models.Model):
    """One post, stored once per (platform, external_id); metrics are refreshed in place.

    The foreign keys of the post tables (posts, the rollups) are not database constraints:
    checking them cost ingestion more than storing the rows. Only hashtags.ingest writes these
    tables, and it resolves every id it writes in the same statement; deleting through the ORM
    still applies on_delete (PROTECT, CASCADE, SET_NULL).
    Indexes exist only for reads that happen: posts are read by id, (platform, external_id),
    (tag set, created_at) and, for the top posts of a big window, score.
    """

    platform = KeyField(max_length=16, choices=Platform.choices)
    external_id = KeyField(max_length=255)
    author = models.ForeignKey(
        Author,
        on_delete=models.PROTECT,
        related_name="posts",
        db_constraint=False,
        db_index=False,  # nothing reads posts by author; deleting an author scans once
    )
    text = models.TextField(blank=True, default="")
    url = models.URLField(max_length=1000, blank=True, default="")
    # Indexed only after the tag set (post_tagset_time): a hashtag's or campaign's posts.
    created_at = models.DateTimeField()
    lang = models.CharField(max_length=16, blank=True, default="")
    links = models.JSONField(default=list, blank=True)
    likes = models.BigIntegerField(default=0)
    reposts = models.BigIntegerField(default=0)
    replies = models.BigIntegerField(default=0)
    quotes = models.BigIntegerField(default=0)
    is_repost = models.BooleanField(default=False)
    repost_of = models.CharField(max_length=255, blank=True, default="")
    # The posts it answers and quotes, by the platform's id for them (on Mastodon the polled
    # server's local id, as its API names them; elsewhere their external id).
    reply_to = models.CharField(max_length=255, blank=True, default="")
    quote_of = models.CharField(max_length=255, blank=True, default="")
    conversation_id = models.CharField(max_length=255, blank=True, default="")
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        db_constraint=False,
        db_index=False,  # nothing reads posts by source; deleting a source scans once
    )
    first_seen_at = models.DateTimeField(default=timezone.now)
    metrics_updated_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the metrics last changed, or a refresh last confirmed them.",
    )
    # The set of tracked hashtags the post carries, kept by ingestion (a stored post's set only
    # grows): the one record of which hashtags a post has. The tag-set rollups count each post
    # once under it, so campaign totals never count a post twice; reads by hashtag find the
    # sets holding it (hashtags.tagsets) and go through post_tagset_time.
    tagset = models.ForeignKey(
        "TagSet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        db_constraint=False,
        db_index=False,
    )
    # The engagement score the dashboard ranks by; the formula is shown on the page.
    score = models.GeneratedField(
        expression=models.F("likes")
        + 2 * models.F("reposts")
        + 2 * models.F("quotes")
        + 3 * models.F("replies"),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )

    SCORE_FORMULA = "likes + 2 * reposts + 2 * quotes + 3 * replies"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="post_unique"),
        ]
        indexes = [
            # The dashboard's top posts of a big window: original posts in score order.
            models.Index(
                models.F("score").desc(),
                models.F("id").desc(),
                condition=models.Q(is_repost=False),
                name="post_score_top",
            ),
            # The posts of a campaign window (tag sets meeting its hashtags), for exact unique
            # authors, contributors and the top posts of a small window: authors straight
            # from the index, other columns from heap pages in time order.
            models.Index(
                fields=["tagset", "created_at"], include=["author"], name="post_tagset_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.external_id}"

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.replies + self.quotes


class MentionRole(models.TextChoices):
    """Why a post names an account: it mentions it, or the account wrote the post it answers,
    quotes or reposts."""

    MENTION = "mention", "Mentions"
    REPLY = "reply", "Replies to"
    QUOTE = "quote", "Quotes"
    REPOST = "repost", "Reposts"


class PostMention(models.Model):
    """An account a post is addressed to: one it mentions, or the author of the post it replies
    to, quotes or reposts (role), stored once per (post, role, handle, uid).

    An account is named as its platform compares accounts: `handle` lower-case (X the username,
    Mastodon user@server with a local account qualified by its server), `uid` the platform's
    own account id when the post says it (X the user id, Bluesky the DID; Mastodon's ids are
    each server's own, so it has none). Either may be "" but not both: Bluesky names mentions
    by DID alone, X sometimes an author by id alone. A scorecard matches an account by
    (platform, uid) when it knows the id, else by (platform, handle).
    Written by ingestion with the post when it is first stored, never again (as reply_to):
    storing a post twice never doubles its rows. `post` is no database constraint, as in the
    other post tables (see Post); the key is the primary key, so a row costs ingestion three
    index entries, no more.
    """

    pk = models.CompositePrimaryKey("post", "role", "handle", "uid")
    post = models.ForeignKey(
        Post,
        on_delete=models.CASCADE,
        related_name="mentions",
        db_constraint=False,
        db_index=False,  # the primary key starts with the post
    )
    platform = KeyField(max_length=16, choices=Platform.choices)
    role = models.CharField(max_length=8, choices=MentionRole.choices)
    handle = KeyField(max_length=255, blank=True, default="")
    uid = KeyField(max_length=255, blank=True, default="")

    class Meta:
        indexes = [
            # The posts addressed to these accounts: by handle, and by the platform's id.
            models.Index(
                fields=["platform", "handle"],
                condition=~models.Q(handle=""),
                name="postmention_handle",
            ),
            models.Index(
                fields=["platform", "uid"], condition=~models.Q(uid=""), name="postmention_uid"
            ),
        ]

    def __str__(self) -> str:
        return f"post {self.post_id} {self.role} {self.handle or self.uid}"


class PollState(models.Model):
    """Where polling a source stands: its cursor, when it is next due, and who holds it."""

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="poll_state")
    cursor = models.JSONField(default=dict, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source}: next at {self.next_poll_at:%H:%M:%S}"


class PollOutcome(models.TextChoices):
    """How a poll or a metrics refresh of one source ended; a PollLog records the first three."""

    OK = "ok", "OK"
    RATE_LIMITED = "rate_limited", "Rate limited"
    ERROR = "error", "Error"
    DISABLED = "disabled", "Disabled"  # the source is off, or a permanent error turned it off
    BUSY = "busy", "Busy"  # another worker holds the source: nothing was done


_LOGGED = (PollOutcome.OK, PollOutcome.RATE_LIMITED, PollOutcome.ERROR)


class PollLog(models.Model):
    """One poll of one (source, hashtag): the window it covered and how it ended (coverage)."""

    Outcome = PollOutcome

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="poll_logs")
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE, related_name="poll_logs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    posts_stored = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=[(o.value, o.label) for o in _LOGGED])
    message = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["hashtag", "started_at"], name="polllog_tag_time"),
            # A source's last poll, for its health (hashtags.health).
            models.Index(fields=["source", "finished_at"], name="polllog_source_time"),
        ]

    def __str__(self) -> str:
        return f"{self.source} #{self.hashtag_id} {self.outcome} at {self.started_at:%H:%M}"


class ImportedSpan(models.Model):
    """What one archive import holds of one (platform, hashtag): the stretch from its first to
    its last post, or the whole stretch its maker says it holds (the demo's generated minutes).

    Coverage counts it as collected. hashtags.ingest writes it in the transaction that stores
    the import's posts, so a span never claims a post that was not stored.
    """

    run = models.UUIDField(help_text="One import: an import_posts run, or a seeded edition.")
    label = models.CharField(max_length=300, blank=True, default="", help_text="What it read.")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE, related_name="imported_spans")
    start = models.DateTimeField()
    end = models.DateTimeField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "platform", "hashtag"], name="importedspan_unique"
            ),
        ]
        indexes = [models.Index(fields=["hashtag", "start"], name="importedspan_tag_time")]

    def __str__(self) -> str:
        return f"{self.label or self.run} {self.platform} #{self.hashtag_id}"


class TagSet(models.Model):
    """One set of tracked hashtags that posts carry together, stored once.

    `key` names its hashtags in the format hashtags.tagsets keeps. A campaign's total counts
    the posts of every tag set that meets its hashtags, each post once; a hashtag's line counts
    the posts of every tag set that holds it. There are few sets (three tags make at most seven).
    """

    key = KeyField(max_length=1000, unique=True)

    def __str__(self) -> str:
        return f"tags {self.key}"


class TagSetRollupBase(models.Model):
    """Counts of the posts of one tag set on one platform in one bucket.

    posts: original posts; reposts: plain reposts; likes, replies, shares (reposts of these
    posts) and quotes: their current engagement. Ingestion adds a post once when it is first
    stored, adds the change when its metrics change, and moves it when its tag set grows.
    """

    tagset = models.ForeignKey(
        TagSet, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    platform = models.CharField(max_length=16, choices=Platform.choices)
    posts = models.IntegerField(default=0)
    reposts = models.IntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    replies = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    quotes = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def engagement(self) -> int:
        return self.likes + self.replies + self.shares + self.quotes


class TagSetRollup(TagSetRollupBase):
    """Per tag set, platform and minute (UTC): the live edges of every window."""

    minute = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tagset", "platform", "minute"], name="tagset_rollup_minute"
            ),
        ]

    def __str__(self) -> str:
        return f"tags {self.tagset_id} {self.platform} {self.minute:%Y-%m-%d %H:%M}: {self.posts}"


class TagSetRollupHour(TagSetRollupBase):
    """Per tag set, platform and hour (UTC): whole hours of a window read 60 times fewer rows."""

    hour = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tagset", "platform", "hour"], name="tagset_rollup_hour"
            ),
        ]

    def __str__(self) -> str:
        return f"tags {self.tagset_id} {self.platform} {self.hour:%Y-%m-%d %H}h: {self.posts}"
