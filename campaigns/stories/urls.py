"""#IHeartHIT story pages (namespace "campaigns"); stories are reviewed in the curator queue."""

from django.urls import path

from campaigns.stories import views

pages = [
    path("c/<slug:slug>/stories/", views.story_list, name="story_list"),
    path("c/<slug:slug>/stories/new/", views.story_new, name="story_new"),
    path("c/<slug:slug>/stories/thanks/", views.story_thanks, name="story_thanks"),
    path("c/<slug:slug>/stories.csv", views.story_export, name="story_export"),
]
