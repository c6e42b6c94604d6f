"""The text rules of a chat: which post asks question n, which one answers it."""

from __future__ import annotations

import re

# Leading @mentions (X @name, Mastodon @user@server, Bluesky @name.bsky.social), then the marker.
_MENTIONS = r"^\s*(?:@[\w.\-]+(?:@[\w.\-]+)?[\s,:]*)*"
_QUESTION = re.compile(_MENTIONS + r"(?:q|question)\s*(\d{1,3})(?![\w])[\s:.)\-]?", re.I)
_ANSWER = re.compile(_MENTIONS + r"a\s*(\d{1,3})(?![\w])[\s:.)\-]?", re.I)


def question_number(text: str) -> int | None:
    """n when the text starts (after @mentions) with Q1, Q1:, Q1., Q 1 or Question 1."""
    match = _QUESTION.match(text or "")
    return int(match.group(1)) if match else None


def answer_number(text: str) -> int | None:
    """n when the text starts (after @mentions) with A1, A1:, A 1, A1) or A1."""
    match = _ANSWER.match(text or "")
    return int(match.group(1)) if match else None


def question_text(text: str) -> str:
    """A host's question without its leading @mentions and marker ("Q1: What..." -> "What...")."""
    match = _QUESTION.match(text or "")
    return (text or "")[match.end() :].strip() if match else (text or "").strip()
