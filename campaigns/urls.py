from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("c/<slug:slug>/", views.campaign_detail, name="detail"),
]

# #IHeartHIT stories (views_stories.py); the curator queue will later absorb the review list.
from . import views_stories  # noqa: E402

urlpatterns += [
    path("c/<slug:slug>/stories/", views_stories.story_list, name="story_list"),
    path("c/<slug:slug>/stories/new/", views_stories.story_new, name="story_new"),
    path("c/<slug:slug>/stories/thanks/", views_stories.story_thanks, name="story_thanks"),
    path("c/<slug:slug>/stories.csv", views_stories.story_export, name="story_export"),
    path(
        "c/<slug:slug>/stories/review/", views_stories.story_review_list, name="story_review_list"
    ),
    path(
        "c/<slug:slug>/stories/<int:pk>/review/",
        views_stories.story_review_set,
        name="story_review_set",
    ),
]
