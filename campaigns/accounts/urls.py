"""Account-list pages (namespace "campaigns"); lists belong to no campaign, so they live under
/accounts/. The new-list form comes first: "new" would otherwise be read as a list's slug
(account_list_upsert refuses it as one)."""

from django.urls import path

from campaigns.accounts import views

pages = [
    path("accounts/", views.account_lists, name="account_lists"),
    path("accounts/new/", views.account_list_new, name="account_list_new"),
    path("accounts/<slug:slug>/", views.account_list_detail, name="account_list_detail"),
    path("accounts/<slug:slug>/edit/", views.account_list_edit, name="account_list_edit"),
    path("accounts/<slug:slug>/import/", views.account_list_import, name="account_list_import"),
]
