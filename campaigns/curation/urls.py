"""The curator queue, its actions, moderation rules and the audit log (namespace "campaigns")."""

from django.urls import path

from campaigns.curation import audit_views, rules_views, views

pages = [
    path("c/<slug:slug>/curate/", views.curate_queue, name="curate_queue"),
    path("c/<slug:slug>/curate/act/", views.curate_act, name="curate_act"),
    path("c/<slug:slug>/curate/bulk/", views.curate_bulk, name="curate_bulk"),
    path("c/<slug:slug>/curate/undo/", views.curate_undo, name="curate_undo"),
    path("c/<slug:slug>/curate/news/", views.curate_news, name="curate_news"),
    path("c/<slug:slug>/curate/rules/", rules_views.curate_rules, name="curate_rules"),
    path("c/<slug:slug>/curate/audit/", audit_views.curate_audit, name="curate_audit"),
    path(
        "c/<slug:slug>/curate/audit/<int:event_id>/revert/",
        audit_views.curate_revert,
        name="curate_revert",
    ),
    # Stories are reviewed in the queue; the older review addresses lead there.
    path("c/<slug:slug>/stories/review/", views.story_review_list, name="story_review_list"),
    path("c/<slug:slug>/stories/<int:pk>/review/", views.story_review_set, name="story_review_set"),
]
