"""Users by their roles: a roles column and filter in the list, and a role picker on the forms
(the three roles of campaigns.roles, written by campaigns.services.user_roles_set) in place of
the raw permissions.

Superuser status, the groups that are not roles and the raw permissions are shown to
superusers only, folded away; a superuser's account is changed by superusers only, so no role
can give itself more than every role holds.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q

from campaigns.roles import ADMIN, ROLE_SUMMARIES, ROLES
from campaigns.services import user_roles_set

User = get_user_model()
NO_ROLE = "none"


def _roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Roles",
        choices=[(role, f"{role}: {ROLE_SUMMARIES[role]}") for role in ROLES],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "role-picker"}),
        required=False,
        help_text="A role makes the user staff, so they can log in here; none ticked: no role.",
    )


class UserRolesForm(auth_forms.UserChangeForm):
    roles = _roles_field()
    editor_pk: Any = None  # who edits, set per request by UserAdmin.get_form

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = set(self.instance.groups.filter(name__in=ROLES).values_list("name", flat=True))
        self.initial["roles"] = [role for role in ROLES if role in held]
        if "groups" in self.fields:  # a superuser's view: the groups that are not roles
            groups = self.fields["groups"]
            groups.queryset = Group.objects.exclude(name__in=ROLES)  # type: ignore[attr-defined]
            groups.help_text = "Groups other than the roles above."

    def clean_roles(self) -> list[str]:
        roles = self.cleaned_data["roles"]
        own = self.instance.pk is not None and self.instance.pk == self.editor_pk
        if own and ADMIN in self.initial["roles"] and ADMIN not in roles:
            raise forms.ValidationError(
                "You cannot take the Admin role from your own account; another admin can."
            )
        return roles

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        if "groups" in cleaned:
            # The role groups are the picker's to change: saving the groups keeps them.
            others = [group.pk for group in cleaned["groups"]]
            held = self.instance.groups.filter(name__in=ROLES).values_list("pk", flat=True)
            cleaned["groups"] = Group.objects.filter(Q(pk__in=others) | Q(pk__in=list(held)))
        return cleaned


class UserCreationRolesForm(auth_forms.AdminUserCreationForm):
    roles = _roles_field()


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [*((role, role) for role in ROLES), (NO_ROLE, "No role")]

    def queryset(self, request, queryset):
        members = User.groups.through.objects.values("user_id")
        if self.value() == ADMIN:  # superusers hold Admin (campaigns.roles.user_roles)
            in_admin = members.filter(group__name=ADMIN)
            return queryset.filter(Q(pk__in=in_admin) | Q(is_superuser=True))
        if self.value() in ROLES:
            return queryset.filter(pk__in=members.filter(group__name=self.value()))
        if self.value() == NO_ROLE:
            in_any = members.filter(group__name__in=ROLES)
            return queryset.exclude(pk__in=in_any).exclude(is_superuser=True)
        return queryset


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserRolesForm
    add_form = UserCreationRolesForm
    list_display = ["username", "email", "first_name", "last_name", "roles_shown", "is_active"]
    list_filter = [RoleFilter, "is_staff", "is_superuser", "is_active"]
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2", "roles"),
            },
        ),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets: list[tuple[str | None, dict[str, Any]]] = [
            (None, {"fields": ["username", "password"]}),
            ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
            ("Role", {"fields": ["roles", "is_active", "is_staff"]}),
            ("Important dates", {"fields": ["last_login", "date_joined"]}),
        ]
        if request.user.is_superuser:
            fieldsets.append(
                (
                    "Superuser status, other groups and raw permissions",
                    {
                        "classes": ["collapse"],
                        "fields": ["is_superuser", "groups", "user_permissions"],
                        "description": "For the rare account the roles do not fit.",
                    },
                )
            )
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"editor_pk": request.user.pk})

    def get_queryset(self, request):
        roles = Group.objects.filter(name__in=ROLES)
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("groups", queryset=roles, to_attr="role_groups"))
        )

    @admin.display(description="roles")
    def roles_shown(self, obj) -> str:
        held = {group.name for group in obj.role_groups}
        shown = [role for role in ROLES if role in held]
        if obj.is_superuser:
            shown.append("superuser")
        return ", ".join(shown) or "No role"

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "roles" in form.cleaned_data:
            user_roles_set(user=form.instance, roles=form.cleaned_data["roles"])
