"""manage.py export_chat CAMPAIGN CHAT --format csv|md|json: transcript, recap or numbers.

All three come from the chat's stored reading (read again first if its posts changed). The CSV
transcript and the Markdown recap are for the public: hidden posts are left out. The JSON is
the organizers' count of every post of the chat. An --output file appears only once
complete (campaigns.management.output).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from campaigns.chats.exports import recap_markdown, transcript_csv
from campaigns.chats.reading import chat_reading
from campaigns.management.output import output_replaced
from campaigns.models import Chat


class Command(BaseCommand):
    help = "Write a chat's transcript (csv), recap (md) or numbers (json)."

    def add_arguments(self, parser):
        parser.add_argument("campaign")
        parser.add_argument("chat")
        parser.add_argument("--format", required=True, choices=["csv", "md", "json"])
        parser.add_argument("--output", default="", help="a file; standard output when left out")

    def handle(self, *args, **opts):
        chat = (
            Chat.objects.select_related("campaign", "hashtag")
            .filter(campaign__slug=opts["campaign"], slug=opts["chat"])
            .first()
        )
        if chat is None:
            raise CommandError(f"No chat {opts['chat']!r} in campaign {opts['campaign']!r}.")
        kind = opts["format"]
        reading = chat_reading(chat=chat)
        if kind == "json":
            text = json.dumps(reading.numbers, indent=2, ensure_ascii=False) + "\n"
        elif kind == "csv":
            text = transcript_csv(chat=chat)
        else:
            text = recap_markdown(chat=chat, numbers=reading.numbers)
        if opts["output"]:
            with output_replaced(opts["output"]) as out:
                out.write(text)
        else:
            self.stdout.write(text, ending="")
