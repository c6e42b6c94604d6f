"""Reads X API v2 tweets into `PostData`, once for both the search client and twarc2 archives.

Tags, links and mentions come from the tweet's entities (those of `note_tweet` for long posts),
with the retweeted original's added because the "RT …" text may cut them off; text is unescaped
to plain. The authors of the tweets it answers, quotes or retweets come from those tweets in
`includes` (expansion referenced_tweets.id, their users by referenced_tweets.id.author_id), a
reply's also from `in_reply_to_user_id`, a retweet's also from its "RT @user:" prefix.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError

from hashtags.models import MentionRole
from hashtags.normalize import hashtag_normalize

from .base import AuthorData, Mention, PostData
from .mentions import mention_of, mentions_unique

PLATFORM = "x"

_TWITTER_EPOCH_MS = 1288834974657  # X ids carry their creation time (snowflake)
_TEXT_TAG = re.compile(r"(?<![\w&/])[#\uff03](\w+)")
_RETWEET_PREFIX = re.compile(r"RT @(\w+):")  # how X begins a retweet's text


def _posts_from(response: Any) -> list[PostData]:
    includes = response.includes or {}
    users = {u.data["id"]: u.data for u in includes.get("users", [])}
    originals = {t.data["id"]: t.data for t in includes.get("tweets", [])}
    return [_post(tweet.data, users=users, originals=originals) for tweet in response.data or []]


def _post(
    tweet: dict[str, Any], *, users: dict[str, dict[str, Any]], originals: dict[str, Any]
) -> PostData:
    refs = {ref["type"]: ref["id"] for ref in tweet.get("referenced_tweets") or []}
    repost_of = refs.get("retweeted", "")
    text, entities = _text_and_entities(tweet)
    hashtags = _hashtags(text, entities)
    links = _links(entities)
    named = _named(entities)
    retweeted = _retweeted(text, named) if repost_of else None
    mentioned = [m for m in named if m is not retweeted]
    if repost_of in originals:  # the original's tags survive the retweet's truncated text
        original_text, original_entities = _text_and_entities(originals[repost_of])
        hashtags = _unique(hashtags + _hashtags(original_text, original_entities))
        links = _unique(links + _links(original_entities))
        mentioned += _named(original_entities)
    author = _author(tweet.get("author_id", ""), users)
    metrics = tweet.get("public_metrics") or {}
    created_at = tweet.get("created_at")
    return PostData(
        platform=PLATFORM,
        external_id=tweet["id"],
        author=author,
        text=text,
        url=f"https://x.com/{author.handle or 'i/web'}/status/{tweet['id']}",
        created_at=datetime.fromisoformat(created_at) if created_at else _id_time(tweet["id"]),
        hashtags=tuple(hashtags),
        links=tuple(links),
        lang=tweet.get("lang") or "",
        likes=metrics.get("like_count", 0),
        reposts=metrics.get("retweet_count", 0),
        replies=metrics.get("reply_count", 0),
        quotes=metrics.get("quote_count", 0),
        is_repost=bool(repost_of),
        repost_of=repost_of,
        reply_to=refs.get("replied_to", ""),
        quote_of=refs.get("quoted", ""),
        conversation_id=tweet.get("conversation_id") or "",
        mentions=mentions_unique(
            [
                *(
                    mention_of(PLATFORM, MentionRole.MENTION, handle=m[0], uid=m[1])
                    for m in mentioned
                ),
                _wrote(
                    MentionRole.REPLY,
                    refs.get("replied_to"),
                    users,
                    originals,
                    named,
                    uid=tweet.get("in_reply_to_user_id"),
                ),
                _wrote(MentionRole.QUOTE, refs.get("quoted"), users, originals, named),
                _wrote(MentionRole.REPOST, repost_of, users, originals, named, given=retweeted),
            ]
        ),
    )


def _named(entities: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(username, user id) of each entities.mentions item: {start, end, username, id}."""
    found = []
    for item in (entities or {}).get("mentions") or []:
        if isinstance(item, dict) and isinstance(item.get("username"), str):
            found.append((item["username"], str(item.get("id") or "")))
    return found


def _retweeted(text: str, named: list[tuple[str, str]]) -> tuple[str, str] | None:
    """Who a retweet's "RT @user:" names: that mention (with its id), else the text's name."""
    prefix = _RETWEET_PREFIX.match(text)
    if prefix is None:
        return None
    name = prefix[1].lower()
    return next((m for m in named if m[0].lower() == name), (prefix[1], ""))


def _wrote(
    role: str,
    tweet_id: str | None,
    users: dict[str, dict[str, Any]],
    originals: dict[str, Any],
    named: list[tuple[str, str]],
    *,
    uid: str | None = None,
    given: tuple[str, str] | None = None,
) -> Mention | None:
    """The author of a referenced tweet: the author_id of that tweet in includes, else `uid`
    (a reply's in_reply_to_user_id), else `given` (a retweet's prefix); named by includes.users,
    by the tweet's own mention of that id, or by `given`."""
    if not tweet_id:
        return None
    given_name, given_id = given or ("", "")
    author_id = (originals.get(tweet_id) or {}).get("author_id") or uid or given_id
    handle = (users.get(author_id) or {}).get("username") if author_id else None
    handle = handle or next((name for name, i in named if i and i == author_id), "")
    if not handle and given_id in ("", author_id):
        handle = given_name
    return mention_of(PLATFORM, role, handle=handle, uid=author_id)


def _text_and_entities(tweet: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    note = tweet.get("note_tweet") or {}
    text = note.get("text") or tweet.get("text") or ""
    entities = note.get("entities") if note.get("text") else tweet.get("entities")
    # X escapes &, < and > in post text; we store plain text.
    return html.unescape(text), entities


def _hashtags(text: str, entities: dict[str, Any] | None) -> list[str]:
    if entities is not None:
        raw = [h.get("tag", "") for h in entities.get("hashtags") or []]
    else:  # no entities at all: fall back to reading the text
        raw = _TEXT_TAG.findall(text)
    tags = []
    for tag in raw:
        try:
            tags.append(hashtag_normalize(tag))
        except ValidationError:
            continue  # X's idea of a tag can be looser than ours; skip the odd one
    return _unique(tags)


def _links(entities: dict[str, Any] | None) -> list[str]:
    links = []
    for entry in (entities or {}).get("urls") or []:
        if entry.get("media_key"):
            continue  # the post's own photo or video page, not a shared link
        url = entry.get("unwound_url") or entry.get("expanded_url") or ""
        if url.lower().startswith(("http://", "https://")):
            links.append(url)
    return _unique(links)


def _author(author_id: str, users: dict[str, dict[str, Any]]) -> AuthorData:
    user = users.get(author_id)
    if user is None:  # the author was not expanded (suspended, protected): keep the id only
        return AuthorData(platform=PLATFORM, external_id=author_id, handle="")
    handle = user.get("username", "")
    return AuthorData(
        platform=PLATFORM,
        external_id=author_id,
        handle=handle,
        name=user.get("name", ""),
        avatar_url=user.get("profile_image_url", ""),
        url=f"https://x.com/{handle}" if handle else "",
        followers=(user.get("public_metrics") or {}).get("followers_count", 0),
        verified=bool(user.get("verified")),
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _id_time(post_id: str) -> datetime:
    return datetime.fromtimestamp(((int(post_id) >> 22) + _TWITTER_EPOCH_MS) / 1000, tz=UTC)
