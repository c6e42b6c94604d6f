"""The campaign list and one campaign's page (namespace "campaigns")."""

from django.urls import path

from campaigns.home import views

pages = [
    path("", views.campaign_list, name="list"),
    path("c/<slug:slug>/", views.campaign_detail, name="detail"),
]
