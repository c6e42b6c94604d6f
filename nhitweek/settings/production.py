"""Production: refuses to start without SECRET_KEY; passes `manage.py check --deploy`."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CONTENT_SECURITY_POLICY
from .env import env_bool, env_int, env_list, env_str

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production refuses to start without one; generate it with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` and export SECRET_KEY."
    )
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY is too short or too simple: use 50+ random characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list this site's host names (no '*').")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS everywhere; a proxy in front terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The compose health check calls /health/ over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Secure cookies whenever the site is served over HTTPS. A plain-HTTP deployment (the compose
# default, SECURE_SSL_REDIRECT=false) gets cookies the browser sends back, or nobody could log
# in; SECURE_COOKIES=true keeps them Secure where a TLS proxy in front does not redirect.
SECURE_COOKIES = env_bool("SECURE_COOKIES", SECURE_SSL_REDIRECT)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES

# --- Security headers: production additions to the policy in base.py -------------------------
# Behind HTTPS, have browsers fetch an http:// avatar or media URL over https rather than drop
# it. Only then: docker-compose serves this over plain HTTP (SECURE_SSL_REDIRECT=false), where
# upgrading would send our own /static/ requests to an https port that does not exist.
if SECURE_SSL_REDIRECT:
    CONTENT_SECURITY_POLICY = {
        **CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True},
    }

# --- Error reporting: only with SENTRY_DSN (nhitweek/sentry.py says what is never sent) -------
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from nhitweek.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT"),
        release=env_str("SENTRY_RELEASE"),
    )
