"""Reads Mastodon statuses (and their HTML) into `PostData`, apart from the client's paging.

A boost is stored as a repost carrying its original's text, tags and links; a status's HTML
becomes plain text plus the links its author shared (not mentions or hashtags). The statuses it
answers and quotes are named by the polled server's ids for them. Accounts are user@server: a
local one's `acct` comes without its server, which its profile address (or the polled server)
gives; so are the ones it mentions (`mentions`, a boost's its original's) and the authors of the
statuses it answers (`in_reply_to_account_id`, a local id, found among its mentions or as its
own author), quotes and boosts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from ..models import MentionRole
from ..normalize import hashtag_normalize
from .base import AuthorData, Mention, PostData
from .mentions import mention_of, mentions_unique

PLATFORM = "mastodon"
# Quote states whose quoted status is given: accepted, and (4.5) accepted but hidden from the
# reader by its own block or mute, which is still a quote of that status.
_QUOTE_APPROVED = frozenset({"accepted", "blocked_account", "blocked_domain", "muted_account"})


def _posts_from(statuses: list[Any], *, tag: str, host: str) -> tuple[list[PostData], list[str]]:
    posts, skipped = [], []
    for status in statuses:
        try:
            posts.append(_post(status, tag=tag, host=host))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            skipped.append(f"skipped status {status.get('id')!s}: {type(exc).__name__} {exc}")
    return posts, skipped


def _post(status: Any, *, tag: str, host: str) -> PostData:
    original = status.get("reblog")
    body = original or status  # a boost's own content is empty; the original carries it
    text, links = html_to_text(
        body.get("content") or "",
        skip_urls={m.get("url") for m in body.get("mentions") or []},
    )
    if body.get("spoiler_text"):
        text = f"{body['spoiler_text']}\n\n{text}".strip()
    return PostData(
        platform=PLATFORM,
        external_id=str(status.get("uri") or status["url"]),
        author=_author(status["account"], host=host),
        text=text,
        url=str(status.get("url") or body.get("url") or status.get("uri") or ""),
        created_at=_as_datetime(status["created_at"]),
        hashtags=_hashtags(body.get("tags") or [], polled=tag),
        links=links,
        lang=body.get("language") or "",
        likes=int(status.get("favourites_count") or 0),
        reposts=int(status.get("reblogs_count") or 0),
        replies=int(status.get("replies_count") or 0),
        quotes=int(status.get("quotes_count") or 0),
        is_repost=original is not None,
        repost_of=str(original.get("uri") or original["id"]) if original else "",
        # Server-local id: the API gives no uri for the parent.
        reply_to=str(status.get("in_reply_to_id") or ""),
        quote_of=_quote_of(status),
        mentions=_mentions(status, body, host=host),
    )


def _quoted(status: Any) -> dict[str, Any] | None:
    """The `quote` of a status, when it is approved.

    Since Mastodon 4.4 `quote` is a Quote (the quoted status whole) or a ShallowQuote (its id
    only), or null; older servers send no such field. Only an approved quote names its status:
    pending, rejected, revoked and deleted ones (and states yet unknown) give None.
    """
    quote = status.get("quote")
    if not isinstance(quote, dict) or quote.get("state") not in _QUOTE_APPROVED:
        return None
    return quote


def _quote_of(status: Any) -> str:
    """The polled server's id of the status this one quotes, as reply_to names a parent."""
    quote = _quoted(status) or {}
    quoted = quote.get("quoted_status")
    quoted_id = quoted.get("id") if isinstance(quoted, dict) else quote.get("quoted_status_id")
    return str(quoted_id or "")


def _mentions(status: Any, body: Any, *, host: str) -> tuple[Mention, ...]:
    """The accounts a status mentions, and the authors of the statuses it answers, quotes and
    boosts, each as user@server (Mastodon ids are each server's own: no uid)."""
    listed = [m for m in body.get("mentions") or [] if isinstance(m, dict)]
    found = [mention_of(PLATFORM, MentionRole.MENTION, handle=_acct(m, host=host)) for m in listed]
    parent = status.get("in_reply_to_account_id")
    if parent:  # a local id: the parent's author is mentioned (Mastodon adds it) or is its own
        own = status.get("account") or {}
        written = [own, *listed]
        account = next((a for a in written if str(a.get("id")) == str(parent)), None)
        if account is not None:
            found.append(mention_of(PLATFORM, MentionRole.REPLY, handle=_acct(account, host=host)))
    quoted = (_quoted(status) or {}).get("quoted_status")
    if isinstance(quoted, dict) and isinstance(quoted.get("account"), dict):
        found.append(
            mention_of(PLATFORM, MentionRole.QUOTE, handle=_acct(quoted["account"], host=host))
        )
    if body is not status:  # a boost
        found.append(
            mention_of(PLATFORM, MentionRole.REPOST, handle=_acct(body["account"], host=host))
        )
    return mentions_unique(found)


def _acct(account: Any, *, host: str) -> str:
    """An account (or a mention of one) as user@server, as it is written on other servers."""
    acct = str(account.get("acct") or account["username"])
    if "@" not in acct:  # local accounts come without their server
        acct = f"{acct}@{urlsplit(account.get('url') or '').hostname or host}"
    return acct


def _author(account: Any, *, host: str) -> AuthorData:
    acct = _acct(account, host=host)
    return AuthorData(
        platform=PLATFORM,
        external_id=acct,
        handle=acct,
        name=(account.get("display_name") or account.get("username") or "")[:255],
        avatar_url=account.get("avatar") or "",
        url=account.get("url") or "",
        followers=int(account.get("followers_count") or 0),
    )


class _ContentParser(HTMLParser):
    """Mastodon's status HTML to plain text, collecting the links a reader would follow."""

    BLOCKS = frozenset({"p", "div", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self, *, skip_urls: set[str]) -> None:
        super().__init__(convert_charrefs=True)  # entities come out unescaped
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip_urls = skip_urls
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag in ("li", "ul", "ol"):
            self.parts.append("\n")
        elif tag == "a":
            self._anchor(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))

    def _anchor(self, attrs: dict[str, str | None]) -> None:
        href = (attrs.get("href") or "").strip()
        classes = set((attrs.get("class") or "").split())
        rel = set((attrs.get("rel") or "").split())
        if classes & {"mention", "hashtag"} or "tag" in rel or href in self._skip_urls:
            return  # a mention or a hashtag, not a link the author shared
        parts = urlsplit(href)
        if parts.scheme.lower() in ("http", "https") and parts.netloc and href not in self.links:
            self.links.append(href)

    def text(self) -> str:
        lines = (line.strip(" ") for line in "".join(self.parts).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str, *, skip_urls: set[str] | None = None) -> tuple[str, tuple[str, ...]]:
    """Plain text (paragraphs and <br> as newlines) and the http(s) links of a status's HTML."""
    parser = _ContentParser(skip_urls={u for u in (skip_urls or set()) if u})
    parser.feed(html)
    parser.close()
    return parser.text(), tuple(parser.links)


def _hashtags(tags: list[Any], *, polled: str) -> tuple[str, ...]:
    names: list[str] = []
    for tag in tags:
        try:
            name = hashtag_normalize(tag.get("name") or "")
        except ValidationError:
            continue
        if name not in names:
            names.append(name)
    # The server put the status in this tag's timeline; its normalizer also folds accents,
    # which ours does not, so make sure the status still counts for the tag we polled.
    if polled and polled not in names:
        names.append(polled)
    return tuple(names)


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
