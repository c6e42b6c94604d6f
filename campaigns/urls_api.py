"""URLs of the dashboard's JSON endpoints, under /c/<slug>/api/."""

from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("c/<slug:slug>/api/volume", api.volume, name="volume"),
    path("c/<slug:slug>/api/coverage", api.coverage, name="coverage"),
]
