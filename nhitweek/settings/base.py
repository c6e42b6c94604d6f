"""Settings shared by every mode; each value comes from the environment or a safe default.

With no environment at all this is the embedded default: SQLite under var/, a Celery broker
on kombu's filesystem transport under var/, and a local-memory cache. DATABASE_URL and
REDIS_URL switch to PostgreSQL and Redis.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from dj_database_url import DBConfig

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("NHITWEEK_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "nhitweek.admin_site.SiteAdminConfig",  # django.contrib.admin, lookups guarded
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "csp",
    "axes",
    "hashtags",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "nhitweek.middleware.permissions_policy",
    "nhitweek.middleware.reporting_endpoints",  # before CSP: sees the policy on the way out
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # after WhiteNoise: pages get the policy, static files not
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "nhitweek.urls"
WSGI_APPLICATION = "nhitweek.wsgi.application"
ASGI_APPLICATION = "nhitweek.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campaigns.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")


def without_jit(database: DBConfig) -> DBConfig:
    """PostgreSQL's JIT compiles a query's expressions when its estimated cost is high. The
    dashboard's reads are many short index reads whose cost the planner overestimates: the
    compiling took ~7-10 ms of queries that run in 1-30 ms, and nothing here runs long enough
    to win it back (ingestion's batches neither), so the app's connections turn it off."""
    if "postgresql" in database.get("ENGINE", ""):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return database


# Any: dj_database_url's DBConfig (a TypedDict) and the plain dict below both fit.
DATABASES: dict[str, Any]
if DATABASE_URL:
    DATABASES = {"default": without_jit(dj_database_url.parse(DATABASE_URL, conn_max_age=60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "nhitweek.sqlite3",
            # Web, worker and beat share the file: wait for locks and take them up front.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker -------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "nhitweek"),
        }
    }
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    BROKER_DIR = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }

# --- Celery (see nhitweek/celery.py) ----------------------------------------------------------
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEARTBEAT_INTERVAL_SECONDS = env_int("HEARTBEAT_INTERVAL_SECONDS", 30)
POLL_SCHEDULER_SECONDS = env_int("POLL_SCHEDULER_SECONDS", 5)
POLL_LEAD_IN_MINUTES = env_int("POLL_LEAD_IN_MINUTES", 60)  # poll this long before a start
POLL_TAIL_MINUTES = env_int("POLL_TAIL_MINUTES", 24 * 60)  # and this long after an end
POLL_MAX_PAGES = env_int("POLL_MAX_PAGES", 20)  # per poll; the rest comes next poll
# A killed poll frees its source after this long. 200 is what always ran: polling.py also
# spelled a fallback of 300, which was never used because this setting always exists.
POLL_LEASE_SECONDS = env_int("POLL_LEASE_SECONDS", 200)
POLL_MAX_BACKOFF_SECONDS = env_int("POLL_MAX_BACKOFF_SECONDS", 1800)
DEMO_SEED = env_str("DEMO_SEED", "nhitweek")
# Engagement goes stale: refresh the top posts of campaigns in their window. X is left out by
# default because every post looked up counts against its monthly cap (add "x" to opt in).
METRICS_REFRESH_TOP = env_int("METRICS_REFRESH_TOP", 200)
METRICS_REFRESH_MIN_AGE_MINUTES = env_int("METRICS_REFRESH_MIN_AGE_MINUTES", 15)
METRICS_REFRESH_PLATFORMS = env_list("METRICS_REFRESH_PLATFORMS", ["mastodon", "bluesky", "demo"])
METRICS_REFRESH_SCHEDULER_SECONDS = env_int("METRICS_REFRESH_SCHEDULER_SECONDS", 300)
# A curator-queue text search is stopped after this long (campaigns.curation.queue).
QUEUE_SEARCH_TIMEOUT_MS = env_int("QUEUE_SEARCH_TIMEOUT_MS", 5000)
# How often an open curator queue asks what arrived since it was opened (seconds).
QUEUE_NEWS_SECONDS = env_int("QUEUE_NEWS_SECONDS", 15)
# The longest archive record import_posts reads (a line; csv: a row, in characters); a longer
# one is skipped without being read whole (hashtags.archive.bounded).
ARCHIVE_RECORD_MAX_BYTES = env_int("ARCHIVE_RECORD_MAX_BYTES", 10 * 1024 * 1024)
# Statuses of other Mastodon servers refreshed per refresh run (hashtags.sources.mastodon_remote).
MASTODON_REMOTE_LOOKUP_MAX = env_int("MASTODON_REMOTE_LOOKUP_MAX", 40)
# How long a worker reuses a Bluesky author's follower count (hashtags.sources.bluesky_profiles).
BLUESKY_PROFILE_TTL_SECONDS = env_int("BLUESKY_PROFILE_TTL_SECONDS", 6 * 3600)
# Dashboard windows of up to this many posts count unique authors and reach live; bigger ones
# read the snapshot beat recomputes every DASHBOARD_SNAPSHOT_SECONDS (campaigns/snapshots.py).
DASHBOARD_EXACT_AUTHORS_MAX = env_int("DASHBOARD_EXACT_AUTHORS_MAX", 3000)
# Snapshots of big custom windows kept per campaign (any visitor can ask for a new window);
# the oldest go first, when one is stored and at every snapshot refresh.
DASHBOARD_CUSTOM_SNAPSHOTS_MAX = env_int("DASHBOARD_CUSTOM_SNAPSHOTS_MAX", 20)
CELERY_BEAT_SCHEDULE = {
    "schedule-polls": {
        "task": "campaigns.schedule_polls",
        "schedule": POLL_SCHEDULER_SECONDS,
    },
    "schedule-metrics-refresh": {
        "task": "campaigns.schedule_metrics_refresh",
        "schedule": METRICS_REFRESH_SCHEDULER_SECONDS,
    },
    "worker-heartbeat": {
        "task": "hashtags.heartbeat",
        "schedule": HEARTBEAT_INTERVAL_SECONDS,
    },
    # Unique authors, reach and contributors of windows too big to count on each request.
    "refresh-dashboard-snapshots": {
        "task": "campaigns.refresh_snapshots",
        "schedule": env_int("DASHBOARD_SNAPSHOT_SECONDS", 60),
    },
    # Chats being collected are read again when their posts changed (campaigns/chats/reading.py).
    "refresh-chats": {
        "task": "campaigns.refresh_chats",
        "schedule": env_int("CHAT_REFRESH_SECONDS", 30),
    },
}
# Beat writes these entries over their database rows at every start, so the admin shows them
# read-only and names the variable that sets each interval (campaigns/admin/schedules.py).
CELERY_BEAT_SCHEDULE_ENV = {
    "schedule-polls": "POLL_SCHEDULER_SECONDS",
    "schedule-metrics-refresh": "METRICS_REFRESH_SCHEDULER_SECONDS",
    "worker-heartbeat": "HEARTBEAT_INTERVAL_SECONDS",
    "refresh-dashboard-snapshots": "DASHBOARD_SNAPSHOT_SECONDS",
    "refresh-chats": "CHAT_REFRESH_SECONDS",
}

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# axes' backend goes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "campaigns:list"
LOGOUT_REDIRECT_URL = "campaigns:list"

# --- Login throttling (django-axes): /login/ and /admin/login/ ------------------------------
# Failures count per username (from any address) and per client address (for any username),
# so LOGIN_FAILURE_LIMIT wrong passwords lock the account everywhere and the address for every
# account: guessing one password from many addresses and many passwords from one both stop.
# A lock lasts LOGIN_COOLOFF_MINUTES after the failure that set it; an admin lifts it early
# with `manage.py axes_reset_username USER`.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"  # the login forms' field, which attempted_username reads
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30))
# Attempts while locked are refused unrecorded: recording them would append each request's
# data to the attempt's row without bound, so a bot hammering a lock would flood the database.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # a right password (when not locked) forgets earlier typos
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # survives a cache outage
AXES_CLIENT_IP_CALLABLE = "nhitweek.clients.client_address"
AXES_USERNAME_CALLABLE = "nhitweek.logins.attempted_username"
AXES_LOCKOUT_CALLABLE = "nhitweek.logins.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429

# --- Internationalization ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security headers: Content-Security-Policy and friends -----------------------------------
# Every page gets a CSP (django-csp 4). Scripts come only from our own static files: no inline
# <script>, no on*= handlers, no eval; third-party JS (Chart.js, htmx) is served from static/
# too. A view that must differ relaxes its own policy with django-csp's decorators, e.g. the
# embeddable wall:
#     @xframe_options_exempt                                     # drop X-Frame-Options
#     @csp_update({"frame-ancestors": ["https://partner.example"]})  # adds to 'self'
# (csp_replace swaps a directive wholesale; csp_exempt() drops the header; never on a page that
# renders posts.) tests/test_security.py checks both the policy and that recipe.
_SELF = "'self'"
CONTENT_SECURITY_POLICY: dict[str, Any] = {  # csp.utils.DIRECTIVES_T
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        # No style="..." either: the campaign colours are set by static/js/tag-colors.js.
        # No remote image (avatars show as initials) until a media proxy serves them from here.
        "img-src": [_SELF, "data:"],
        "connect-src": [_SELF],
        "font-src": [_SELF],
        "object-src": ["'none'"],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_SELF],
        # Violations are posted to nhitweek.csp_reports and logged; report-to names the
        # Reporting-Endpoints entry nhitweek.middleware adds, report-uri serves older browsers.
        "report-uri": ["/csp-report/"],
        "report-to": "csp-endpoint",
    },
}
CSP_REPORT_MAX_BYTES = env_int("CSP_REPORT_MAX_BYTES", 8 * 1024)  # a bigger body answers 413
CSP_REPORT_RATE_LIMIT = env_int("CSP_REPORT_RATE_LIMIT", 20)  # reports per client per minute
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Browsers that know CSP obey frame-ancestors above and ignore this; older ones get DENY, which
# is also what `check --deploy` wants (security.W019).
X_FRAME_OPTIONS = "DENY"

# --- #IHeartHIT stories: spam protection ----------------------------------------------------
STORIES_MIN_FILL_SECONDS = env_int("STORIES_MIN_FILL_SECONDS", 3)
STORIES_RATE_LIMIT = env_int("STORIES_RATE_LIMIT", 5)  # stories per client per window
STORIES_RATE_WINDOW_SECONDS = env_int("STORIES_RATE_WINDOW_SECONDS", 3600)
# How long an opened story form may still be sent (each form is taken once), and how long the
# same story (campaign, e-mail, text) is refused as a duplicate.
STORIES_FORM_MAX_AGE_SECONDS = env_int("STORIES_FORM_MAX_AGE_SECONDS", 2 * 3600)
STORIES_DUPLICATE_WINDOW_SECONDS = env_int("STORIES_DUPLICATE_WINDOW_SECONDS", 24 * 3600)
# Behind a proxy, the visitor's address is in a header the proxy sets (HTTP_X_FORWARDED_FOR);
# trust it only there, or visitors could pick their own address and dodge the limits. Read by
# nhitweek.clients for the story form's limit, the login lockout and the CSP report limit.
CLIENT_ADDRESS_HEADER = env_str("CLIENT_ADDRESS_HEADER", "")

# --- Platform credentials: only ever from the environment, never logged -----------------------
X_BEARER_TOKEN = env_str("X_BEARER_TOKEN")
MASTODON_ACCESS_TOKEN = env_str("MASTODON_ACCESS_TOKEN")
BLUESKY_HANDLE = env_str("BLUESKY_HANDLE")
BLUESKY_APP_PASSWORD = env_str("BLUESKY_APP_PASSWORD")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # tweepy and the HTTP stacks log request headers (bearer tokens) at DEBUG.
        "tweepy": {"level": "INFO"},
        "urllib3": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
