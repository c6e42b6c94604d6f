"""Account-list reads for the pages: every list with its counts, a list's members with their
handles and committees, and the filters a members page takes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from campaigns.accounts.congress import committee_short
from campaigns.models import AccountList, Member, MemberHandle

STATUSES = {"all": "Current and former", "current": "Current", "former": "Former"}


@dataclass
class ListRow:
    account_list: AccountList
    current: int = 0
    former: int = 0
    handles: int = 0
    subcommittees: list[ListRow] = field(default_factory=list)


def account_lists_overview(*, kind: str = "") -> tuple[list[ListRow], list[ListRow]]:
    """(the lists that are not committees, the committees with their subcommittees), each with
    its current and former members and its handles; `kind` keeps one kind."""
    lists = AccountList.objects.order_by("name", "pk")
    if kind:
        lists = lists.filter(kind=kind)
    rows = {a.pk: ListRow(a) for a in lists}
    members = (
        Member.objects.filter(account_list__in=list(rows))
        .values("account_list")
        .annotate(
            current=Count("pk", filter=Q(former=False)), former=Count("pk", filter=Q(former=True))
        )
    )
    for counts in members:
        row = rows[counts["account_list"]]
        row.current, row.former = counts["current"], counts["former"]
    handles = (
        MemberHandle.objects.filter(account_list__in=list(rows), member__former=False)
        .values("account_list")
        .annotate(n=Count("pk"))
    )
    for counts in handles:
        rows[counts["account_list"]].handles = counts["n"]
    own, committees = [], []
    for row in rows.values():
        a = row.account_list
        if not a.committee:
            own.append(row)
        elif a.parent_id in rows:
            rows[a.parent_id].subcommittees.append(row)
        else:
            committees.append(row)
    return own, committees


@dataclass(frozen=True)
class MemberFilters:
    q: str = ""
    party: str = ""
    state: str = ""
    chamber: str = ""
    status: str = "all"

    @classmethod
    def read(cls, params: Mapping[str, str]) -> MemberFilters:
        """The filters of a query string; an unknown status or chamber reads as none."""
        status = params.get("status", "all")
        chamber = params.get("chamber", "")
        return cls(
            q=" ".join(params.get("q", "").split())[:100],
            party=params.get("party", "")[:100],
            state=params.get("state", "")[:100],
            chamber=chamber if chamber in Member.Chamber.values else "",
            status=status if status in STATUSES else "all",
        )

    @property
    def active(self) -> bool:
        return self != MemberFilters()


def list_members(*, account_list: AccountList, filters: MemberFilters) -> QuerySet[Member]:
    """The list's members that pass the filters, current first, with their handles."""
    members = Member.objects.filter(account_list=account_list).prefetch_related("handles")
    if filters.q:
        handle = filters.q.removeprefix("@").lower()
        members = members.filter(
            Q(name__icontains=filters.q)
            | Q(organization__icontains=filters.q)
            | Q(handles__handle__contains=handle)
        ).distinct()
    for attr in ("party", "state", "chamber"):
        if getattr(filters, attr):
            members = members.filter(**{attr: getattr(filters, attr)})
    if filters.status != "all":
        members = members.filter(former=filters.status == "former")
    return members.order_by("former", "name", "pk")


def list_choices(account_list: AccountList) -> dict[str, list[str]]:
    """The parties, states and chambers the list's members have, for the filters."""
    rows = Member.objects.filter(account_list=account_list)
    return {
        attr: sorted(v for v in rows.values_list(attr, flat=True).distinct() if v)
        for attr in ("party", "state", "chamber")
    }


@dataclass
class Seat:
    """A member's place on a committee list, its subcommittees' places under it."""

    account_list: AccountList
    title: str
    subcommittees: list[Seat] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The committee's short name; a subcommittee's own part of its name ("Health")."""
        name = committee_short(self.account_list.name)
        return name.partition(": ")[2] or name if self.account_list.parent_id else name


def members_committees(members: list[Member], *, besides: AccountList) -> dict[int, list[Seat]]:
    """Each member's committees, their subcommittees under them, by member id: the committee
    lists where a current member has the same external key (the bioguide id), other than
    `besides`."""
    keys = {m.external_key for m in members if m.external_key}
    if not keys:
        return {}
    rows = (
        Member.objects.filter(external_key__in=keys, former=False)
        .exclude(account_list__committee="")
        .exclude(account_list=besides)
        .select_related("account_list")
        .order_by("account_list__committee")
    )
    by_key: dict[str, list[Seat]] = defaultdict(list)
    for row in rows:
        by_key[row.external_key].append(
            Seat(row.account_list, "" if row.office == "Member" else row.office)
        )
    for key, seats in by_key.items():
        on = {seat.account_list.pk: seat for seat in seats}
        for seat in seats:
            if seat.account_list.parent_id in on:
                on[seat.account_list.parent_id].subcommittees.append(seat)
        by_key[key] = [s for s in seats if s.account_list.parent_id not in on]
    return {m.pk: by_key.get(m.external_key, []) for m in members if m.external_key}
