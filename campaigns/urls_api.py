"""URLs of the dashboard's JSON endpoints, under /c/<slug>/api/."""

from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("c/<slug:slug>/api/volume", api.volume, name="volume"),
    path("c/<slug:slug>/api/coverage", api.coverage, name="coverage"),
    path("c/<slug:slug>/api/summary", api.summary, name="summary"),
    path("c/<slug:slug>/api/top-posts", api.top_posts, name="top-posts"),
    path("c/<slug:slug>/api/contributors", api.contributors, name="contributors"),
    path("c/<slug:slug>/api/heatmap", api.heatmap, name="heatmap"),
    path("c/<slug:slug>/api/yoy", api.yoy, name="yoy"),
]

# The event wall's JSON (views_wall.py): same access rule as the endpoints above.
from . import views_wall  # noqa: E402

urlpatterns += [path("c/<slug:slug>/api/wall", views_wall.api_wall, name="wall")]
