"""A chat's plan as organizers type it, in the site's form and in create_chat: one host a line
(`platform:handle`), one planned question a line (`N|HH:MM|text`); read into what chat_upsert
takes, and written back the same way for editing."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import datetime, time

from django.core.exceptions import ValidationError

from campaigns.chats.services import PlannedQuestion
from campaigns.models import ChatHost, ChatQuestion, host_handle_normalize

# N|HH:MM|text; N||text plans a question with no time of its own.
_QUESTION_LINE = re.compile(r"^\s*(\d{1,3})\s*\|\s*(?:(\d{1,2}):(\d{2}))?\s*\|(.*)$")
HOST_FORMAT = "expected PLATFORM:HANDLE, e.g. x:nhitweek."
QUESTION_FORMAT = "expected N|HH:MM|text."


class LineError(ValueError):
    """A typed line that is not in its format; str() is "line N: why"."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def _meaningful(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(number from 1, line) of each line that says something: not blank, not a # comment."""
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, line


def host_split(item: str) -> tuple[str, str]:
    """(platform, handle) as typed in one `platform:handle`; ValueError without the colon."""
    platform, sep, handle = item.strip().partition(":")
    if not sep:
        raise ValueError(HOST_FORMAT)
    return platform, handle


def hosts_parse(lines: Iterable[str]) -> list[tuple[str, str]]:
    """One host a line, each checked as chat_upsert checks it, so the error names its line;
    raises LineError."""
    hosts = []
    for number, line in _meaningful(lines):
        try:
            platform, handle = host_split(line)
            host_handle_normalize(platform.strip().lower(), handle)
        except ValueError as exc:
            raise LineError(number, str(exc)) from None
        except ValidationError as exc:
            raise LineError(number, " ".join(exc.messages)) from None
        hosts.append((platform, handle))
    return hosts


def questions_parse(
    lines: Iterable[str], *, start: datetime, zone: zoneinfo.ZoneInfo
) -> list[PlannedQuestion]:
    """`N|HH:MM|text` lines, each time on the chat's day (its start's date in `zone`) in
    `zone`; raises LineError."""
    day = start.astimezone(zone).date()
    out = []
    for number, line in _meaningful(lines):
        match = _QUESTION_LINE.match(line)
        if not match:
            raise LineError(number, QUESTION_FORMAT)
        n, hours, minutes, text = match.groups()
        at = None
        if hours is not None:
            try:
                at = datetime.combine(day, time(int(hours), int(minutes)), tzinfo=zone)
            except ValueError:
                raise LineError(number, f"{hours}:{minutes} is not a time of day.") from None
        if int(n) < 1:
            raise LineError(number, "numbers start at 1.")
        out.append(PlannedQuestion(number=int(n), planned_at=at, text=text.strip()))
    return out


def hosts_text(hosts: Iterable[ChatHost]) -> str:
    """The hosts as hosts_parse reads them."""
    return "\n".join(f"{host.platform}:{host.handle}" for host in hosts)


def questions_text(questions: Iterable[ChatQuestion], zone: zoneinfo.ZoneInfo) -> str:
    """The planned questions as questions_parse reads them (a text's line breaks as spaces)."""
    lines = []
    for question in questions:
        at = f"{question.planned_at.astimezone(zone):%H:%M}" if question.planned_at else ""
        lines.append(f"{question.number}|{at}|{' '.join(question.text.splitlines())}")
    return "\n".join(lines)
