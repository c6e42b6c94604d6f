"""The admin site: every model admin's list refuses lookups it cannot run with ?e=1, never a 500.

Django turns a lookup that fails while the filter is built into IncorrectLookupParameters (the
redirect to ?e=1), but a lookup's value is only turned into SQL, and the SQL only run, at the
first count: `?created_at__year=0` (no year 0 in a datetime), a date hierarchy of year 9999
(its end is year 10000), a NUL in a text lookup or a regular expression the database refuses
all fail there, outside Django's guard. This site wraps every registered admin (ours, auth's,
django-celery-beat's) so those failures take the same way out.
"""

from __future__ import annotations

from functools import cache

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import DataError, transaction

# Bad values in a lookup: the date types' range, Python's int/str conversions, a __range of
# one value, the database's own checks (a regular expression, a NUL byte, a number past the
# column's range).
LOOKUP_ERRORS = (ValueError, OverflowError, IndexError, TypeError, DataError)


class GuardedChangeList(ChangeList):
    """Mixed in front of a ChangeList class: lookup failures become IncorrectLookupParameters."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except LOOKUP_ERRORS as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request):
        # A savepoint, so a refused statement leaves the request's transaction usable.
        try:
            with transaction.atomic(using=self.queryset.db):
                return super().get_results(request)
        except LOOKUP_ERRORS as exc:
            raise IncorrectLookupParameters(exc) from exc


_GUARDED: dict[type, type] = {}


def guarded_changelist(base: type) -> type:
    """The guarded subclass of a ChangeList class, made once per class."""
    if base not in _GUARDED:
        _GUARDED[base] = type(f"Guarded{base.__name__}", (GuardedChangeList, base), {})
    return _GUARDED[base]


class GuardedModelAdmin(admin.ModelAdmin):
    """Mixed in front of a ModelAdmin class: its changelist is guarded."""

    def get_changelist(self, request, **kwargs):
        return guarded_changelist(super().get_changelist(request, **kwargs))


@cache
def guarded_admin(base: type) -> type:
    if issubclass(base, GuardedModelAdmin):
        return base
    attrs = {"__module__": base.__module__, "__qualname__": base.__qualname__}
    return type(base.__name__, (GuardedModelAdmin, base), attrs)


class SiteAdmin(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = guarded_admin(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)


class SiteAdminConfig(AdminConfig):
    """django.contrib.admin with SiteAdmin as admin.site (INSTALLED_APPS names this class)."""

    default_site = "nhitweek.admin_site.SiteAdmin"
