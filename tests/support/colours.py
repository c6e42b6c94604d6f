"""Campaign colours as the browser computes them, for the browser tests."""

from __future__ import annotations


def rgb(hex_colour: str) -> str:
    """#rrggbb as getComputedStyle writes it: rgb(r, g, b)."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"
