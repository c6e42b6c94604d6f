"""The admin of the people plane, one module per subject; importing them registers them."""

from campaigns.admin import campaign, chat, curation, schedules, story, users

__all__ = ["campaign", "chat", "curation", "schedules", "story", "users"]
