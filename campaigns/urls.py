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

# The campaign dashboard page (views_dashboard.py); its data comes from urls_api.
from . import views_dashboard  # noqa: E402

urlpatterns += [
    path("c/<slug:slug>/dashboard/", views_dashboard.campaign_dashboard, name="dashboard"),
]

# The curator queue, its actions, moderation rules and the audit log (views_curate.py).
from . import views_curate  # noqa: E402

urlpatterns += [
    path("c/<slug:slug>/curate/", views_curate.curate_queue, name="curate_queue"),
    path("c/<slug:slug>/curate/act/", views_curate.curate_act, name="curate_act"),
    path("c/<slug:slug>/curate/bulk/", views_curate.curate_bulk, name="curate_bulk"),
    path("c/<slug:slug>/curate/rules/", views_curate.curate_rules, name="curate_rules"),
    path("c/<slug:slug>/curate/audit/", views_curate.curate_audit, name="curate_audit"),
]

# The event wall and its embeddable versions (views_wall.py).
from . import views_wall  # noqa: E402

urlpatterns += [
    path("c/<slug:slug>/wall/", views_wall.wall, name="wall"),
    path("c/<slug:slug>/embed/wall/", views_wall.embed_wall, name="embed_wall"),
    path("c/<slug:slug>/embed/featured/", views_wall.embed_featured, name="embed_featured"),
]
