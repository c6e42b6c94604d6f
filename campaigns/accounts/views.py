"""The account-list pages: every list, a list's members, the list form, the CSV upload.

Who: lists hold public officials' official accounts and staff and partner handles, so they are
the team's: campaigns.view_accountlist to look (every role), add_accountlist to make a list,
change_accountlist to edit one or import into it (Organizer, Admin; roles.py). Anonymous
visitors are sent to log in; the logged-in without the right get 403 before any list is
looked up. (The public will see a list only through a public campaign's scorecard.)
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.accounts.forms import AccountListForm, CsvImportForm
from campaigns.accounts.imports import ImportRefused, csv_import, members_csv
from campaigns.accounts.selectors import (
    STATUSES,
    MemberFilters,
    account_lists_overview,
    list_choices,
    list_members,
    members_committees,
)
from campaigns.accounts.services import account_list_save
from campaigns.models import AccountList, Member

VIEW, ADD, CHANGE = (f"campaigns.{p}_accountlist" for p in ("view", "add", "change"))
REFUSED = {
    VIEW: "Account lists are for the campaign team.",
    ADD: "Only organizers and admins make account lists.",
    CHANGE: "Only organizers and admins edit account lists.",
}


def _allowed(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(REFUSED[perm])


@login_required
@require_GET
def account_lists(request: HttpRequest) -> HttpResponse:
    _allowed(request, VIEW)
    kind = request.GET.get("kind", "")
    kind = kind if kind in AccountList.Kind.values else ""
    own, committees = account_lists_overview(kind=kind)
    context = {
        "own": own,
        "committees": committees,
        "kind": kind,
        "kinds": AccountList.Kind.choices,
        "can_add": request.user.has_perm(ADD),
    }
    return render(request, "campaigns/accounts/lists.html", context)


@login_required
@require_GET
def account_list_detail(request: HttpRequest, slug: str) -> HttpResponse:
    _allowed(request, VIEW)
    account_list = get_object_or_404(AccountList.objects.select_related("parent"), slug=slug)
    filters = MemberFilters.read(request.GET)
    members = list(list_members(account_list=account_list, filters=filters))
    seats = members_committees(members, besides=account_list)
    context = {
        "account_list": account_list,
        "rows": [(m, seats.get(m.pk, [])) for m in members],
        "filters": filters,
        "choices": list_choices(account_list),
        "statuses": STATUSES.items(),
        "chambers": dict(Member.Chamber.choices),
        "subcommittees": account_list.subcommittees.order_by("name"),
        "shows": {
            attr
            for attr in ("chamber", "state", "district", "party", "organization")
            if any(getattr(m, attr) for m in members)
        }
        | ({"committees"} if any(seats.values()) else set()),
        "can_change": request.user.has_perm(CHANGE),
    }
    return render(request, "campaigns/accounts/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_list_new(request: HttpRequest) -> HttpResponse:
    _allowed(request, ADD)
    return _list_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def account_list_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _allowed(request, CHANGE)
    return _list_form(request, get_object_or_404(AccountList, slug=slug))


def _list_form(request: HttpRequest, account_list: AccountList | None) -> HttpResponse:
    if request.method == "POST":
        form = AccountListForm(request.POST, account_list=account_list)
        if form.is_valid():
            try:
                saved, stored = account_list_save(**form.save_arguments())
            except ValidationError as exc:
                form.errors_add(exc)
            else:
                messages.success(
                    request,
                    f"List saved: {stored.members} typed member(s), {stored.handles} handle(s)"
                    + (f"; {stored.former} marked former." if stored.former else "."),
                )
                return redirect("campaigns:account_list_detail", slug=saved.slug)
    else:
        initial = {}
        if account_list is not None:
            initial = {
                "name": account_list.name,
                "kind": account_list.kind,
                "description": account_list.description,
                "members": members_csv(account_list),
            }
        form = AccountListForm(initial=initial, account_list=account_list)
    keyed = 0
    if account_list is not None:
        keyed = account_list.members.filter(former=False).exclude(external_key="").count()
    context = {"account_list": account_list, "form": form, "keyed": keyed}
    return render(request, "campaigns/accounts/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_list_import(request: HttpRequest, slug: str) -> HttpResponse:
    _allowed(request, CHANGE)
    account_list = get_object_or_404(AccountList, slug=slug)
    result = None
    if request.method == "POST":
        form = CsvImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = csv_import(
                    data=form.cleaned_data["file"],
                    list_slug=account_list.slug,
                    replace=form.cleaned_data["replace"],
                )
            except ImportRefused as exc:
                form.add_error("file", f"{exc} Nothing was stored.")
    else:
        form = CsvImportForm()
    context = {"account_list": account_list, "form": form, "result": result}
    return render(request, "campaigns/accounts/import.html", context)
