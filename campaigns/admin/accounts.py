"""Account lists with their members inline; members with their handles inline.

The handles' model clean normalizes them (hashtags.handles, as the imports do); each handle
row gets its member's list, which the database keeps each handle once per.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, Q

from campaigns.admin.handles import formset_handles
from campaigns.models import AccountList, Member, MemberHandle


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ["name", "office", "chamber", "state", "district", "party", "former"]
    show_change_link = True
    ordering = ["former", "name"]


@admin.register(AccountList)
class AccountListAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "committee", "current_members", "source", "updated_at"]
    list_filter = ["kind", ("committee", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug", "committee", "description"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["parent"]
    inlines = [MemberInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "description", "source"]}),
        ("Congress", {"fields": ["committee", "parent"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        members = Count("members", filter=Q(members__former=False))
        return super().get_queryset(request).annotate(current=members)

    @admin.display(description="members", ordering="current")
    def current_members(self, obj: AccountList) -> int:
        return obj.current  # type: ignore[attr-defined]


class MemberHandleFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.instance.account_list_id = self.instance.account_list_id

    def clean(self):
        super().clean()
        editing = [f.instance.pk for f in self.forms if f.instance.pk and f.has_changed()]
        others = MemberHandle.objects.filter(account_list_id=self.instance.account_list_id)
        others = others.exclude(pk__in=editing)  # what these forms change is going away
        for form, (platform, handle), again in formset_handles(self):
            if again or others.filter(platform=platform, handle=handle).exists():
                form.add_error("handle", "This handle is on this list already.")


class MemberHandleInline(admin.TabularInline):
    model = MemberHandle
    formset = MemberHandleFormSet
    extra = 1
    fields = ["platform", "handle", "display", "user_id"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "account_list", "office", "chamber", "state", "party", "former"]
    list_filter = ["account_list__kind", "chamber", "party", "state", "former"]
    search_fields = [
        "name",
        "organization",
        "external_key",
        "handles__handle",
        "account_list__name",
    ]
    list_select_related = ["account_list"]
    autocomplete_fields = ["account_list"]
    inlines = [MemberHandleInline]
    fields = [
        "account_list",
        "name",
        "office",
        ("chamber", "state", "district", "party"),
        "organization",
        "external_key",
        ("former", "former_since"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A member moved to another list takes its handles along.
        member = form.instance
        member.handles.exclude(account_list_id=member.account_list_id).update(
            account_list_id=member.account_list_id
        )
