"""The US Congress from the public-domain congress-legislators files, read into the lists the
import stores: us-senate and us-house (current members, chamber, state, district and party from
their last term; the X account with its user id and the Mastodon account from the social-media
file) and one list per committee and subcommittee, its id lower-case (sshr, hsif14), whose
members are the same people (bioguide id as their key) with their title there.

A copy ships in data/congress-legislators/ (CC0; SOURCE.md says as of when), so the import
works offline; a newer copy of the same four files refreshes the lists. A file that is missing
or is not the YAML it should be stops the import; an entry that cannot be read is said with
its file and line, and skipped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError

from campaigns.accounts.services import HandleData, PersonData, Where
from hashtags.handles import handle_parse, user_id_normalize

SHIPPED = Path(__file__).resolve().parent / "data" / "congress-legislators"
LEGISLATORS = "legislators-current.yaml"
SOCIAL = "legislators-social-media.yaml"
COMMITTEES = "committees-current.yaml"
MEMBERSHIP = "committee-membership-current.yaml"
FILES = (LEGISLATORS, SOCIAL, COMMITTEES, MEMBERSHIP)

CHAMBERS = {"sen": ("senate", "Senator"), "rep": ("house", "Representative")}
# Members of the House from a territory or the District are delegates; Puerto Rico's is its
# Resident Commissioner.
DELEGATES = {"AS", "DC", "GU", "MP", "VI"}
CHAMBER_LISTS = {
    "senate": ("us-senate", "US Senate", "Current senators and their official accounts."),
    "house": (
        "us-house",
        "US House",
        "Current representatives, delegates and the resident commissioner, and their "
        "official accounts.",
    ),
}
_AS_OF = re.compile(r"as of (\d{4}-\d{2}-\d{2})")


class CongressFilesError(Exception):
    """The folder is not a copy of the four files; nothing can be read."""


@dataclass
class ListSpec:
    slug: str
    name: str
    description: str = ""
    committee: str = ""
    parent: str = ""  # a subcommittee's committee's slug
    chamber: bool = False  # us-senate or us-house: every person the import reads is in one
    members: list[PersonData] = field(default_factory=list)


@dataclass
class CongressRead:
    lists: list[ListSpec]
    problems: list[tuple[Where, str]]
    note: str


class _Lined(dict):
    """A YAML mapping that knows the line it starts on."""

    line = 0


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _lined_mapping(loader: Any, node: yaml.MappingNode) -> Iterator[_Lined]:
    data = _Lined()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _lined_mapping)


def _load(folder: Path, name: str, kind: type) -> Any:
    path = folder / name
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise CongressFilesError(f"{path}: cannot read it ({exc.strerror or exc}).") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader with line numbers
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        why = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CongressFilesError(f"{name}{where}: not YAML ({why}).") from None
    if not isinstance(data, kind):
        raise CongressFilesError(f"{name}: expected a {kind.__name__} at the top.")
    return data


def congress_read(folder: Path) -> CongressRead:
    """The lists the four files in `folder` make; CongressFilesError when one is missing."""
    if not folder.is_dir():
        raise CongressFilesError(f"{folder} is not a folder holding {', '.join(FILES)}.")
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise CongressFilesError(f"{folder} lacks {', '.join(missing)}.")
    problems: list[tuple[Where, str]] = []
    social = _social(_load(folder, SOCIAL, list), problems)
    people = _legislators(_load(folder, LEGISLATORS, list), social, problems)
    lists = [
        ListSpec(slug, name, description, chamber=True, members=[])
        for slug, name, description in CHAMBER_LISTS.values()
    ]
    for person in people.values():
        lists[0 if person.chamber == "senate" else 1].members.append(person)
    committees = _committees(_load(folder, COMMITTEES, list), problems)
    lists.extend(_memberships(_load(folder, MEMBERSHIP, dict), committees, people, problems))
    return CongressRead(lists=lists, problems=problems, note=_note(folder))


def _note(folder: Path) -> str:
    try:
        found = _AS_OF.search((folder / "SOURCE.md").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        found = None
    return f"congress-legislators {found[1]}" if found else "congress-legislators"


def _at(name: str, entry: Any) -> str:
    return f"{name} line {getattr(entry, 'line', '?')}"


def _social(entries: list, problems: list) -> dict[str, tuple[str, tuple[HandleData, ...]]]:
    """The official accounts by bioguide id (X with its user id, Mastodon), with where the
    entry is."""
    accounts: dict[str, tuple[str, tuple[HandleData, ...]]] = {}
    for entry in entries:
        where = _at(SOCIAL, entry)
        bioguide = _bioguide(entry)
        social = entry.get("social") if isinstance(entry, dict) else None
        if not bioguide or not isinstance(social, dict):
            problems.append((where, "an entry without a bioguide id or its accounts."))
            continue
        handles = []
        for platform, key, id_key in (("x", "twitter", "twitter_id"), ("mastodon", "mastodon", "")):
            written = social.get(key)
            if written in (None, ""):
                continue
            user_id = str(social.get(id_key) or "") if id_key else ""
            try:
                handle_parse(platform, str(written))
                user_id_normalize(platform, user_id)
            except ValidationError as exc:
                problems.append((where, f"{bioguide}: {' '.join(exc.messages)}"))
                continue
            handles.append(HandleData(platform, str(written), user_id, where))
        accounts[bioguide] = (where, tuple(handles))
    return accounts


def _bioguide(entry: Any) -> str:
    ids = entry.get("id") if isinstance(entry, dict) else None
    value = ids.get("bioguide") if isinstance(ids, dict) else None
    return str(value).strip() if value else ""


def _legislators(
    entries: list, social: dict[str, tuple[str, tuple[HandleData, ...]]], problems: list
) -> dict[str, PersonData]:
    """Every current member by bioguide id, as the chamber lists hold them."""
    people: dict[str, PersonData] = {}
    for entry in entries:
        where = _at(LEGISLATORS, entry)
        bioguide = _bioguide(entry)
        terms = entry.get("terms") if isinstance(entry, dict) else None
        term = terms[-1] if isinstance(terms, list) and terms else None
        if not bioguide or not isinstance(term, dict) or term.get("type") not in CHAMBERS:
            problems.append((where, "a legislator without a bioguide id or a last term."))
            continue
        chamber, office = CHAMBERS[term["type"]]
        state = str(term.get("state") or "")
        if chamber == "house" and state in DELEGATES:
            office = "Delegate"
        elif chamber == "house" and state == "PR":
            office = "Resident Commissioner"
        district = term.get("district")
        people[bioguide] = PersonData(
            name=_name(entry.get("name")) or bioguide,
            office=office,
            chamber=chamber,
            state=state,
            district="" if district is None else str(district),
            party=str(term.get("party") or ""),
            external_key=bioguide,
            handles=social.pop(bioguide, ("", ()))[1],
            line=where,
        )
    for bioguide, (where, _) in social.items():
        problems.append((where, f"{bioguide} is not a current member in {LEGISLATORS}."))
    return people


def _name(name: Any) -> str:
    if not isinstance(name, dict):
        return ""
    full = name.get("official_full")
    return str(full) if full else " ".join(str(name[k]) for k in ("first", "last") if name.get(k))


def committee_short(name: str) -> str:
    """A committee's name without "Committee on (the)": "House Energy and Commerce"; a
    subcommittee's, already short, stays as it is."""
    return " ".join(re.sub(r"\bCommittee (?:on )?(?:the )?", "", name).split())


@dataclass(frozen=True)
class _Committee:
    code: str
    name: str
    description: str
    parent: str


def _committees(entries: list, problems: list) -> dict[str, _Committee]:
    """Committees and subcommittees by id (SSHR, SSHR12): "House Committee on Energy and
    Commerce", and its subcommittee "House Energy and Commerce: Health"."""
    found: dict[str, _Committee] = {}
    for entry in entries:
        code = str(entry.get("thomas_id") or "") if isinstance(entry, dict) else ""
        name = str(entry.get("name") or "") if isinstance(entry, dict) else ""
        if not code or not name:
            problems.append((_at(COMMITTEES, entry), "a committee without an id or a name."))
            continue
        found[code] = _Committee(code, name, str(entry.get("jurisdiction") or ""), "")
        short = committee_short(name)
        for sub in entry.get("subcommittees") or []:
            sub_id = str(sub.get("thomas_id") or "") if isinstance(sub, dict) else ""
            sub_name = str(sub.get("name") or "") if isinstance(sub, dict) else ""
            if not sub_id or not sub_name:
                problems.append((_at(COMMITTEES, sub), "a subcommittee without an id or a name."))
                continue
            found[code + sub_id] = _Committee(code + sub_id, f"{short}: {sub_name}", "", code)
    return found


def _memberships(
    membership: dict,
    committees: dict[str, _Committee],
    people: dict[str, PersonData],
    problems: list,
) -> list[ListSpec]:
    """A list per committee and subcommittee, its members with their title there."""
    lists = {
        code: ListSpec(
            slug=code.lower(),
            name=c.name,
            description=c.description,
            committee=code,
            parent=c.parent.lower(),
        )
        for code, c in committees.items()
    }
    for code, seats in membership.items():
        if code not in lists:
            problems.append((MEMBERSHIP, f"{code} is not a committee in {COMMITTEES}."))
            continue
        for seat in seats if isinstance(seats, list) else []:
            where = _at(MEMBERSHIP, seat)
            bioguide = str(seat.get("bioguide") or "") if isinstance(seat, dict) else ""
            person = people.get(bioguide)
            if person is None:
                problems.append(
                    (
                        where,
                        f"{code}: {bioguide or 'a seat without a bioguide id'} is not a "
                        f"current member in {LEGISLATORS}.",
                    )
                )
                continue
            title = str(seat.get("title") or "Member")
            lists[code].members.append(dataclasses.replace(person, office=title, line=where))
    return list(lists.values())
