"""Account-list writes: a list's own fields, and its members made what a batch says, all or
nothing (or, for imports, the refused handles left out and said).

A batch is people, each with their handles as written. A person is matched to a stored member
by their external key (bioguide id) when they have one, else by name and office. Each person's
handles become exactly the batch's (a handle renamed is one changed); a user id the batch
leaves empty keeps the one stored for that handle. `replace` marks former every current member
the batch does not name among those that came the same way (with a key for a keyed batch,
without one otherwise), so the congress refresh never touches members typed by hand. A handle
belongs to one member of a list: it moves to the batch's person from a former member or from
one the batch gives other handles, and is refused while another current member holds it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Prefetch
from django.utils.timezone import now as tz_now

from campaigns.models import AccountList, Member, MemberHandle
from hashtags.handles import handle_parse, user_id_normalize

RESERVED_SLUGS = {"new"}  # /accounts/new/ is the new-list form
Where = int | str | None  # a line number, or a place named in full ("file.yaml line 4")
PERSON_FIELDS = ("name", "office", "chamber", "state", "district", "party", "organization")


@dataclass(frozen=True)
class HandleData:
    platform: str
    handle: str  # as written
    user_id: str = ""
    line: Where = None  # where it was read, for messages


@dataclass(frozen=True)
class PersonData:
    name: str
    office: str = ""
    chamber: str = ""
    state: str = ""
    district: str = ""
    party: str = ""
    organization: str = ""
    external_key: str = ""
    handles: tuple[HandleData, ...] = ()
    line: Where = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.office})" if self.office else self.name


@dataclass
class StoreResult:
    """What members_store stored (`members`, `handles`: the batch's, less what it refused) and
    changed; `refused` says what it left out (imports only)."""

    members: int = 0
    handles: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    former: int = 0
    handles_added: int = 0
    handles_changed: int = 0
    handles_removed: int = 0
    refused: list[tuple[Where, str]] = field(default_factory=list)

    def add(self, other: StoreResult) -> None:
        for counter in dataclasses.fields(self):
            if counter.name != "refused":
                setattr(
                    self, counter.name, getattr(self, counter.name) + getattr(other, counter.name)
                )
        self.refused.extend(other.refused)


def account_list_upsert(
    *,
    slug: str,
    name: str,
    kind: str | None = None,
    description: str | None = None,
    source: str | None = None,
    committee: str | None = None,
    parent: AccountList | None = None,
    new: bool = False,
) -> tuple[AccountList, bool]:
    """The list `slug` with these fields (None leaves one as it was); raises ValidationError and
    changes nothing on bad input. `new`: only create (a slug in use is an error)."""
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValidationError(
            {"slug": f"{slug!r} is not a slug: use letters, digits, hyphens and underscores."}
        ) from None
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"{slug!r} names a page of the site; choose another."})
    with transaction.atomic():
        account_list = AccountList.objects.select_for_update().filter(slug=slug).first()
        if new and account_list is not None:
            raise ValidationError({"slug": f"There is a list {slug!r} already."})
        created = account_list is None
        account_list = account_list or AccountList(slug=slug)
        before = _list_values(account_list)
        account_list.name = name.strip()
        for attr, value in (
            ("kind", kind),
            ("description", description),
            ("source", source),
            ("committee", committee),
        ):
            if value is not None:
                setattr(account_list, attr, value.strip())
        if parent is not None:
            account_list.parent = parent
        account_list.full_clean()
        if created or _list_values(account_list) != before:
            account_list.save()
    return account_list, created


def _list_values(account_list: AccountList) -> tuple:
    return tuple(
        getattr(account_list, attr)
        for attr in ("name", "kind", "description", "source", "committee", "parent_id")
    )


def account_list_save(
    *,
    slug: str,
    name: str,
    kind: str,
    description: str,
    people: Sequence[PersonData],
    new: bool = False,
) -> tuple[AccountList, StoreResult]:
    """The site's list form: the list's fields and its typed members (those without an
    external key) made these, together or not at all; members left out are marked former."""
    with transaction.atomic():
        account_list, _ = account_list_upsert(
            slug=slug,
            name=name,
            kind=kind,
            description=description,
            source="typed in the site" if new else None,
            new=new,
        )
        stored = members_store(account_list=account_list, people=people, replace=True, keyed=False)
    return account_list, stored


# --- Members ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Handle:
    platform: str
    name: str
    display: str
    user_id: str
    line: Where

    @property
    def ids(self) -> list[tuple[str, str]]:
        """What makes it one account on the list: its handle, and its user id when known."""
        return [(self.platform, self.name)] + (
            [(self.platform, f"id:{self.user_id}")] if self.user_id else []
        )


@dataclass
class _Wanted:
    """A person of the batch, checked: fields tidied, handles parsed."""

    person: PersonData
    handles: list[_Handle]

    @property
    def key(self) -> tuple[str, ...]:
        return _key_of(self.person)


def members_store(
    *,
    account_list: AccountList,
    people: Sequence[PersonData],
    replace: bool = False,
    keyed: bool | None = None,
    partial: bool = False,
    now: datetime | None = None,
) -> StoreResult:
    """The list's members made what `people` say (see the module's docstring). Raises
    ValidationError listing every problem and stores nothing; with `partial` the refused
    handles and people are left out, said in the result's `refused`, and the rest stored.
    `keyed` says which way the batch came when it may be empty (a committee gone from the
    files: people=[], replace=True, keyed=True marks all its members former)."""
    now = now or tz_now()
    problems: list[tuple[Where, str]] = []
    with transaction.atomic():
        # The list's row lock makes two writes to one list take turns.
        AccountList.objects.select_for_update().filter(pk=account_list.pk).exists()
        stored = list(
            Member.objects.filter(account_list=account_list).prefetch_related(
                Prefetch("handles", queryset=MemberHandle.objects.order_by("pk"))
            )
        )
        wanted = _checked(people, problems)
        if keyed is None:
            keyed = any(w.person.external_key for w in wanted)
        leaving = _leaving(stored, wanted, keyed) if replace else set()
        _refuse_held(wanted, stored, leaving, problems)
        if problems and not partial:
            raise ValidationError([problem_said(line, message) for line, message in problems])
        result = StoreResult(
            members=len(wanted), handles=sum(len(w.handles) for w in wanted), refused=problems
        )
        _members_write(account_list, wanted, stored, leaving, now, result)
    return result


def where_said(line: Where) -> str:
    """A place as messages name it: "line 4", or the place as given."""
    return f"line {line}" if isinstance(line, int) else (line or "")


def problem_said(line: Where, message: str) -> str:
    """A problem as a form shows it: "Line 4: why"."""
    place = where_said(line)
    return f"{place[:1].upper()}{place[1:]}: {message}" if place else message


def _key_of(member: Member | PersonData) -> tuple[str, ...]:
    if member.external_key:
        return ("key", member.external_key)
    return ("name", member.name, member.office)


def _tidy(value: str) -> str:
    return " ".join(value.split())


def _checked(people: Sequence[PersonData], problems: list) -> list[_Wanted]:
    """Each person whose own fields are fine, with the handles that are; a person or handle
    named twice is refused where it comes again."""
    wanted: list[_Wanted] = []
    people_seen: dict[tuple[str, ...], PersonData] = {}
    handles_seen: dict[tuple[str, str], tuple[PersonData, _Handle]] = {}
    for raw in people:
        tidied: dict[str, Any] = {
            a: _tidy(getattr(raw, a)) for a in (*PERSON_FIELDS, "external_key")
        }
        person = dataclasses.replace(raw, **tidied)
        trouble = _person_problem(person)
        first = people_seen.get(_key_of(person))
        if trouble is None and first is not None:
            where = f" (first on {where_said(first.line)})" if first.line else ""
            trouble = f"{person.label} is listed twice{where}."
        if trouble:
            problems.append((person.line, trouble))
            continue
        people_seen[_key_of(person)] = person
        handles = []
        for data in person.handles:
            line = data.line or person.line
            try:
                written = handle_parse(data.platform, data.handle)
                user_id = user_id_normalize(data.platform, data.user_id)
            except ValidationError as exc:
                problems.append((line, " ".join(exc.messages)))
                continue
            handle = _Handle(written.platform, written.name, written.display, user_id, line)
            twice = next((handles_seen[i] for i in handle.ids if i in handles_seen), None)
            if twice is not None:
                owner, earlier = twice
                where = f" on {where_said(earlier.line)}" if earlier.line else ""
                problems.append(
                    (
                        line,
                        f"{handle.platform}:{handle.display} is listed twice "
                        f"(for {owner.label}{where}).",
                    )
                )
                continue
            handles_seen.update(dict.fromkeys(handle.ids, (person, handle)))
            handles.append(handle)
        wanted.append(_Wanted(person, handles))
    return wanted


def _person_problem(person: PersonData) -> str | None:
    if not person.name:
        return "The name is empty."
    if person.chamber not in {"", *Member.Chamber.values}:
        return f"{person.chamber!r} is not a chamber; use senate, house or other."
    for attr in (*PERSON_FIELDS, "external_key"):
        value = getattr(person, attr)
        limit = getattr(Member._meta.get_field(attr), "max_length", None)
        if "\x00" in value:
            return f"The {attr} holds a NUL character."
        if limit and len(value) > limit:
            return f"The {attr} is longer than {limit} characters."
    return None


def _leaving(stored: list[Member], wanted: list[_Wanted], keyed: bool) -> set[int]:
    """The current members `replace` marks former: not named, and come the batch's way."""
    named = {w.key for w in wanted}
    return {
        m.pk
        for m in stored
        if not m.former and _key_of(m) not in named and bool(m.external_key) == keyed
    }


def _refuse_held(
    wanted: list[_Wanted], stored: list[Member], leaving: set[int], problems: list
) -> None:
    """Drop each handle that a member left current and not named by the batch holds."""
    named = {w.key for w in wanted}
    holders = {
        ident: member
        for member in stored
        if not member.former and member.pk not in leaving and _key_of(member) not in named
        for row in member.handles.all()
        for ident in _row_ids(row)
    }
    if not holders:
        return
    for item in wanted:
        kept = []
        for handle in item.handles:
            holder = next((holders[i] for i in handle.ids if i in holders), None)
            if holder is None:
                kept.append(handle)
            else:
                problems.append(
                    (
                        handle.line,
                        f"{handle.platform}:{handle.display} belongs to {holder} on this list "
                        "already.",
                    )
                )
        item.handles = kept


def _row_ids(row: MemberHandle) -> list[tuple[str, str]]:
    return [(row.platform, row.handle)] + (
        [(row.platform, f"id:{row.user_id}")] if row.user_id else []
    )


def _members_write(
    account_list: AccountList,
    wanted: list[_Wanted],
    stored: list[Member],
    leaving: set[int],
    now: datetime,
    result: StoreResult,
) -> None:
    by_key = {_key_of(m): m for m in stored}
    created: list[Member] = []
    changed: dict[int, Member] = {}
    pairs: list[tuple[_Wanted, Member | None]] = []
    for item in wanted:
        member = by_key.get(item.key)
        if member is None:
            member = Member(account_list=account_list, external_key=item.person.external_key)
            _person_set(member, item.person)
            created.append(member)
            pairs.append((item, None))
        else:
            pairs.append((item, member))
            different = _person_set(member, item.person)
            if member.former:
                member.former, member.former_since = False, None
                different = True
            if different:
                changed[member.pk] = member
    result.updated = len(changed)
    result.unchanged = len(wanted) - len(created) - len(changed)
    for member in stored:
        if member.pk in leaving:
            member.former, member.former_since = True, now
            changed[member.pk] = member
    result.created, result.former = len(created), len(leaving)
    Member.objects.bulk_create(created, batch_size=500)
    for member in changed.values():
        member.updated_at = now
    Member.objects.bulk_update(
        list(changed.values()),
        [*PERSON_FIELDS, "former", "former_since", "updated_at"],
        batch_size=500,
    )
    new = iter(created)
    _handles_write(
        account_list,
        [(item, member or next(new), member is None) for item, member in pairs],
        stored,
        result,
    )


def _person_set(member: Member, person: PersonData) -> bool:
    """Give the member the person's fields; True when one changed."""
    different = False
    for attr in PERSON_FIELDS:
        if getattr(member, attr) != getattr(person, attr):
            setattr(member, attr, getattr(person, attr))
            different = True
    return different


def _handles_write(
    account_list: AccountList,
    pairs: list[tuple[_Wanted, Member, bool]],
    stored: list[Member],
    result: StoreResult,
) -> None:
    """Each named person's handles made the batch's: a row kept where the handle is the same
    (display and user id refreshed), the others removed and added, deletes first, so a handle
    can move between members; a removal and an addition on one platform count as a change."""
    removed: set[int] = set()
    updated: dict[int, MemberHandle] = {}
    added: list[MemberHandle] = []
    for item, member, is_new in pairs:
        rows = {} if is_new else {(r.platform, r.handle): r for r in member.handles.all()}
        names = {(h.platform, h.name) for h in item.handles}
        gone = [r for key, r in rows.items() if key not in names]
        removed.update(r.pk for r in gone)
        fresh = []
        for handle in item.handles:
            row = rows.get((handle.platform, handle.name))
            if row is None:
                fresh.append(handle)
                continue
            user_id = handle.user_id or row.user_id
            if (row.display, row.user_id) != (handle.display, user_id):
                row.display, row.user_id = handle.display, user_id
                updated[row.pk] = row
        added.extend(
            MemberHandle(
                member=member,
                account_list=account_list,
                platform=h.platform,
                handle=h.name,
                display=h.display,
                user_id=h.user_id,
            )
            for h in fresh
        )
        gone_platforms = [r.platform for r in gone]
        renamed = 0
        for handle in fresh:
            if handle.platform in gone_platforms:
                gone_platforms.remove(handle.platform)
                renamed += 1
        result.handles_changed += renamed + sum(1 for r in rows.values() if r.pk in updated)
        result.handles_added += len(fresh) - renamed
        result.handles_removed += len(gone) - renamed
    _moves_make_room(stored, added, updated, removed)
    MemberHandle.objects.filter(pk__in=removed).delete()
    MemberHandle.objects.bulk_update(list(updated.values()), ["display", "user_id"], batch_size=500)
    MemberHandle.objects.bulk_create(added, batch_size=500)


def _moves_make_room(
    stored: list[Member],
    added: list[MemberHandle],
    updated: dict[int, MemberHandle],
    removed: set[int],
) -> None:
    """A handle given to another member leaves its former holder (a former member, or one
    replaced); a user id now another handle's is dropped from the row that had it."""
    rows = [r for m in stored for r in m.handles.all() if r.pk not in removed]
    by_name = {(r.platform, r.handle): r for r in rows}
    by_id = {(r.platform, r.user_id): r for r in rows if r.user_id}
    for new in added:
        if (held := by_name.get((new.platform, new.handle))) is not None:
            removed.add(held.pk)
    claims = [h for h in [*added, *updated.values()] if h.user_id]
    for new in claims:
        held = by_id.get((new.platform, new.user_id))
        if held is not None and held.pk not in removed and held is not new:
            held.user_id = ""
            updated[held.pk] = held
