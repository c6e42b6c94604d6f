"""Platform clients, one module each, behind the interface in `base`; `client_for` picks one."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .base import SourceClient, SourceError

_MODULES = {
    "x": "hashtags.sources.x",
    "mastodon": "hashtags.sources.mastodon",
    "bluesky": "hashtags.sources.bluesky",
    "demo": "hashtags.sources.demo",
}


def client_for(source: Any) -> SourceClient:
    """The client for a `hashtags.models.Source`; SourceError(permanent) when misconfigured."""
    module = _MODULES.get(source.platform)
    if module is None:
        raise SourceError(f"Unknown platform {source.platform!r}.", permanent=True)
    return import_module(module).client_for(source)
