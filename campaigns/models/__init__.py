"""The people plane's tables, one module per subject; import them from here.

accounts: tracked-account lists, their members and handles. campaign: campaigns, their series
and ordered hashtags. story: #IHeartHIT stories and the
web-link rule. chat: chats, their hosts and planned questions, and each chat's stored reading.
curation: moderation rules, curation state, the audit log. snapshot: dashboard numbers of big
windows.
"""

from campaigns.models.accounts import AccountList, Member, MemberHandle
from campaigns.models.campaign import (
    DATES_MAX,
    DATES_MIN,
    PALETTE,
    Campaign,
    CampaignHashtag,
    CampaignQuerySet,
    Series,
    colour_next,
    colours_free,
    dates_bounds_error,
    validate_colour,
    validate_timezone,
)
from campaigns.models.chat import (
    Chat,
    ChatEntry,
    ChatHost,
    ChatQuerySet,
    ChatQuestion,
    ChatReading,
    host_handle_normalize,
)
from campaigns.models.curation import (
    CurationAction,
    CurationEvent,
    ModerationRules,
    PostCuration,
)
from campaigns.models.snapshot import DashboardSnapshot
from campaigns.models.story import Story, StoryQuerySet, validate_web_link, web_link

__all__ = [
    "DATES_MAX",
    "DATES_MIN",
    "PALETTE",
    "AccountList",
    "Campaign",
    "CampaignHashtag",
    "CampaignQuerySet",
    "Chat",
    "ChatEntry",
    "ChatHost",
    "ChatQuerySet",
    "ChatQuestion",
    "ChatReading",
    "CurationAction",
    "CurationEvent",
    "DashboardSnapshot",
    "Member",
    "MemberHandle",
    "ModerationRules",
    "PostCuration",
    "Series",
    "Story",
    "StoryQuerySet",
    "colour_next",
    "colours_free",
    "dates_bounds_error",
    "host_handle_normalize",
    "validate_colour",
    "validate_timezone",
    "validate_web_link",
    "web_link",
]
