"""manage.py import_accounts --format csv|congress-legislators PATH [--list SLUG]

csv: PATH is the file, --list the list it goes into (made when new, with --name and --kind).
congress-legislators: PATH is the folder holding the four files; left out, or "shipped", it is
the copy that ships with nhitweek (campaigns/accounts/data/congress-legislators/). Skipped rows
go to stderr with their line numbers; the last line is
`accounts: lists=N members=N handles=N skipped=N`.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from campaigns.accounts.imports import FORMATS, ImportRefused, congress_import, csv_import
from campaigns.models import AccountList

SHIPPED = "shipped"


class Command(BaseCommand):
    help = (
        "Import tracked-account lists: a CSV of handles (name,platform,handle,office,state,"
        "party,organization; one row a handle) into --list, or the US Congress from the "
        "congress-legislators files (us-senate, us-house, one list per committee). Running it "
        "again with the same files changes nothing; a newer copy refreshes the lists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "path",
            nargs="?",
            metavar="PATH",
            help="the CSV file; for congress-legislators the folder of its four files "
            f"(left out or '{SHIPPED}': the copy shipped with nhitweek)",
        )
        parser.add_argument("--list", metavar="SLUG", help="csv: the list the rows go into")
        parser.add_argument("--name", default="", help="csv: the list's name when it is new")
        parser.add_argument(
            "--kind", choices=AccountList.Kind.values, help="csv: the kind of a new list (other)"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="csv: mark former the list's members (typed or from a CSV) the file leaves out",
        )
        parser.add_argument(
            "--note",
            help="congress-legislators: where the files come from (default from SOURCE.md)",
        )

    def handle(self, *args, **opts):
        path = opts["path"]
        try:
            if opts["format"] == "csv":
                result = self._csv(path, opts)
            else:
                if opts["list"] or opts["replace"] or opts["kind"] or opts["name"]:
                    raise CommandError(
                        "congress-legislators makes its own lists (us-senate, us-house, one per "
                        "committee) and replaces their members: --list, --name, --kind and "
                        "--replace are for csv."
                    )
                folder = None if path in (None, SHIPPED) else Path(path)
                result = congress_import(folder=folder, note=opts["note"])
        except ImportRefused as exc:
            raise CommandError(f"{path or SHIPPED}: {exc} Nothing was stored.") from None
        for line in result.lines_said():
            self.stderr.write(f"{path or SHIPPED}, {line}")
        self.stdout.write(result.changes_said())
        self.stdout.write(result.summary())

    def _csv(self, path: str | None, opts: dict):
        if not path:
            raise CommandError("csv: name the file, e.g. import_accounts --format csv staff.csv.")
        if not opts["list"]:
            raise CommandError("csv: --list SLUG names the list the rows go into.")
        try:
            validate_slug(opts["list"])
        except ValidationError:
            raise CommandError(
                f"--list {opts['list']!r} is not a slug: use letters, digits, hyphens and "
                "underscores."
            ) from None
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read it ({exc.strerror or exc}).") from None
        return csv_import(
            data=data,
            list_slug=opts["list"],
            list_name=opts["name"],
            kind=opts["kind"],
            replace=opts["replace"],
        )
