"""Settings for artworx: every knob comes from the environment, defaults are safe for production."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for a local run).")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "artworx.apps.ArtworxAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for the project's form renderer (artworx.rendering)
    "django_filters",
    "phonenumber_field",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    # --- Sign-in (allauth): begin ---
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    # --- Sign-in (allauth): end ---
    "artworx.apps.ArtworxConfig",
    "notifications.apps.NotificationsConfig",
    "sites.apps.SitesConfig",
    "students.apps.StudentsConfig",
    "programs.apps.ProgramsConfig",
    "families.apps.FamiliesConfig",
    "alumni.apps.AlumniConfig",
    "reports.apps.ReportsConfig",
    "retention.apps.RetentionConfig",
]
# The demo and benchmark seeds create users with a published password: never in production.
ARTWORX_DEVTOOLS = DEBUG or env_bool("ARTWORX_DEVTOOLS")
if ARTWORX_DEVTOOLS:
    INSTALLED_APPS.append("devtools.apps.DevtoolsConfig")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "artworx.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",  # sign-in (allauth)
    "artworx.middleware.RolesMiddleware",  # the user's roles from the cache, before any rule asks
    "artworx.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sign-in: Administrators, Program staff and Counselors reach nothing until a second factor is set.
    "artworx.signin.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "artworx.context_processors.roles",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# The embedded default is a SQLite file; production and CI set DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",  # empty: unset
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS"),
    )
}
# CONN_HEALTH_CHECKS is off by default (issue #22): it costs every request a `SELECT 1` round trip
# before its first query, to catch a persistent connection that died while idle. In this deployment
# the web processes reach PostgreSQL directly (loopback or the private network, no pooler or firewall
# cutting idle connections), and a connection is kept at most CONN_MAX_AGE (60 s), so one dies only
# when PostgreSQL restarts or fails over. Then the request that meets the dead connection answers the
# "try again in a moment" 503 (artworx.middleware.DatabaseUnavailableMiddleware), Django drops the
# connection at the end of that request (it checks connections that raised errors), and the next
# request opens a new one — the same page people get during the outage itself (tests/faults,
# test_postgres_restart). Turn it on (CONN_HEALTH_CHECKS=true) behind PgBouncer or a network
# that drops idle connections, where a dead connection would be met daily rather than at a restart.
# A lock held longer than this (a stuck transaction, a forgotten psql session) makes the waiting
# request fail with a "try again" page (artworx.middleware) instead of holding its worker for good.
ARTWORX_LOCK_TIMEOUT_MS = int(os.environ.get("ARTWORX_LOCK_TIMEOUT_MS", "10000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation off: the app's queries are short, and compiling them cost the dashboard 60-70 ms on
    # its larger aggregates (measured at scale 1, issue #22) for no gain.
    # Random reads priced as what they are here, reads from memory or SSD (1.1; PostgreSQL's default of 4
    # prices a spinning disk): with the default, the planner read all 24,000 sessions to join a cohort's
    # 825 marks to their days (5.3 ms) rather than look each up by key (1.2 ms), on every cohort and
    # student page (scale 1, issue #22). ARTWORX_RANDOM_PAGE_COST sets it for a server on spinning disks.
    random_page_cost = float(os.environ.get("ARTWORX_RANDOM_PAGE_COST", "1.1"))
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={ARTWORX_LOCK_TIMEOUT_MS} -c jit=off -c random_page_cost={random_page_cost}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores SELECT ... FOR UPDATE; taking the write lock at BEGIN serialises the
    # count-then-insert of the capacity services there too.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "artworx.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user or address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "artworx.backends.AdminConsoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Mobile numbers (artworx.phones): read as US numbers, stored in E.164, shown as (323) 555-0199.
PHONENUMBER_DEFAULT_REGION = "US"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# WhiteNoise serves static files from the app itself (no CDN); locally it reads them where they live.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Forms and fields in Bootstrap's markup from the project's templates/forms/ (artworx.rendering).
FORM_RENDERER = "artworx.rendering.FormRenderer"

# Security: safe unless DEBUG is on (the local embedded run).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))  # one working day
# Shared classroom computers: closing the browser ends the session, whatever is left of the day.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): every script and stylesheet is a file served by the app,
# so no inline script or style attribute runs, whatever a stored value contains.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
    }
}

# --- Sign-in: lockout, allauth, second factor, single sign-on: begin ---
# The client's address: REMOTE_ADDR, or, behind ARTWORX_TRUSTED_PROXIES proxies (the load balancer),
# the address the outermost of them saw in X-Forwarded-For (artworx.signin.addresses). Entries a
# client writes itself are never read. Both the lockout and allauth's rate limits use it.
ARTWORX_TRUSTED_PROXIES = int(os.environ.get("ARTWORX_TRUSTED_PROXIES", "0"))

# Login lockout (django-axes) throttles the attacker, not the victim: AXES_FAILURE_LIMIT wrong
# passwords for one username from one address lock that pair only (the person still signs in from
# their own address), and ARTWORX_LOCKOUT_ADDRESS_LIMIT failures from one address, whatever the
# usernames, lock the address (one typo each from a school's teachers behind one NAT does not).
# Each lock lasts AXES_COOLOFF_MINUTES from the last failure; the 429 page says until when.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
ARTWORX_LOCKOUT_ADDRESS_LIMIT = int(os.environ.get("ARTWORX_LOCKOUT_ADDRESS_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "artworx.signin.lockout.PairAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "artworx.signin.addresses.client_address"
AXES_USERNAME_CALLABLE = "artworx.signin.lockout.attempted_username"
AXES_LOCKOUT_CALLABLE = "artworx.signin.lockout.locked_out"
AXES_RESET_ON_SUCCESS = True
# Tries during a lock do not push its end further: the time the page gives stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# allauth: username and password as before, reset by email, no sign-up (administrators make
# accounts), single sign-on only for accounts that exist (artworx.signin.adapters).
ACCOUNT_ADAPTER = "artworx.signin.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "artworx.signin.adapters.SocialAccountAdapter"
MFA_ADAPTER = "artworx.signin.adapters.SecondFactorAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False  # the user table's own email field; no allauth email management
# Shared classroom computers: no "remember me", the session ends with the browser.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # after a reset, sign in again (and pass the second factor)
# A reset asked for an unknown address answers like any other and sends nothing anywhere.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"  # links in the reset email
ACCOUNT_EMAIL_SUBJECT_PREFIX = "artworx: "
# A reset link works once (it is bound to the password it replaces) and for this long.
PASSWORD_RESET_TIMEOUT = 60 * int(os.environ.get("ARTWORX_PASSWORD_RESET_MINUTES", "60"))
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords are counted by django-axes per (username, address) and per address; allauth's
    # username-wide count of them, which would lock a person out from everywhere, is not consulted
    # (artworx.signin.adapters.AccountAdapter.pre_authenticate). "login_failed" then limits wrong
    # authenticator and recovery codes: 5 per person in 5 minutes, after a right password only.
    "login_failed": os.environ.get("ARTWORX_RATE_SECOND_FACTOR", "10/m/ip,5/5m/key"),
    # Every sign-in, right or wrong, from one address: a whole school signs in behind one NAT.
    "login": False,
    # A stolen session cannot guess the current password quickly.
    "change_password": os.environ.get("ARTWORX_RATE_CHANGE_PASSWORD", "5/m/user,20/h/user"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
}
SOCIALACCOUNT_LOGIN_ON_GET = False  # the SSO buttons are forms (POST), so no link starts a login
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching by email is artworx.signin.adapters' own rule
SOCIALACCOUNT_QUERY_EMAIL = True
# Single sign-on: each provider is on only when its client id, secret and server URL are set.
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
for _provider_id, _name, _default_server in (
    ("google", "Google Workspace", "https://accounts.google.com"),
    ("microsoft", "Microsoft", ""),  # tenant-specific: https://login.microsoftonline.com/<tenant>/v2.0
):
    _prefix = f"ARTWORX_SSO_{_provider_id.upper()}_"
    _client_id = os.environ.get(_prefix + "CLIENT_ID", "")
    _secret = os.environ.get(_prefix + "CLIENT_SECRET", "")
    _server = os.environ.get(_prefix + "SERVER_URL", _default_server)
    if _client_id and _secret and _server:
        SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
            {
                "provider_id": _provider_id,
                "name": _name,
                "client_id": _client_id,
                "secret": _secret,
                "settings": {"server_url": _server},
            }
        )
# Second factor: an authenticator app (TOTP) with recovery codes; required for these roles.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("ARTWORX_MFA_ISSUER", "artworx")
MFA_RECOVERY_CODE_COUNT = 10
ARTWORX_MFA_REQUIRED_ROLES = ("Administrator", "Program staff", "Counselor")
# TOTP secrets and the recovery-code seed are stored encrypted with this key (by default derived
# from SECRET_KEY: rotating SECRET_KEY then means setting up the authenticator app again).
ARTWORX_MFA_KEY = os.environ.get("ARTWORX_MFA_KEY", "")
# --- Sign-in: end ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "artworx.log_filters.RefusalWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["refusal_without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint (the printable agreement) reports each step of every PDF at INFO: warnings only.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}

# The programme's rules, as settings (DESIGN.md "Rules the system guarantees").
ARTWORX_MAX_SITE_CAPACITY = 50
ARTWORX_MAX_CASELOAD = int(os.environ.get("ARTWORX_MAX_CASELOAD", "25"))
ARTWORX_CONTRACT_DAYS = int(os.environ.get("ARTWORX_CONTRACT_DAYS", "80"))
ARTWORX_GRADUATION_CREDITS = int(os.environ.get("ARTWORX_GRADUATION_CREDITS", "210"))
ARTWORX_MAX_COURSE_CREDITS = int(os.environ.get("ARTWORX_MAX_COURSE_CREDITS", "10"))
ARTWORX_MAX_CONTRACT_EXTENSION = int(os.environ.get("ARTWORX_MAX_CONTRACT_EXTENSION", "40"))
# The written agreement (EC 51747): a guardian signs for a student under this age; a signing link sent
# to a student or guardian works for this many seconds (14 days) and once. The board policy's numbers
# (longest time to a due date, missed assignments that open a review, re-engagement) are data:
# students.models.IndependentStudyPolicy, edited in the admin console.
ARTWORX_AGE_OF_MAJORITY = int(os.environ.get("ARTWORX_AGE_OF_MAJORITY", "18"))
ARTWORX_SIGNATURE_LINK_MAX_AGE = int(os.environ.get("ARTWORX_SIGNATURE_LINK_MAX_AGE", str(14 * 24 * 3600)))
# A continuation school's instructional day is 180 minutes (EC 46170): time values entered in hours are
# credited as days of this length.
ARTWORX_DAY_MINUTES = int(os.environ.get("ARTWORX_DAY_MINUTES", "180"))
# A missed-work review left undecided this many days after it opened counts as overdue on the dashboard.
ARTWORX_REVIEW_DAYS = int(os.environ.get("ARTWORX_REVIEW_DAYS", "5"))
# Contract pace (rule 7): how far, in percentage points, credits done may trail the share of
# instructional days elapsed before a contract reads "behind", and then "at risk".
ARTWORX_PACE_BEHIND_POINTS = int(os.environ.get("ARTWORX_PACE_BEHIND_POINTS", "10"))
ARTWORX_PACE_AT_RISK_POINTS = int(os.environ.get("ARTWORX_PACE_AT_RISK_POINTS", "25"))
# Arts programs (rules 8–10).
ARTWORX_MAX_COHORT_SIZE = 25
ARTWORX_ARTIST_EDIT_DAYS = int(os.environ.get("ARTWORX_ARTIST_EDIT_DAYS", "7"))
# Rule 10's thresholds (chronic absence 10 % of at least 10 sessions, 3 absences in a row) are
# edited by program staff in the admin console: programs.models.AbsenceThresholds.
# The embedded default (SQLite, `make run`) has no Celery worker: long jobs such as a roster import
# run in the request there. With PostgreSQL they go to the worker.
ARTWORX_RUN_TASKS_INLINE = env_bool(
    "ARTWORX_RUN_TASKS_INLINE", DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
)
# Alumni check-ins: monthly for the first year after graduation, quarterly after that.
ARTWORX_ALUMNI_FIRST_YEAR_DAYS = int(os.environ.get("ARTWORX_ALUMNI_FIRST_YEAR_DAYS", "30"))
ARTWORX_ALUMNI_LATER_DAYS = int(os.environ.get("ARTWORX_ALUMNI_LATER_DAYS", "91"))

# --- Uploads (issue #16): files people upload are checked before they are read (artworx.uploads) ---
# The largest file accepted, counted while the request body streams in; a 5,000-student roster is
# well under the default 2 MB. Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count file fields.
ARTWORX_UPLOAD_MAX_BYTES = int(os.environ.get("ARTWORX_UPLOAD_MAX_BYTES", str(2 * 1024 * 1024)))
# Wall-clock seconds a file may take to read before it is refused; a 5,000-row workbook takes about
# 1.6 s on the project's 2-core machine.
ARTWORX_UPLOAD_READ_SECONDS = float(os.environ.get("ARTWORX_UPLOAD_READ_SECONDS", "5"))
# --- end of uploads ---

# Email: the console locally, SMTP in production. Delivery runs in Celery workers (or
# `manage.py send_reminders`), never in a web request, so a slow mail server holds up no page.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "artworx <no-reply@artworx.example>")
# Links in emails are absolute: the address people reach the app at.
ARTWORX_BASE_URL = os.environ.get("ARTWORX_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Celery with Redis as broker (DESIGN.md "Reminders"). Beat runs state-based sweeps; no task is
# scheduled far ahead (an ETA past Redis' visibility timeout runs twice, celery#2599).
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"  # empty: unset
CELERY_BROKER_URL = REDIS_URL

# One cache shared by every web process and worker (the dashboard, the referral funnel): Redis when
# REDIS_URL is set, in a database of its own (REDIS_CACHE_URL, by default the broker's server, database
# 1) so that clearing it never touches the broker's queue. A Redis that is down or slow makes the cache
# miss, never a page fail. Local memory in the embedded default.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ.get("REDIS_CACHE_URL", urlsplit(REDIS_URL)._replace(path="/1").geturl()),
            "KEY_PREFIX": "artworx",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
        }
    }
    # Sessions read from Redis, written through to the database (issue #22): a signed-in page no longer
    # queries the session table, and a flushed or restarted Redis signs no one out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A Redis that accepts connections but never answers would otherwise hold a publisher for a minute.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
    "visibility_timeout": 3600,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 4
# Publishers (sweeps, commands) give up after a few quick tries; the rows stay pending and the
# next sweep queues them again. Workers wait out an outage instead (config.celery).
CELERY_BROKER_CONNECTION_MAX_RETRIES = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Tasks are idempotent (DESIGN.md rule 11), so a message is acknowledged only once its task finished,
# and a worker killed mid-task gives its message back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# A notification claimed this long ago and still "sending" belongs to a worker that died: the sweep
# puts it back to pending. Longer than a task may run (CELERY_TASK_TIME_LIMIT), so a slow but living
# worker is never doubled.
ARTWORX_NOTIFICATION_STUCK_SECONDS = int(os.environ.get("ARTWORX_NOTIFICATION_STUCK_SECONDS", str(15 * 60)))

# Text messages to families (families app) through Twilio's Messaging API. Without an account, token
# and a sending number or messaging service, texts are written to the console and to the student's
# thread marked "not sent". The webhooks (status callbacks, inbound texts) check Twilio's signature
# with the auth token against ARTWORX_BASE_URL + the path, and refuse anything else with 403.
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
# Another address for Twilio's REST API (a recording proxy, the tests' local server); empty: Twilio's own.
TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "").rstrip("/")
TWILIO_TIMEOUT_SECONDS = float(os.environ.get("TWILIO_TIMEOUT_SECONDS", "10"))
# No text between these hours (America/Los_Angeles): a text due then waits until the end.
ARTWORX_QUIET_HOURS_START = int(os.environ.get("ARTWORX_QUIET_HOURS_START", "20"))
ARTWORX_QUIET_HOURS_END = int(os.environ.get("ARTWORX_QUIET_HOURS_END", "8"))
# Families are told of unexcused absences the same school day; also of excused ones when set.
ARTWORX_FAMILY_TEXT_EXCUSED = env_bool("ARTWORX_FAMILY_TEXT_EXCUSED")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-reminders": {
        "task": "artworx.notifications.tasks.sweep_reminders",
        "schedule": crontab(minute="*/15"),  # on the quarter hour, America/Los_Angeles
        # A sweep still queued when the next one is due is dropped: the next one does its work.
        "options": {"expires": 14 * 60},
    },
    # Every minute, cheap: stuck and lost deliveries go out again within a minute or two of recovery.
    "requeue-deliveries": {
        "task": "notifications.tasks.requeue_deliveries",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
# Beat logs a broker outage and ticks again a few seconds later instead of exiting (config.celery).
CELERY_BEAT_SCHEDULER = "config.celery:OutageProofScheduler"

# --- Access (issue #16: no-store, read audit) -----------------------------------------------------
# No page or download kept by the browser on a shared classroom computer; below WhiteNoise, so static
# files keep their long cache headers (artworx.middleware.NoStoreMiddleware).
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "artworx.middleware.NoStoreMiddleware"
)
# Who opened a student's support profile, notes, guardians or a referral is kept this many days, then
# purged by the nightly beat task (students.tasks.purge_read_audit) or `manage.py purge_read_audit`.
ARTWORX_READ_AUDIT_DAYS = int(os.environ.get("ARTWORX_READ_AUDIT_DAYS", "365"))
CELERY_BEAT_SCHEDULE["purge-read-audit"] = {
    "task": "students.tasks.purge_read_audit",
    "schedule": crontab(hour=3, minute=30),  # nightly, America/Los_Angeles
    "options": {"expires": 60 * 60},
}
# --- end Access (issue #16) ------------------------------------------------------------------------

# Each active contract's turning days of pace (students.pace_turns), written again where a change left
# them stale; until then the dashboard and the contract list work those contracts out in Python.
CELERY_BEAT_SCHEDULE["write-pace-turns"] = {
    "task": "students.tasks.write_pace_turns",
    "schedule": crontab(minute="7-59/15"),  # every quarter hour, between the reminder sweeps
    "options": {"expires": 14 * 60},
}

# --- Retention (issue #20: anonymisation, a family's copy, district releases) ----------------------
# The nightly anonymisation of records past the retention policy (admin: Retention policy), the same
# run as `manage.py anonymise`.
CELERY_BEAT_SCHEDULE["anonymise-past-retention"] = {
    "task": "retention.tasks.anonymise_past_retention",
    "schedule": crontab(hour=2, minute=45),  # nightly, America/Los_Angeles, before the backup
    "options": {"expires": 60 * 60},
}
# A district release's export (for return to the district) is deleted this many days after it was made.
ARTWORX_RELEASE_EXPORT_DAYS = int(os.environ.get("ARTWORX_RELEASE_EXPORT_DAYS", "30"))
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))
# The rows of an uploaded roster (names, dates of birth, district ids) are emptied this many days after
# the upload by the nightly run; the import's file name, status and message stay.
ARTWORX_ROSTER_IMPORT_DAYS = int(os.environ.get("ARTWORX_ROSTER_IMPORT_DAYS", "30"))
# --- end Retention (issue #20) ---------------------------------------------------------------------
