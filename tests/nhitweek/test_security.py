"""Security headers and CSRF: every page carries a script-tight CSP, every POST form a token.

This module is also a tiny test-only URLconf: an embeddable view shows the documented way for
one view (the future wall) to relax frame-ancestors and X-Frame-Options, and a "partner page"
frames it from another origin in tests/browser/test_csp.py.
"""

from __future__ import annotations

import re
import secrets
from html.parser import HTMLParser
from pathlib import Path

import pytest
from csp.decorators import csp_exempt, csp_update
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.clickjacking import xframe_options_exempt

from nhitweek.urls import urlpatterns as site_urlpatterns
from tests.conftest import PASSWORD
from tests.nhitweek.test_settings import _production_env, _run

ROOT = Path(__file__).resolve().parents[2]
PARTNER_ORIGIN = "http://127.0.0.1:*"  # the live server's other host name stands in for a partner


# --- Test-only views: the recipe settings/base.py documents for an embeddable page ------------
@xframe_options_exempt
@csp_update({"frame-ancestors": [PARTNER_ORIGIN]})
def embeddable(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>wall</title><h1 id='embedded'>Wall</h1>")


@csp_exempt()
def partner_page(request: HttpRequest) -> HttpResponse:
    """Stands in for a partner's site: frames each ?src= URL (it is not ours, so no CSP)."""
    frames = format_html_join(
        "", '<iframe id="frame{}" src="{}"></iframe>', enumerate(request.GET.getlist("src"))
    )
    return HttpResponse(format_html("<!doctype html><title>partner</title>{}", frames))


urlpatterns = [
    path("_test/embeddable/", embeddable),
    path("_test/partner/", partner_page),
    *site_urlpatterns,
]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def pages(public_campaign, admin_user) -> dict[str, tuple[str, object]]:
    """Page name -> (path, the user to sign in first or None)."""
    return {
        "campaign-list": ("/", None),
        "campaign-page": (public_campaign.get_absolute_url(), None),
        "login": ("/login/", None),
        "admin-login": ("/admin/login/", None),
        "admin-index": ("/admin/", admin_user),
        "admin-campaign-change": (
            f"/admin/campaigns/campaign/{public_campaign.pk}/change/",
            admin_user,
        ),
        "health": ("/health/", None),
        "not-found": ("/no-such-page/", None),
    }


PAGE_NAMES = [
    "campaign-list",
    "campaign-page",
    "login",
    "admin-login",
    "admin-index",
    "admin-campaign-change",
    "health",
    "not-found",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_carries_a_policy_that_allows_only_our_own_scripts(client, pages, name):
    url, user = pages[name]
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code in {200, 404, 503}, response.status_code
    policy = csp_directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "script-src-attr" not in policy and "script-src-elem" not in policy
    for directive, sources in policy.items():
        assert "'unsafe-eval'" not in sources, directive
        assert "'unsafe-hashes'" not in sources, directive
        assert "'unsafe-inline'" not in sources, directive
    # Not even style attributes: the hashtag colours are set from our script.
    assert "style-src-attr" not in policy
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    # No remote image is ever loaded (avatars are initials), so none may be.
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["report-uri"] == [reverse("csp_report")]
    assert policy["report-to"] == ["csp-endpoint"]
    assert response["Reporting-Endpoints"] == f'csp-endpoint="{reverse("csp_report")}"'


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["campaign-list", "login", "admin-index", "health"])
def test_every_page_carries_the_other_security_headers(client, pages, name):
    url, user = pages[name]
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


class _Forms(HTMLParser):
    """Collects each <form method=post> with the names of the inputs inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.post_forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action"), "inputs": set()}
            self.post_forms.append(self._current)
        elif tag == "input" and self._current is not None:
            self._current["inputs"].add(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _post_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.post_forms


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["campaign-list", "campaign-page", "admin-campaign-change"])
def test_every_post_form_a_signed_in_user_sees_carries_a_csrf_token(
    client, pages, admin_user, name
):
    client.force_login(admin_user)
    forms = _post_forms(client.get(pages[name][0]).content.decode())
    assert forms, "a signed-in page has at least the log-out form"
    for form in forms:
        assert "csrfmiddlewaretoken" in form["inputs"], form["action"]


@pytest.mark.django_db
def test_the_login_form_carries_a_csrf_token(client):
    forms = _post_forms(client.get("/login/").content.decode())
    assert [form["action"] for form in forms] == ["/login/"]
    assert "csrfmiddlewaretoken" in forms[0]["inputs"]


_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
_TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]


def _templates() -> list[Path]:
    return sorted(p for folder in _TEMPLATE_DIRS for p in folder.rglob("*.html"))


def test_every_post_form_in_our_templates_has_a_csrf_token():
    """Catches a form on a page no test renders yet (a new view, a new template)."""
    missing = []
    for template in _templates():
        for form in _FORM.findall(template.read_text()):
            opening = form.split(">", 1)[0].lower()
            if re.search(r"method\s*=\s*[\"']?post", opening) and "{% csrf_token %}" not in form:
                missing.append(f"{template.relative_to(ROOT)}: {opening}>")
    assert missing == []


def test_our_templates_hold_no_inline_script_or_handlers():
    """The policy would block them in the browser; catching them here names the template."""
    inline = re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
        r"|<[a-z][^>]*\son[a-z]+\s*=|javascript:|<style\b",
        re.I,
    )
    found = [
        f"{template.relative_to(ROOT)}: {match.group(0).strip()}"
        for template in _templates()
        for match in inline.finditer(template.read_text())
    ]
    assert found == []


@pytest.mark.django_db
def test_a_login_post_without_a_csrf_token_is_refused(organizer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": organizer.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_login_post_with_the_csrf_token_signs_in(organizer):
    """The refusal above is the token's doing, not a broken form."""
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/login/",
        {"username": organizer.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(organizer.pk)


@pytest.mark.django_db
@pytest.mark.urls("tests.nhitweek.test_security")
def test_a_view_can_allow_framing_by_a_partner_without_loosening_other_pages(client):
    response = client.get("/_test/embeddable/")
    assert "X-Frame-Options" not in response
    policy = csp_directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'", PARTNER_ORIGIN]
    assert policy["script-src"] == ["'self'"]
    other = client.get("/login/")
    assert other["X-Frame-Options"] == "DENY"
    assert csp_directives(other["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]


_PRINT_POLICY = (
    "import django; django.setup(); from csp.utils import build_policy; print(build_policy())"
)


@pytest.mark.parametrize(("redirect", "upgrades"), [("true", True), ("false", False)])
def test_production_upgrades_insecure_requests_only_when_it_serves_https(
    tmp_path, redirect, upgrades
):
    env = _production_env(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="nhitweek.example.org",
        SECURE_SSL_REDIRECT=redirect,
    )
    result = _run(["-c", _PRINT_POLICY], env)
    assert result.returncode == 0, result.stderr
    policy = csp_directives(result.stdout.strip())
    assert ("upgrade-insecure-requests" in policy) is upgrades
    assert policy["script-src"] == ["'self'"]


def test_pages_say_they_use_no_camera_microphone_or_location(client, db):
    policy = client.get("/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy
