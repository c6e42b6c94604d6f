"""Chat pages (namespace "campaigns") and the live page's JSON (namespace "api").

The new-chat form comes before the chat pages: "new" would otherwise be read as a chat's slug.
"""

from django.urls import path

from campaigns.chats import editing, views

pages = [
    path("c/<slug:slug>/chats/", views.chat_list, name="chat_list"),
    path("c/<slug:slug>/chats/new/", editing.chat_new, name="chat_new"),
    path("c/<slug:slug>/chats/<slug:chat>/edit/", editing.chat_edit, name="chat_edit"),
    path("c/<slug:slug>/chats/<slug:chat>/", views.chat_detail, name="chat_detail"),
    path("c/<slug:slug>/chats/<slug:chat>/analytics/", views.chat_analytics, name="chat_analytics"),
    path("c/<slug:slug>/chats/<slug:chat>/live/", views.chat_live, name="chat_live"),
    path(
        "c/<slug:slug>/chats/<slug:chat>/export.<str:kind>",
        views.chat_export,
        name="chat_export",
    ),
]

endpoints = [
    path("c/<slug:slug>/api/chats/<slug:chat>/live", views.api_chat_live, name="chat_live"),
]
