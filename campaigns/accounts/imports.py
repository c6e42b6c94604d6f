"""Account-list imports: a CSV of handles into one list, and the US Congress (congress.py reads
its files), each one transaction.

A fatal problem (a file that is not UTF-8 text, no header or a column missing from it, a folder
without the four congress files) raises ImportRefused and stores nothing, not even a new list.
A bad row is said with its line number and skipped; the good rows are stored (members_store
with partial=True). The CSV columns are name,platform,handle,office,state,party,organization
(header required, any order, user_id optional: an X user id or a Bluesky DID): one row per
handle, a person's rows grouped by name and office; a row with neither platform nor handle
lists a person with no account yet. The site's member editor reads the same lines (header
optional) and writes them back with members_csv.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from campaigns.accounts import congress
from campaigns.accounts.services import (
    HandleData,
    PersonData,
    StoreResult,
    Where,
    account_list_upsert,
    members_store,
    where_said,
)
from campaigns.models import AccountList, Member
from hashtags.handles import ACCOUNT_PLATFORMS, handle_parse

CSV_COLUMNS = ("name", "platform", "handle", "office", "state", "party", "organization")
OPTIONAL_COLUMNS = ("user_id",)
FORMATS = ("csv", "congress-legislators")
PLATFORM_NAMES = ", ".join(ACCOUNT_PLATFORMS)


class ImportRefused(Exception):
    """A problem that stops the whole import; nothing was stored."""


@dataclass
class ImportResult:
    """What an import read and stored; `problems` are the skipped rows, `notes` what was read
    differently from how it was written (the rows still stored)."""

    lists: int = 0
    lists_created: int = 0
    members: int = 0
    handles: int = 0
    problems: list[tuple[Where, str]] = field(default_factory=list)
    notes: list[tuple[Where, str]] = field(default_factory=list)
    changes: StoreResult = field(default_factory=StoreResult)

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        """The command's last line."""
        return (
            f"accounts: lists={self.lists} members={self.members} handles={self.handles} "
            f"skipped={self.skipped}"
        )

    def changes_said(self) -> str:
        c = self.changes
        return (
            f"changes: lists created={self.lists_created}; members created={c.created} "
            f"updated={c.updated} unchanged={c.unchanged} former={c.former}; handles "
            f"added={c.handles_added} changed={c.handles_changed} removed={c.handles_removed}"
        )

    def lines_said(self) -> Iterator[str]:
        """Each skipped row and each note as "line N: why", in the order of the file."""
        for line, message in self.problems:
            yield f"{where_said(line)}: {message} (skipped)"
        for line, message in self.notes:
            yield f"{where_said(line)}: {message}"


# --- CSV ---------------------------------------------------------------------------------------


def csv_text(data: bytes) -> str:
    """The file as text; ImportRefused, naming the line, when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            f"line {line}: the file is not UTF-8 text (byte {exc.start + 1}); save the "
            "spreadsheet as CSV UTF-8 and import it again."
        ) from None


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, values) of each non-blank CSV record."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRefused(f"line {line}: the file holds a NUL character; it is not a CSV.")
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for values in reader:
            if any(v.strip() for v in values):
                yield start, values
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRefused(f"line {reader.line_num}: not CSV ({exc}).") from None


def _header(values: list[str], line: int) -> list[str]:
    names = ["_".join(v.strip().lower().split()) for v in values]
    missing = [c for c in CSV_COLUMNS if c not in names]
    if missing:
        raise ImportRefused(
            f"line {line}: the header lacks {', '.join(missing)}; the first line names the "
            f"columns: {','.join(CSV_COLUMNS)} (user_id optional)."
        )
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise ImportRefused(f"line {line}: the header names {', '.join(twice)} twice.")
    return names


def csv_people(
    text: str, *, header_required: bool = True
) -> tuple[list[PersonData], list[tuple[Where, str]], list[tuple[Where, str]]]:
    """(people, refused rows, notes) of a CSV of handles; ImportRefused for a missing header
    (or a column missing from it). Without `header_required` a first line naming the columns
    is read as the header, and lines without one are in the order of CSV_COLUMNS."""
    records = _records(text)
    first = next(records, None)
    if first is None:
        if header_required:
            raise ImportRefused("The file is empty: it needs a header line and a row a handle.")
        return [], [], []
    line, values = first
    cells = {"_".join(v.strip().lower().split()) for v in values}
    looks_like_header = "name" in cells and len(cells & set(CSV_COLUMNS)) >= 2
    if header_required or looks_like_header:
        columns = _header(values, line)
        rows: Iterator[tuple[int, list[str]]] = records
    else:
        columns = list(CSV_COLUMNS)
        rows = _chain(first, records)
    problems: list[tuple[Where, str]] = []
    notes: list[tuple[Where, str]] = []
    unknown = [c for c in columns if c not in CSV_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        notes.append((line, f"column {', '.join(map(repr, unknown))} is not read."))
    grouped: dict[tuple[str, str], _Person] = {}
    for line, values in rows:
        if len(values) > len(columns):
            problems.append(
                (
                    line,
                    f"{len(values)} values where the header has {len(columns)} columns "
                    "(a value holding a comma needs quotes).",
                )
            )
            continue
        row = dict(zip(columns, values + [""] * (len(columns) - len(values)), strict=True))
        row = {k: " ".join(v.split()) for k, v in row.items()}
        trouble = _row_problem(row)
        if trouble:
            problems.append((line, trouble))
            continue
        key = (row["name"], row["office"])
        person = grouped.get(key)
        if person is None:
            grouped[key] = _Person(line, row)
        else:
            notes.extend(person.merge(line, row))
        if row["platform"] or row["handle"]:
            grouped[key].handles.append(
                HandleData(row["platform"].lower(), row["handle"], row.get("user_id", ""), line)
            )
    return [p.data() for p in grouped.values()], problems, notes


def _chain(first: tuple[int, list[str]], rest: Iterator) -> Iterator[tuple[int, list[str]]]:
    yield first
    yield from rest


def _row_problem(row: dict[str, str]) -> str | None:
    if not row["name"]:
        return "The name is empty."
    platform, handle = row["platform"].lower(), row["handle"]
    if not platform and not handle:
        return None
    if not platform:
        return f"The platform is empty; use one of {PLATFORM_NAMES}."
    if not handle:
        return "The handle is empty."
    try:
        handle_parse(platform, handle)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


class _Person:
    """One person's rows: the first row's details, every row's handle."""

    DETAILS = ("state", "party", "organization")

    def __init__(self, line: int, row: dict[str, str]) -> None:
        self.line, self.row = line, row
        self.handles: list[HandleData] = []

    def merge(self, line: int, row: dict[str, str]) -> list[tuple[Where, str]]:
        notes: list[tuple[Where, str]] = []
        for attr in self.DETAILS:
            ours, theirs = self.row[attr], row[attr]
            if not ours:
                self.row[attr] = theirs
            elif theirs and theirs != ours:
                notes.append(
                    (
                        line,
                        f"{row['name']} has {attr} {ours!r} on line {self.line}; "
                        f"{theirs!r} is not read.",
                    )
                )
        return notes

    def data(self) -> PersonData:
        return PersonData(
            name=self.row["name"],
            office=self.row["office"],
            state=self.row["state"],
            party=self.row["party"],
            organization=self.row["organization"],
            handles=tuple(self.handles),
            line=self.line,
        )


def csv_import(
    *,
    data: bytes,
    list_slug: str,
    list_name: str = "",
    kind: str | None = None,
    replace: bool = False,
) -> ImportResult:
    """A CSV of handles into the list `list_slug` (made, with `list_name` and `kind`, when it
    is new); `replace` marks former the list's CSV-typed members the file does not name."""
    people, problems, notes = csv_people(csv_text(data))
    with transaction.atomic():
        account_list = AccountList.objects.filter(slug=list_slug).first()
        created = account_list is None
        if account_list is None:
            account_list = _list_made(list_slug, list_name, kind)
        stored = members_store(
            account_list=account_list, people=people, replace=replace, partial=True
        )
    result = ImportResult(lists=1, lists_created=int(created), notes=notes, changes=stored)
    result.members, result.handles = stored.members, stored.handles
    result.problems = sorted([*problems, *stored.refused], key=_line_order)
    return result


def _list_made(slug: str, name: str, kind: str | None) -> AccountList:
    try:
        account_list, _ = account_list_upsert(
            slug=slug,
            name=name or slug.replace("-", " ").replace("_", " ").capitalize(),
            kind=kind or AccountList.Kind.OTHER,
            source="CSV import",
            new=True,
        )
    except ValidationError as exc:
        raise ImportRefused(_messages(exc)) from None
    return account_list


def _line_order(problem: tuple[Where, str]) -> tuple[int, str]:
    line = problem[0]
    return (line, "") if isinstance(line, int) else (0, str(line))


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def members_csv(account_list: AccountList) -> str:
    """The list's current members typed by hand or from a CSV, as csv_people reads them: a
    header, then one line a handle (a member with none: one line without platform and
    handle)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    members = (
        Member.objects.filter(account_list=account_list, former=False, external_key="")
        .prefetch_related("handles")
        .order_by("name", "office", "pk")
    )
    for member in members:
        details = [member.office, member.state, member.party, member.organization]
        handles = [(h.platform, h.display or h.handle) for h in member.handles.all()]
        for platform, handle in handles or [("", "")]:
            writer.writerow([member.name, platform, handle, *details])
    return out.getvalue()


# --- The US Congress ---------------------------------------------------------------------------


def congress_import(*, folder: Path | None = None, note: str | None = None) -> ImportResult:
    """The congress-legislators files in `folder` (the shipped copy when None) into us-senate,
    us-house and a list per committee and subcommittee; members who left are marked former,
    a committee gone from the files has every member marked former."""
    try:
        read = congress.congress_read(folder or congress.SHIPPED)
    except congress.CongressFilesError as exc:
        raise ImportRefused(str(exc)) from None
    source = note if note is not None else read.note
    result = ImportResult(problems=list(read.problems))
    with transaction.atomic():
        made: dict[str, AccountList] = {}
        for spec in read.lists:
            existed = AccountList.objects.filter(slug=spec.slug).exists()
            try:
                account_list, created = account_list_upsert(
                    slug=spec.slug,
                    name=spec.name,
                    kind=None if existed else AccountList.Kind.POLICYMAKERS,
                    description=None if existed else spec.description,
                    source=source,
                    committee=spec.committee,
                    parent=made.get(spec.parent) if spec.parent else None,
                )
            except ValidationError as exc:
                raise ImportRefused(f"{spec.slug}: {_messages(exc)}") from None
            made[spec.slug] = account_list
            stored = members_store(
                account_list=account_list,
                people=spec.members,
                replace=True,
                keyed=True,
                partial=True,
            )
            result.lists += 1
            result.lists_created += int(created)
            result.changes.add(stored)
            if spec.chamber:  # every member of a committee sits in a chamber too
                result.members += stored.members
                result.handles += stored.handles
        gone = AccountList.objects.exclude(committee="").exclude(slug__in=list(made))
        for account_list in gone.order_by("slug"):
            stored = members_store(
                account_list=account_list, people=[], replace=True, keyed=True, partial=True
            )
            if stored.former:
                result.notes.append(
                    (
                        account_list.slug,
                        f"{account_list.committee} is no longer in "
                        f"{congress.COMMITTEES}: its {stored.former} member(s) are marked "
                        "former.",
                    )
                )
            result.changes.add(stored)
    result.problems.extend(
        p for p in dict.fromkeys(result.changes.refused) if p not in read.problems
    )
    return result
