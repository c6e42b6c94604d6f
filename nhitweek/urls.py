"""Site URLs: one URL module per feature, then auth, health, CSP reports and the Django admin.

Feature pages share the namespace "campaigns" and their JSON the namespace "api" (both are in
templates, scripts and bookmarks), so each feature's module lists `pages` and `endpoints` and
they are joined here under the two namespaces.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from campaigns.accounts import urls as accounts
from campaigns.chats import urls as chats
from campaigns.curation import urls as curation
from campaigns.dashboard import urls as dashboard
from campaigns.home import urls as home
from campaigns.stories import urls as stories
from campaigns.wall import urls as wall

from . import csp_reports, health

admin.site.site_header = "nhitweek administration"
admin.site.site_title = "nhitweek admin"

pages = [
    *home.pages,
    *stories.pages,
    *dashboard.pages,
    *curation.pages,
    *wall.pages,
    *chats.pages,
    *accounts.pages,
]
endpoints = [*dashboard.endpoints, *wall.endpoints, *chats.endpoints]

urlpatterns = [
    path("", include((pages, "campaigns"))),
    path("", include((endpoints, "api"))),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", health.health, name="health"),
    path("csp-report/", csp_reports.csp_report, name="csp_report"),
    path("admin/", admin.site.urls),
]
