"""A make-believe network, so the embedded default has a dashboard that moves without credentials.

The posts of any minute are a pure function of (seed, hashtags, minute): a stable hash seeds a
generator that draws how many posts that minute had from a daily rate curve (quiet nights, busy
mornings, a spike during the Tuesday and Thursday chat) and what they say. Regenerating a minute
gives the same posts and ids, so a crash or a repeated poll only produces duplicates that storage
already ignores. Everything is fictional: authors, organizations and example.org links.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from ..normalize import hashtag_normalize
from .base import AuthorData, Page, PostData, SourceError
from .demo_content import (
    ANSWERS,
    AUTHORS,
    CHAT_HOUR,
    CHAT_RATE,
    CHATTER,
    CITIES,
    DAYS,
    DISPLAYS,
    FOLLOWER_SCALE,
    HOST,
    HOST_MINUTES,
    HOST_POSTS,
    HOURLY,
    NEWCOMER_SHARE,
    NEWCOMERS,
    ORGS,
    TAG_WEIGHTS,
    THEMES,
    VERIFIED,
)

if TYPE_CHECKING:
    from ..models import Source

PLATFORM = "demo"
PAGE_SIZE = 100
DEFAULT_SEED = "nhitweek"
MINUTE = timedelta(minutes=1)
# Per minute: with both caps a minute always fits in one page, so pages hold whole minutes.
MAX_ORIGINALS, MAX_REPOSTS = 50, 20
# Engagement keeps coming in after a post, most of it within the first hours; on a lookup a
# post has gained up to GROWTH_MAX times its first counts, a share that saturates with age.
GROWTH_HOURS, GROWTH_MAX = 6.0, 2.5
_POST_ID = re.compile(r"demo-(?P<key>.+)-(?P<minute>[0-9]{12})-[0-9]+")
_HASHED_KEY = re.compile(r"[0-9a-f]{12}")  # _World.key of a tag list too long to spell out


@dataclass(frozen=True)
class _World:
    """Everything the posts depend on; hashable, so generated minutes can be cached."""

    seed: str
    tags: tuple[str, ...]
    displays: tuple[str, ...]
    weights: tuple[float, ...]
    tz: str
    chat_weekdays: tuple[int, ...]

    @cached_property
    def key(self) -> str:
        # Part of every id: streams polled for different tag sets must never collide in storage.
        joined = "+".join(self.tags)
        return joined if len(joined) <= 40 else _digest(joined).hex()[:12]


class DemoClient:
    platform = PLATFORM

    def __init__(
        self,
        *,
        seed: int | str = DEFAULT_SEED,
        now: Callable[[], datetime] = timezone.now,
        backfill: timedelta = timedelta(hours=6),
        max_catch_up: timedelta = timedelta(hours=24),
        tz: str = "America/New_York",
        chat_weekdays: Sequence[int] = (1, 3),  # Tuesday and Thursday
        displays: Mapping[str, str] | None = None,
    ) -> None:
        self.seed = str(seed)
        self.now = now
        self.backfill = backfill
        self.max_catch_up = max(max_catch_up, backfill)
        self.tz = tz
        self.chat_weekdays = tuple(sorted(set(chat_weekdays)))
        self.displays = DISPLAYS | {hashtag_normalize(k): v for k, v in (displays or {}).items()}

    def fetch(self, *, hashtags: Sequence[str], cursor: dict[str, Any]) -> Iterator[Page]:
        """Yield the complete minutes after the cursor, oldest first, in pages of whole minutes;
        each page's cursor is the last minute it holds."""
        world = self._world(hashtags)
        last = _floor_minute(self.now()) - MINUTE
        start = last - self.backfill + MINUTE
        warnings: list[str] = []
        if cursor:
            try:
                reached = datetime.fromisoformat(cursor["minute"])
                if reached.tzinfo is None:
                    raise ValueError("naive time")
            except (KeyError, TypeError, ValueError):
                warnings.append("The demo cursor was unreadable; starting again from the backfill.")
            else:
                start = _floor_minute(reached) + MINUTE
                floor = last - self.max_catch_up + MINUTE
                if start < floor:  # bounded work after a long pause, like the first backfill
                    warnings.append(f"Skipped {(floor - start) // MINUTE} minutes of demo posts.")
                    start = floor
        if not world.tags or start > last:
            return
        posts: list[PostData] = []
        for step in range((last - start) // MINUTE + 1):
            minute = start + step * MINUTE
            batch = minute_posts(world=world, minute=minute)
            if posts and len(posts) + len(batch) > PAGE_SIZE:
                yield _page(posts=posts, reached=minute - MINUTE, warnings=warnings)
                posts, warnings = [], []
            posts.extend(batch)
        yield _page(posts=posts, reached=last, warnings=warnings)

    def minute_posts(self, *, hashtags: Sequence[str], minute: datetime) -> list[PostData]:
        """The posts of one minute, oldest first: the same every time it is asked."""
        return minute_posts(world=self._world(hashtags), minute=_floor_minute(minute))

    lookup_batch = PAGE_SIZE

    def lookup(self, *, external_ids: Sequence[str]) -> list[PostData]:
        """The posts again, with counts that grew with their age. An id is only readable back
        while its world's key is its tags (up to 40 characters); others are left out."""
        now = self.now()
        wanted: dict[tuple[str, datetime], set[str]] = {}
        for external_id in dict.fromkeys(external_ids):
            match = _POST_ID.fullmatch(external_id)
            # A hashed key would read as one tag of another world, with other posts.
            if not match or _HASHED_KEY.fullmatch(match["key"]):
                continue
            try:
                minute = datetime.strptime(match["minute"], "%Y%m%d%H%M").replace(tzinfo=UTC)
            except ValueError:
                continue
            wanted.setdefault((match["key"], minute), set()).add(external_id)
        posts: list[PostData] = []
        for (key, minute), ids in wanted.items():
            try:
                world = self._world(key.split("+"))
            except SourceError:
                continue  # not our id
            if world.key != key:
                continue
            posts += [
                _grown(post, seed=self.seed, now=now)
                for post in minute_posts(world=world, minute=minute)
                if post.external_id in ids
            ]
        return posts

    def _world(self, hashtags: Sequence[str]) -> _World:
        try:
            tags = tuple(sorted({hashtag_normalize(tag) for tag in hashtags}))
        except ValidationError as exc:
            reason = f"Bad hashtag for the demo source: {exc.messages[0]}"
            raise SourceError(reason, permanent=True) from None
        return _World(
            seed=self.seed,
            tags=tags,
            displays=tuple(self.displays.get(tag, tag) for tag in tags),
            weights=tuple(TAG_WEIGHTS.get(tag) or 0.3 + 0.5 * _unit(tag) for tag in tags),
            tz=self.tz,
            chat_weekdays=self.chat_weekdays,
        )


def client_for(source: Source) -> DemoClient:
    """The demo needs no credentials; DEMO_SEED in settings picks its world."""
    if source.platform != PLATFORM:
        raise SourceError(f"{source} is not a demo source.", permanent=True)
    return DemoClient(seed=settings.DEMO_SEED)


def minute_posts(*, world: _World, minute: datetime) -> list[PostData]:
    if not world.tags:
        return []
    originals = _originals(world, minute)
    rng = _rng(world.seed, world.key, f"{minute:%Y%m%d%H%M}", "reposts")
    reposts: list[PostData] = []
    for _ in range(min(_poisson(rng, 0.3 * _rate(world, minute)), MAX_REPOSTS)):
        # Up to three looks back for a minute that had posts, so quiet hours repost less.
        for _look in range(3):
            earlier = _originals(world, minute - rng.randint(1, 45) * MINUTE)
            if earlier:
                original = rng.choices(earlier, weights=[p.likes + 1 for p in earlier])[0]
                fields = {"text": original.text, "hashtags": original.hashtags}
                fields |= {"links": original.links, "repost_of": original.external_id}
                index, second = len(originals) + len(reposts), rng.randint(0, 59)
                reposts.append(_post(world, minute, index, second, rng.choice(AUTHORS), fields))
                break
    return sorted((*originals, *reposts), key=lambda p: (p.created_at, p.external_id))


@lru_cache(maxsize=2048)  # a day of minutes, so a full catch-up never recomputes one
def _originals(world: _World, minute: datetime) -> tuple[PostData, ...]:
    """The new (not reposted) posts of a minute; reposts in later minutes pick from these."""
    rng = _rng(world.seed, world.key, f"{minute:%Y%m%d%H%M}", "posts")
    chat = _chat_offset(world, minute)
    seconds = sorted(
        rng.randint(1, 59) for _ in range(min(_poisson(rng, _rate(world, minute)), MAX_ORIGINALS))
    )
    posts: list[PostData] = []
    if chat in HOST_MINUTES:  # at second 0, so a host post is always index 0 of its minute
        # The host always carries the world's main tag (the heaviest), the one its chat is on.
        fields = _tagged(world, rng, HOST_POSTS[HOST_MINUTES.index(chat)], "chat", main=True)
        posts.append(_post(world, minute, 0, 0, HOST, fields | _metrics(rng, HOST[2])))
    for second in seconds:
        if chat is not None and rng.random() < 0.75:
            author = _chat_author(world, rng, minute)
            asked = [i for i, at in enumerate(HOST_MINUTES[1:-1]) if at <= chat]
            if not asked:
                fields = _tagged(world, rng, rng.choice(CHATTER), "chat")
            else:
                question = asked[-1] + 1
                template = f"A{question}: {rng.choice(ANSWERS[question - 1])} {{tag}}"
                fields = _tagged(world, rng, template, "chat")
                at = minute + (HOST_MINUTES[question] - chat) * MINUTE
                fields["reply_to"] = fields["conversation_id"] = (
                    f"demo-{world.key}-{at:%Y%m%d%H%M}-0"
                )
        else:
            theme = rng.choices(list(THEMES), weights=[t[0] for t in THEMES.values()])[0]
            _, kinds, link_chance, templates = THEMES[theme]
            author = rng.choice([a for a in AUTHORS if a[2] in kinds])
            link = ""
            if rng.random() < link_chance:
                link = f"https://example.org/{theme}/{theme}-{rng.randint(100, 999)}"
            fields = _tagged(world, rng, rng.choice(templates), theme, link=link)
        posts.append(
            _post(world, minute, len(posts), second, author, fields | _metrics(rng, author[2]))
        )
    return tuple(posts)


def _tagged(
    world: _World,
    rng: random.Random,
    template: str,
    theme: str,
    *,
    link: str = "",
    main: bool = False,
) -> dict[str, Any]:
    """The text with one to three of the world's tags in display case (the heaviest first when
    `main`), and those tags."""
    boost = {("story", "ihearthit"): 4, ("policy", "hitworks"): 2}
    weights = [w * boost.get((theme, t), 1) for t, w in zip(world.tags, world.weights, strict=True)]
    chosen = rng.choices(range(len(world.tags)), weights=weights)
    if main:
        chosen = [max(range(len(world.tags)), key=lambda i: world.weights[i])]
    extra = 2 if rng.random() < 0.1 else 1 if rng.random() < 0.3 else 0
    others = [i for i in range(len(world.tags)) if i != chosen[0]]
    chosen += rng.sample(others, min(extra, len(others)))
    fill = {"city": rng.choice(CITIES), "org": rng.choice(ORGS), "day": rng.choice(DAYS)}
    text = template.format(tag=f"#{world.displays[chosen[0]]}", n=rng.randint(2, 40), **fill)
    words = [text, *([link] if link else []), *(f"#{world.displays[i]}" for i in chosen[1:])]
    links = (link,) if link else ()
    return {
        "text": " ".join(words),
        "hashtags": tuple(world.tags[i] for i in chosen),
        "links": links,
    }


def _post(
    world: _World, minute: datetime, index: int, second: int, author: Sequence[str], fields: dict
) -> PostData:
    handle, name, kind = author
    external_id = f"demo-{world.key}-{minute:%Y%m%d%H%M}-{index}"
    return PostData(
        platform=PLATFORM,
        external_id=external_id,
        author=_author(handle, name, kind),
        url=f"https://example.org/@{handle}/{external_id}",
        created_at=minute + timedelta(seconds=second),
        lang="en",
        is_repost=bool(fields.get("repost_of")),
        **{"conversation_id": external_id, **fields},
    )


@lru_cache(maxsize=1024)
def _author(handle: str, name: str, kind: str) -> AuthorData:
    followers = FOLLOWER_SCALE[kind] * math.exp(2.0 * (_unit(handle) - 0.5))
    url = f"https://example.org/@{handle}"
    return AuthorData(
        platform=PLATFORM,
        external_id=f"demo-user-{handle}",
        handle=handle,
        name=name,
        url=url,
        followers=int(followers),
        verified=kind in VERIFIED,
    )


def _metrics(rng: random.Random, kind: str) -> dict[str, int]:
    """Heavy-tailed like real engagement: most posts get a handful of likes, a few take off."""
    reach = 2 + math.sqrt(FOLLOWER_SCALE[kind]) / 10
    likes = min(int((rng.paretovariate(1.3) - 1) * reach), 100_000)
    reposts = int(likes * rng.uniform(0.05, 0.4))
    replies, quotes = int(likes * rng.uniform(0.02, 0.2)), int(reposts * rng.uniform(0, 0.2))
    return {"likes": likes, "reposts": reposts, "replies": replies, "quotes": quotes}


def _grown(post: PostData, *, seed: str, now: datetime) -> PostData:
    """Counts grown by the post's age: never below what a poll first saw, the same for the same
    moment, and at each post's own pace."""
    if post.is_repost:
        return post  # a plain repost's counts are its original's
    hours = max(0.0, (now - post.created_at).total_seconds() / 3600)
    pace = _rng(seed, post.external_id, "growth").uniform(0.2, 1.0)
    share = GROWTH_MAX * pace * (1 - math.exp(-hours / GROWTH_HOURS))
    return replace(
        post,
        likes=post.likes + int((post.likes + 4) * share),
        reposts=post.reposts + int((post.reposts + 1) * share),
        replies=post.replies + int((post.replies + 1) * share),
        quotes=post.quotes + int(post.quotes * share),
    )


def _rate(world: _World, minute: datetime) -> float:
    """Expected new posts in this minute, from the local hour, the weekday and the chat."""
    local = minute.astimezone(ZoneInfo(world.tz))
    this_hour, next_hour = HOURLY[local.hour], HOURLY[(local.hour + 1) % 24]
    rate = this_hour + (next_hour - this_hour) * local.minute / 60
    rate *= 0.45 if local.weekday() >= 5 else 1.0
    rate *= _rng(world.seed, "day", local.date().isoformat()).uniform(0.85, 1.15)
    chat = _chat_offset(world, minute)
    if chat is not None:  # ramps up over the first minutes, tails off after the last question
        rate += CHAT_RATE * min(1.0, (chat + 1) / 3, (60 - chat) / 8)
    return rate * min(sum(world.weights), 2.5)


def _chat_author(world: _World, rng: random.Random, minute: datetime) -> Sequence[str]:
    """Who answers in a chat: mostly the regulars, sometimes one of the day's newcomers (people
    who join only this chat, so every chat has first-time participants)."""
    if rng.random() >= NEWCOMER_SHARE:
        return rng.choice(AUTHORS)
    first, last, kind = rng.choice(NEWCOMERS)
    day = minute.astimezone(ZoneInfo(world.tz))
    return (f"{first.lower()}{last[0].lower()}_{day:%y%m%d}", f"{first} {last}", kind)


def _chat_offset(world: _World, minute: datetime) -> int | None:
    local = minute.astimezone(ZoneInfo(world.tz))
    if local.weekday() in world.chat_weekdays and local.hour == CHAT_HOUR:
        return local.minute
    return None


def _poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, count, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _page(*, posts: list[PostData], reached: datetime, warnings: list[str]) -> Page:
    return Page(
        posts=posts,
        cursor={"minute": reached.isoformat()},
        warnings=warnings,
        newest_at=posts[-1].created_at if posts else None,
        oldest_at=posts[0].created_at if posts else None,
    )


def _floor_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _digest(text: str) -> bytes:
    # Not hash(): Python salts it per process, and every worker must agree on the demo's world.
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def _unit(text: str) -> float:
    return int.from_bytes(_digest(text), "big") / 2**64


def _rng(*parts: str) -> random.Random:
    return random.Random(int.from_bytes(_digest("|".join(parts)), "big"))
