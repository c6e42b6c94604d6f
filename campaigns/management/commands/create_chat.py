"""manage.py create_chat CAMPAIGN CHAT: create or update a chat, its hosts and its questions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from campaigns.chats.plans import LineError, host_split, questions_parse
from campaigns.chats.services import PlannedQuestion, chat_upsert
from campaigns.models import Campaign


def _parse_when(value: str, campaign: Campaign, label: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--{label} {value!r} is not an ISO date and time, e.g. 2026-10-06T14:00"
        ) from None
    # A time without an offset is read in the campaign's own time zone.
    return when if when.tzinfo else when.replace(tzinfo=campaign.tz)


def questions_read(path: str, *, campaign: Campaign, start: datetime) -> list[PlannedQuestion]:
    """FILE's `N|HH:MM|text` lines; the time is on the chat's day in the campaign's zone."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"--questions {path}: cannot read it ({exc}).") from None
    try:
        return questions_parse(lines, start=start, zone=campaign.tz)
    except LineError as exc:
        raise CommandError(f"--questions {path} {exc}") from None


def hosts_parse(value: str) -> list[tuple[str, str]]:
    hosts = []
    for item in (part.strip() for part in value.split(",")):
        try:
            hosts.append(host_split(item))
        except ValueError as exc:
            raise CommandError(f"--hosts {item!r}: {exc}") from None
    return hosts


class Command(BaseCommand):
    help = "Create or update a campaign chat (re-running it updates, never doubles)."

    def add_arguments(self, parser):
        parser.add_argument("campaign")
        parser.add_argument("chat")
        parser.add_argument("--title", required=True)
        parser.add_argument("--hashtag", required=True, help="e.g. NHITchat")
        parser.add_argument("--start", required=True, help="ISO; no offset = campaign zone")
        parser.add_argument("--end", required=True, help="ISO date/time; after --start")
        parser.add_argument("--hosts", required=True, help="x:name,mastodon:user@server,...")
        parser.add_argument(
            "--questions", default="", help="FILE of N|HH:MM|text lines (N||text: no time)"
        )
        parser.add_argument("--tail", type=int, default=None, help="minutes after the end")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No campaign {opts['campaign']!r}.")
        try:
            validate_slug(opts["chat"])
        except ValidationError as exc:
            raise CommandError(f"{opts['chat']!r}: {' '.join(exc.messages)}") from None
        start = _parse_when(opts["start"], campaign, "start")
        end = _parse_when(opts["end"], campaign, "end")
        hosts = hosts_parse(opts["hosts"])
        questions = (
            questions_read(opts["questions"], campaign=campaign, start=start)
            if opts["questions"]
            else None
        )
        try:
            chat, created = chat_upsert(
                campaign=campaign,
                slug=opts["chat"],
                title=opts["title"],
                hashtag=opts["hashtag"],
                start=start,
                end=end,
                hosts=hosts,
                questions=questions,
                tail_minutes=opts["tail"],
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        verb = "created" if created else "updated"
        self.stdout.write(
            f"{verb}: {campaign.slug}/{chat.slug} ({chat.title}) "
            f"{chat.local_start:%Y-%m-%d %H:%M} to {chat.local_end:%H:%M} {campaign.timezone} "
            f"#{chat.hashtag.display} hosts={chat.hosts.count()} "
            f"questions={chat.questions.count()}"
        )


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)
