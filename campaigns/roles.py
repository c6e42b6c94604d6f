"""The three roles as Django groups, and the permissions each holds.

Organizer: campaigns (with their dates and hashtags), their chats, dashboards, and the
account lists (members and handles; deleting a whole list is the Admin's).
Curator: curation and stories; may look at campaigns and account lists but not change them.
Admin: every permission, sources and users included.
"""

from __future__ import annotations

from typing import Any

ORGANIZER = "Organizer"
CURATOR = "Curator"
ADMIN = "Admin"
ROLES = (ORGANIZER, CURATOR, ADMIN)
# What each role may do, as the role picker says it.
ROLE_SUMMARIES = {
    ORGANIZER: "campaigns (with their dates and hashtags), their chats, and dashboards",
    CURATOR: "curation and stories; sees campaigns but cannot change them",
    ADMIN: "every permission, sources and users included",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    ORGANIZER: {
        "campaigns.add_campaign",
        "campaigns.change_campaign",
        "campaigns.view_campaign",
        "campaigns.change_campaign_dates",
        "campaigns.view_dashboard",
        "campaigns.add_campaignhashtag",
        "campaigns.change_campaignhashtag",
        "campaigns.delete_campaignhashtag",
        "campaigns.view_campaignhashtag",
        "campaigns.add_series",
        "campaigns.change_series",
        "campaigns.view_series",
        "campaigns.add_chat",
        "campaigns.change_chat",
        "campaigns.view_chat",
        "campaigns.add_chathost",
        "campaigns.change_chathost",
        "campaigns.view_chathost",
        "campaigns.add_chatquestion",
        "campaigns.change_chatquestion",
        "campaigns.view_chatquestion",
        "campaigns.add_accountlist",
        "campaigns.change_accountlist",
        "campaigns.view_accountlist",
        "campaigns.add_member",
        "campaigns.change_member",
        "campaigns.delete_member",
        "campaigns.view_member",
        "campaigns.add_memberhandle",
        "campaigns.change_memberhandle",
        "campaigns.delete_memberhandle",
        "campaigns.view_memberhandle",
        "hashtags.add_hashtag",
        "hashtags.change_hashtag",
        "hashtags.view_hashtag",
        "hashtags.view_source",
    },
    CURATOR: {
        "campaigns.view_campaign",
        "campaigns.view_campaignhashtag",
        "campaigns.view_series",
        "campaigns.view_dashboard",
        "campaigns.curate_posts",
        "campaigns.manage_stories",
        "campaigns.view_accountlist",
        "campaigns.view_member",
        "campaigns.view_memberhandle",
        "hashtags.view_hashtag",
    },
}


def roles_sync(apps: Any) -> None:
    """Create the role groups and give each its permissions; safe to run any number of times."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    everything = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in everything}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            wanted = list(by_name.values())
        else:
            wanted = [by_name[name] for name in ROLE_PERMISSIONS[role] if name in by_name]
        group.permissions.set(wanted)


def roles_sync_after_migrate(sender: Any, apps: Any = None, **kwargs: Any) -> None:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return
    roles_sync(apps)


def user_roles(user: Any) -> set[str]:
    """The roles a user holds; a superuser holds Admin."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if not hasattr(user, "_nhitweek_roles"):
        roles = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            roles.add(ADMIN)
        user._nhitweek_roles = roles
    return user._nhitweek_roles
