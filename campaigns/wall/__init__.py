"""The event wall, its JSON and the embeds for partner sites."""
