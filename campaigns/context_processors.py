"""Template context every page needs: the visitor's roles, for the navigation."""

from __future__ import annotations

from django.http import HttpRequest

from campaigns.roles import ADMIN, CURATOR, ORGANIZER, user_roles


def roles(request: HttpRequest) -> dict:
    held = user_roles(request.user)
    return {
        "user_roles": sorted(held),
        "is_organizer": ORGANIZER in held or ADMIN in held,
        "is_curator": CURATOR in held or ADMIN in held,
        "is_admin": ADMIN in held,
    }
