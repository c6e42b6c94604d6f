"""One definition of a hashtag: the form we store (no '#', NFKC, case-folded) and the rules."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

MAX_LENGTH = 100


def _allowed(char: str) -> bool:
    """Letters, combining marks, digits and '_' of any script: what the networks accept."""
    return char == "_" or unicodedata.category(char)[0] in "LMN"


def hashtag_display(raw: str) -> str:
    """The tag as people write it (case kept), without '#' or surrounding space."""
    if not isinstance(raw, str):
        raise ValidationError("A hashtag must be text.", code="invalid")
    text = unicodedata.normalize("NFKC", raw).strip()
    return text[1:] if text.startswith(("#", "\uff03")) else text


def hashtag_normalize(raw: str) -> str:
    """The stored, comparable form; raises ValidationError with a message a person can act on."""
    display = hashtag_display(raw)
    if not display:
        raise ValidationError("A hashtag cannot be empty.", code="empty")
    if len(display) > MAX_LENGTH:
        raise ValidationError(
            f"A hashtag can be at most {MAX_LENGTH} characters; this one has {len(display)}.",
            code="too_long",
        )
    bad = sorted({c for c in display if not _allowed(c)})
    if bad:
        shown = " ".join(repr(c) for c in bad[:5])
        raise ValidationError(
            f"#{display} is not a valid hashtag: only letters, digits and '_' are allowed "
            f"(found {shown}).",
            code="invalid",
        )
    if not any(unicodedata.category(c).startswith("L") for c in display):
        raise ValidationError(
            f"#{display} is not a valid hashtag: it needs at least one letter.", code="invalid"
        )
    name = unicodedata.normalize("NFKC", display.casefold())
    if len(name) > MAX_LENGTH:  # case folding can lengthen a tag (ß -> ss)
        raise ValidationError(
            f"A hashtag can be at most {MAX_LENGTH} characters once case is folded; "
            f"this one has {len(name)}.",
            code="too_long",
        )
    return name
