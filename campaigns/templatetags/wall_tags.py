"""Template tags of the event wall: the embed snippets shown on the campaign page."""

from __future__ import annotations

from django import template

from campaigns.wall.views import embed_snippets

register = template.Library()


@register.simple_tag(takes_context=True)
def wall_embed_snippets(context, campaign) -> list[dict[str, str]]:
    """[{label, url, code}] for a public campaign; [] for a private one."""
    return embed_snippets(context["request"], campaign)
