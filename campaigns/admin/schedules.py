"""Beat's periodic tasks: the ones settings define are read-only here, since settings win."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django_celery_beat.admin import (  # type: ignore[import-untyped]
    PeriodicTaskAdmin as BeatPeriodicTaskAdmin,
)
from django_celery_beat.models import PeriodicTask  # type: ignore[import-untyped]


class SettingsTaskForm(forms.ModelForm):
    """A task from settings.CELERY_BEAT_SCHEDULE: only its on/off switch, which beat keeps."""

    class Meta:
        model = PeriodicTask
        fields = ["enabled"]


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    """At every start beat writes each settings.CELERY_BEAT_SCHEDULE entry over its row (all but
    `enabled`), so those rows are read-only here and say which variable sets their interval."""

    list_display = (*BeatPeriodicTaskAdmin.list_display, "set_by")

    @staticmethod
    def from_settings(obj: PeriodicTask | None) -> bool:
        return obj is not None and obj.name in settings.CELERY_BEAT_SCHEDULE

    @admin.display(description="interval set by")
    def set_by(self, obj: PeriodicTask) -> str:
        if not self.from_settings(obj):
            return "this admin"
        return settings.CELERY_BEAT_SCHEDULE_ENV.get(obj.name, "settings")

    def note(self, obj: PeriodicTask) -> str:
        variable = settings.CELERY_BEAT_SCHEDULE_ENV.get(obj.name)
        where = f"the environment variable {variable}" if variable else "the settings"
        return (
            f"This task comes from settings.CELERY_BEAT_SCHEDULE, which beat writes over it "
            f"every time it starts: settings win. Its interval is set by {where}; change it "
            "there and restart beat. Only Enabled is kept from here."
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.from_settings(obj):
            return fieldsets
        (name, options), *rest = fieldsets
        # regtask is a form field only (the registered-task picker): nothing to show read-only.
        fields = tuple(field for field in options["fields"] if field != "regtask")
        return ((name, {**options, "fields": fields, "description": self.note(obj)}), *rest)

    def get_readonly_fields(self, request, obj=None):
        if not self.from_settings(obj):
            return super().get_readonly_fields(request, obj)
        shown = [
            field for _, options in self.get_fieldsets(request, obj) for field in options["fields"]
        ]
        return [field for field in shown if field != "enabled"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self.from_settings(obj):
            kwargs["form"] = SettingsTaskForm
        return super().get_form(request, obj, change, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Beat would bring a deleted row back at its next start; until then the task would stop.
        return not self.from_settings(obj) and super().has_delete_permission(request, obj)
