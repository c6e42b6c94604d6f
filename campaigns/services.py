"""Writes on campaigns: create or update one with its hashtags, and give users their roles."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from campaigns.models import Campaign, CampaignHashtag, Series, colour_next
from campaigns.roles import ROLES
from hashtags.normalize import hashtag_normalize
from hashtags.services import hashtag_get_or_create


def campaign_upsert(
    *,
    slug: str,
    name: str,
    start: datetime,
    end: datetime,
    hashtags: Sequence[str],
    timezone: str = "America/New_York",
    public: bool = False,
    description: str = "",
    series_slug: str = "",
    series_name: str = "",
    edition: str = "",
) -> tuple[Campaign, bool]:
    """Create or update the campaign `slug`; its hashtags become exactly `hashtags`, in order.
    With `series_slug` it becomes an edition of that series (created if new)."""
    if not hashtags:
        raise ValidationError({"hashtags": "A campaign needs at least one hashtag."})
    errors: list[str] = []
    names: list[str] = []
    for tag in hashtags:
        try:
            name_ = hashtag_normalize(tag)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if name_ in names:
            errors.append(f"#{tag.lstrip('#')} is listed twice (tags ignore case).")
        names.append(name_)
    if errors:
        raise ValidationError({"hashtags": errors})

    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(slug=slug).first()
        created = campaign is None
        campaign = campaign or Campaign(slug=slug)
        campaign.name = name
        campaign.start = start
        campaign.end = end
        campaign.timezone = timezone
        campaign.public = public
        campaign.description = description
        campaign.edition = edition
        campaign.series = None
        campaign.full_clean()
        if series_slug:
            name_ = series_name or series_slug.replace("-", " ").title()
            campaign.series = series_get_or_create(slug=series_slug, name=name_)
        campaign.save()
        campaign_hashtags_set(campaign=campaign, hashtags=hashtags)
    return campaign, created


def campaign_hashtags_set(*, campaign: Campaign, hashtags: Sequence[str]) -> None:
    """Make the campaign's hashtags exactly these, in order, keeping colours already chosen."""
    wanted = [hashtag_get_or_create(tag=tag) for tag in hashtags]
    current = {link.hashtag_id: link for link in campaign.campaign_hashtags.all()}
    CampaignHashtag.objects.filter(campaign=campaign).exclude(
        hashtag__in=[h.pk for h in wanted]
    ).delete()
    taken = {link.color for pk, link in current.items() if pk in {h.pk for h in wanted}}
    for position, hashtag in enumerate(wanted):
        link = current.get(hashtag.pk)
        if link is None:
            color = colour_next(taken)
            taken.add(color)
            CampaignHashtag.objects.create(
                campaign=campaign, hashtag=hashtag, position=position, color=color
            )
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])


def series_get_or_create(*, slug: str, name: str) -> Series:
    series, _ = Series.objects.get_or_create(slug=slug, defaults={"name": name})
    return series


def user_role_set(
    *, username: str, role: str, password: str | None = None, email: str = ""
) -> tuple[object, bool]:
    """Create the user if needed and put it in exactly this role; staff so it can use the admin."""
    if role not in ROLES:
        raise ValidationError(f"Unknown role {role!r}; choose one of: {', '.join(ROLES)}.")
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if created and password:
            user.set_password(password)
            user.save()
        user_roles_set(user=user, roles={role})
    return user, created


def user_roles_set(*, user: Any, roles: Collection[str]) -> bool:
    """Put the user in exactly these roles (none: no role); a role makes the user staff, so it
    can use the admin. Groups that are not roles stay. Returns whether anything changed."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValidationError(f"Unknown role {unknown[0]!r}; choose from: {', '.join(ROLES)}.")
    wanted = set(roles)
    with transaction.atomic():
        changed = False
        if wanted and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            changed = True
        held = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if held != wanted:
            added = list(Group.objects.filter(name__in=wanted - held))
            if len(added) != len(wanted - held):
                raise ValidationError("The role groups are missing; run manage.py migrate.")
            user.groups.remove(*Group.objects.filter(name__in=held - wanted))
            user.groups.add(*added)
            changed = True
    user.__dict__.pop("_nhitweek_roles", None)  # campaigns.roles.user_roles reads it again
    return changed
