"""Chat pages (namespace "campaigns"): the organizers' new-chat and edit forms."""

from django.urls import path

from campaigns.chats import editing

pages = [
    path("c/<slug:slug>/chats/new/", editing.chat_new, name="chat_new"),
    path("c/<slug:slug>/chats/<slug:chat>/edit/", editing.chat_edit, name="chat_edit"),
]
