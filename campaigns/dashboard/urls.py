"""The dashboard page (namespace "campaigns") and its JSON endpoints (namespace "api")."""

from django.urls import path

from campaigns.dashboard import api, views

pages = [
    path("c/<slug:slug>/dashboard/", views.campaign_dashboard, name="dashboard"),
]

endpoints = [
    path("c/<slug:slug>/api/volume", api.volume, name="volume"),
    path("c/<slug:slug>/api/coverage", api.coverage, name="coverage"),
    path("c/<slug:slug>/api/summary", api.summary, name="summary"),
    path("c/<slug:slug>/api/top-posts", api.top_posts, name="top-posts"),
    path("c/<slug:slug>/api/contributors", api.contributors, name="contributors"),
    path("c/<slug:slug>/api/heatmap", api.heatmap, name="heatmap"),
    path("c/<slug:slug>/api/yoy", api.yoy, name="yoy"),
]
