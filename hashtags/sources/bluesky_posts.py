"""Reads Bluesky post views into `PostData`, kept apart from the client's session and paging.

Both searchPosts and getPosts return post views. Tags come from the record's tag facets and
`tags`, links from its link facets and link card, the quoted post from its record embed, the
accounts it mentions from its mention facets (by DID) and the authors of the posts it answers
and quotes from their at:// URIs (the DID they start with); a post that cannot be read is
skipped with a warning instead of failing its whole page. A post view's
author carries no follower count, so authors leave here with followers=None (unknown); the
client fills them in (bluesky_profiles).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError

from hashtags.normalize import hashtag_normalize

from ..models import MentionRole
from .base import AuthorData, Mention, PostData
from .mentions import mention_of, mentions_unique

PLATFORM = "bluesky"

_TEXT_TAG = re.compile(r"(?<![\w&/])[#\uff03](\w+)")
_POST_URI = re.compile(r"at://[^/]+/app\.bsky\.feed\.post/[^/]+")
_MENTION = "app.bsky.richtext.facet#mention"  # {"did": ...}: the text shows a handle, maybe old


def _posts_from(raw_posts: list[Any]) -> tuple[list[PostData], list[str]]:
    now = datetime.now(UTC)
    posts: list[PostData] = []
    warnings: list[str] = []
    for raw in raw_posts:
        try:
            posts.append(_post(raw, now=now))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            uri = raw.get("uri", "?") if isinstance(raw, dict) else "?"
            warnings.append(f"Skipped Bluesky post {uri}: {type(exc).__name__} {exc}")
    return posts, warnings


def _post(raw: dict[str, Any], *, now: datetime) -> PostData:
    uri = raw["uri"]
    record = raw.get("record") or {}
    indexed = _parse_time(raw.get("indexedAt"))
    created = _parse_time(record.get("createdAt"))
    if created is None or created > now:  # createdAt is the client's claim; indexedAt the AppView's
        created = indexed
    if created is None:
        raise ValueError("no usable createdAt or indexedAt")
    author = _author(raw["author"])
    text = record.get("text") or ""
    facets = [f for f in record.get("facets") or [] if isinstance(f, dict)]
    features = [x for f in facets for x in f.get("features") or [] if isinstance(x, dict)]
    tags = [x.get("tag") for x in features if x.get("$type") == "app.bsky.richtext.facet#tag"]
    tags += list(record.get("tags") or [])  # extra tags a client may attach outside the text
    if not tags:  # posts written by clients that add no facets
        tags = _TEXT_TAG.findall(text)
    links = [x.get("uri") for x in features if x.get("$type") == "app.bsky.richtext.facet#link"]
    links += _embed_links(record.get("embed"))
    reply = record.get("reply") or {}
    reply_to = (reply.get("parent") or {}).get("uri", "")
    quote_of = _quote_of(record.get("embed"))
    mentioned = [x.get("did") for x in features if x.get("$type") == _MENTION]
    return PostData(
        platform=PLATFORM,
        external_id=uri,
        author=author,
        text=text,
        url=f"{author.url}/post/{uri.rsplit('/', 1)[-1]}",
        created_at=created,
        hashtags=tuple(_hashtags(tags)),
        links=tuple(_unique([u for u in links if _is_web_url(u)])),
        lang=(record.get("langs") or [""])[0] or "",
        likes=int(raw.get("likeCount") or 0),
        reposts=int(raw.get("repostCount") or 0),
        replies=int(raw.get("replyCount") or 0),
        quotes=int(raw.get("quoteCount") or 0),
        # searchPosts returns posts only, never reposts, so is_repost stays False.
        reply_to=reply_to,
        quote_of=quote_of,
        conversation_id=(reply.get("root") or {}).get("uri", "") or uri,
        mentions=mentions_unique(
            [
                *(
                    mention_of(PLATFORM, MentionRole.MENTION, uid=did)
                    for did in mentioned
                    if _is_did(did)
                ),
                _written_by(MentionRole.REPLY, reply_to),
                _written_by(MentionRole.QUOTE, quote_of),
            ]
        ),
    )


def _written_by(role: str, uri: Any) -> Mention | None:
    """The author of the post an at:// URI names: the repository it starts with, a DID (or,
    in an older form, a handle)."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    repo = uri.removeprefix("at://").split("/", 1)[0]
    return (
        mention_of(PLATFORM, role, uid=repo)
        if _is_did(repo)
        else mention_of(PLATFORM, role, handle=repo)
    )


def _author(raw: dict[str, Any]) -> AuthorData:
    did = raw["did"]
    handle = raw.get("handle") or did
    profile = handle if handle != "handle.invalid" else did
    return AuthorData(
        platform=PLATFORM,
        external_id=did,
        handle=handle,
        name=raw.get("displayName") or "",
        avatar_url=raw.get("avatar") or "",
        url=f"https://bsky.app/profile/{profile}",
        # ProfileViewBasic has no followersCount: unknown until bluesky_profiles fills it in.
        followers=None,
        verified=(raw.get("verification") or {}).get("verifiedStatus") == "valid",
    )


def _embed_links(embed: Any) -> list[str]:
    """The link card's URL: the app often shows a card instead of the link in the text."""
    if not isinstance(embed, dict):
        return []
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embed = embed.get("media") or {}
    external = embed.get("external") if embed.get("$type") == "app.bsky.embed.external" else None
    return [external["uri"]] if isinstance(external, dict) and external.get("uri") else []


def _quote_of(embed: Any) -> str:
    """The at:// URI of the post a record quotes: app.bsky.embed.record holds a strong ref to it,
    app.bsky.embed.recordWithMedia that embed beside its media. An embedded feed, list or
    starter pack is no quote of a post."""
    if not isinstance(embed, dict):
        return ""
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embed = embed.get("record")
    elif embed.get("$type") != "app.bsky.embed.record":
        return ""
    ref = embed.get("record") if isinstance(embed, dict) else None
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) and _POST_URI.fullmatch(uri) else ""


def _hashtags(tags: list[Any]) -> list[str]:
    found = []
    for tag in tags:
        if not isinstance(tag, str):
            continue
        try:
            found.append(hashtag_normalize(tag))
        except ValidationError:
            continue
    return _unique(found)


def _is_did(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith("did:")


def _is_web_url(url: Any) -> TypeGuard[str]:
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
