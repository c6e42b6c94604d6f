"""The curator queue, its actions, moderation rules and the audit log (namespace "campaigns")."""

from django.urls import path

from campaigns.curation import views

pages = [
    path("c/<slug:slug>/curate/", views.curate_queue, name="curate_queue"),
    path("c/<slug:slug>/curate/act/", views.curate_act, name="curate_act"),
    path("c/<slug:slug>/curate/bulk/", views.curate_bulk, name="curate_bulk"),
    path("c/<slug:slug>/curate/rules/", views.curate_rules, name="curate_rules"),
    path("c/<slug:slug>/curate/audit/", views.curate_audit, name="curate_audit"),
    # Stories are reviewed in the queue; the older review addresses lead there.
    path("c/<slug:slug>/stories/review/", views.story_review_list, name="story_review_list"),
    path("c/<slug:slug>/stories/<int:pk>/review/", views.story_review_set, name="story_review_set"),
]
