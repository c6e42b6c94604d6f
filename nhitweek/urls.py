"""Site URLs: campaign pages, auth, health and the Django admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health

admin.site.site_header = "nhitweek administration"
admin.site.site_title = "nhitweek admin"

urlpatterns = [
    path("", include("campaigns.urls")),
    path("", include("campaigns.urls_api")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", health.health, name="health"),
    path("admin/", admin.site.urls),
]
