"""The admin of the people plane, one module per subject; importing them registers them."""

from campaigns.admin import accounts, campaign, chat, curation, schedules, story, users

__all__ = ["accounts", "campaign", "chat", "curation", "schedules", "story", "users"]
