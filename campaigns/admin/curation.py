"""Curation rows for inspection: the queue is where curators work, the rules page applies rules,
and the audit log is read-only everywhere."""

from __future__ import annotations

from django.contrib import admin

from campaigns.models import CurationEvent, ModerationRules, PostCuration


@admin.register(ModerationRules)
class ModerationRulesAdmin(admin.ModelAdmin):
    list_display = ["campaign", "mode", "hide_reposts", "updated_at", "updated_by"]
    list_select_related = ["campaign", "updated_by"]
    readonly_fields = [
        "campaign",
        "mode",
        "blocked_words",
        "blocked_authors",
        "hide_reposts",
        "updated_at",
        "updated_by",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # saved through /c/<slug>/curate/rules/, which applies them


@admin.register(PostCuration)
class PostCurationAdmin(admin.ModelAdmin):
    list_display = ["campaign", "post", "status", "pinned", "rule", "updated_at", "updated_by"]
    list_filter = ["status", "campaign"]
    search_fields = ["rule", "post__external_id", "post__author__handle"]
    list_select_related = ["campaign", "post", "updated_by"]
    raw_id_fields = ["post"]
    readonly_fields = ["campaign", "post", "status", "pinned", "rule", "updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return False  # every change goes through post_curate, which audits it


@admin.register(CurationEvent)
class CurationEventAdmin(admin.ModelAdmin):
    list_display = ["at", "campaign", "actor_name", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type", "campaign"]
    search_fields = ["actor_name", "target_id"]
    date_hierarchy = "at"
    list_select_related = ["campaign"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
