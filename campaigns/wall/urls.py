"""The event wall, its embeds (namespace "campaigns") and its JSON (namespace "api")."""

from django.urls import path

from campaigns.wall import views

pages = [
    path("c/<slug:slug>/wall/", views.wall, name="wall"),
    path("c/<slug:slug>/embed/wall/", views.embed_wall, name="embed_wall"),
    path("c/<slug:slug>/embed/featured/", views.embed_featured, name="embed_featured"),
]

endpoints = [path("c/<slug:slug>/api/wall", views.api_wall, name="wall")]
