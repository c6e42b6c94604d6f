"""Handles typed in inline formsets (chat hosts, a member's accounts): each one the formset will
save, and whether the formset has it already. Each form's model clean has normalized its handle
(hashtags.handles), so "@HostX" and "hostx" are one."""

from __future__ import annotations

from collections.abc import Iterator

from django import forms


def formset_handles(
    formset: forms.BaseInlineFormSet,
) -> Iterator[tuple[forms.Form, tuple[str, str], bool]]:
    """(form, (platform, handle), typed before in the formset) of each form to be saved."""
    seen: set[tuple[str, str]] = set()
    for form in formset.forms:
        if not form.is_valid() or not form.has_changed() or form.cleaned_data.get("DELETE"):
            continue
        pair = (form.instance.platform, form.instance.handle)
        yield form, pair, pair in seen
        seen.add(pair)
