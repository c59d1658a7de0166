"""SIRBI settings: one module, driven by environment variables (see the README's table).

Defaults run a development copy out of the box (SQLite under var/, console e-mail). Where production
needs a value (SECRET_KEY, ALLOWED_HOSTS) and DEBUG is off, start-up fails loudly instead of guessing.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
VAR_DIR = Path(env_str("VAR_DIR", str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _development_secret_key():
    # A random key kept under var/ so sessions survive restarts of a development copy; never committed.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "sirbi.core",
    "sirbi.registry",
    "sirbi.stats",
    "sirbi.cooperation",
    "sirbi.catalog",
    "sirbi.loans",
    "sirbi.portal",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before the rest (as whitenoise asks); pages get their policy below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the whole body: refuses a too large upload before it is received.
    "sirbi.core.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sirbi.core.pagecache.AnonymousPageCacheMiddleware",
    # Last, as django-axes asks: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sirbi.urls"
WSGI_APPLICATION = "sirbi.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sirbi.core.context_processors.platform",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sirbi.sqlite3'}"), conn_max_age=env_int("CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while the background worker writes; IMMEDIATE avoids lock-upgrade deadlocks.
    # A 64 MiB page cache (SQLite's default is 2 MiB) keeps the indexes of a large import in memory.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                        "PRAGMA temp_store=MEMORY;",
    }
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Counters of the throttles (password resets, API write rates, failed API tokens). A table in the database, so
    # that every web worker (gunicorn --workers N) counts together, on SQLite and PostgreSQL alike, without
    # Redis; core's migration 0004 creates it (`sirbi createcachetable` does too).
    "throttle": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "sirbi_throttle_cache",
                 "OPTIONS": {"MAX_ENTRIES": 100_000}},
    # The API's read rates, counted per web process (core.rest.ReadThrottle): a read writes nothing.
    "process": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"},
    # Anonymous visitors' copies of pages (core/pagecache.py), in files shared by the workers of this machine.
    "pages": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
              "LOCATION": str(VAR_DIR / "cache" / "pages"), "OPTIONS": {"MAX_ENTRIES": 5000}},
}
# Seconds a copy is kept at most (each write replaces them all at once); 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# The pages kept: read pages the public sees, made from the database (and the catalog's index) only.
PAGE_CACHE_VIEWS = [
    "portal:home", "registry:libraries", "registry:library", "registry:networks", "registry:network",
    "registry:country", "catalog:search", "catalog:cluster",
    "country-list", "network-list", "library-list", "value-list", "indicator-list", "meeting-list",
    "good-practice-list", "roadmap-list",
    "portal:open-data", "opendata-catalog", "opendata-catalog-file",  # open data and its DCAT-AP catalogue
]

# Brute force. Sign-ins (the login page and the admin's) go through django-axes, which records failures in
# the database (every worker sees them): LOGIN_FAILURE_LIMIT failures for one account, or from one address,
# within LOGIN_COOLOFF_MINUTES lock that account (from any address) and that address (for any account)
# until LOGIN_COOLOFF_MINUTES after the last failure; a success clears that account's failures from that
# address (core.signin). Failed API tokens are counted per address with the same limits (core.rest).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
# Password reset mails: at most this many per hour for one e-mail address and for one client address.
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5)
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True  # only that account's failures from that address (core.signin.SignInHandler)
AXES_HANDLER = "sirbi.core.signin.SignInHandler"
AXES_LOCKOUT_CALLABLE = "sirbi.core.views.locked_out"
AXES_VERBOSE = False
# Failures are kept for the cool-off only; successful sign-ins (addresses, browsers) are not logged forever.
AXES_DISABLE_ACCESS_LOG = True
# One notion of "the client's address" for every throttle (behind a proxy: what the proxy saw).
AXES_CLIENT_IP_CALLABLE = "sirbi.core.throttle.client_address"
# No admin pages for the failure records: they hold addresses, live for the cool-off only, and the operator
# unlocks an account with `sirbi axes_reset_username NAME` (the permission matrix covers every admin page).
AXES_ENABLE_ADMIN = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("pt", _("Portuguese")), ("en", _("English"))]
# The empty choice of list filters says what it means, in the reader's language (django-filter's is "---------").
FILTERS_EMPTY_CHOICE_LABEL = _("All")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = Path(env_str("NODE_MODULES", str(PROJECT_DIR / "node_modules")))
# Front-end libraries come from npm packages installed by `make demo`; served from here, never a CDN.
STATICFILES_DIRS = [
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/topojson", NODE_MODULES / "topojson-client" / "dist"),
    ("vendor/world-atlas", NODE_MODULES / "world-atlas"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STATICFILES_DIRS = [entry for entry in STATICFILES_DIRS if entry[1].is_dir()]
# Production (DEBUG off) and `make demo` serve the files `sirbi collectstatic` copied into STATIC_ROOT: hashed
# names (whitenoise lets browsers keep those for a year), from a list made once at start-up. A development
# server (DEBUG on, STATIC_COLLECTED off) finds them in the source folders at each request instead.
STATIC_COLLECTED = True if not DEBUG else env_bool("STATIC_COLLECTED", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if not DEBUG
        else "sirbi.core.staticfiles.HashedStaticFilesStorage" if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = not STATIC_COLLECTED
MEDIA_ROOT = VAR_DIR / "media"
UPLOAD_DIR = VAR_DIR / "uploads"
# The union catalog's search index (derived from the database; `sirbi reindex` rebuilds it).
CATALOG_INDEX_DIR = Path(env_str("CATALOG_INDEX_DIR", str(VAR_DIR / "catalog-index")))

# Uploads: imports are refused above IMPORT_MAX_BYTES; Django refuses bodies above DATA_UPLOAD_MAX_MEMORY_SIZE.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# Documents of meetings and evidence of progress reports (type read from the content: core.filetypes).
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
# Copies delivered for interlibrary loan requests are deleted this many days after delivery (`sirbi ill_tick`).
ILL_COPY_KEEP_DAYS = env_int("ILL_COPY_KEEP_DAYS", 30)
# MARC files uploaded on a catalog source's page (larger ones: `sirbi import-marc` on the server).
CATALOG_UPLOAD_MAX_BYTES = env_int("CATALOG_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
# Worker processes that read and normalise a large MARC file while the importing process stores it
# (catalog/prepare.py); default: one per core but the importer's own.
CATALOG_INGEST_PROCESSES = env_int("CATALOG_INGEST_PROCESSES", max(1, (os.cpu_count() or 2) - 1))
# Harvests fetch public addresses only; intranet OAI-PMH endpoints are allowed here by host name or by address
# or network ("oai.intranet.example,10.1.0.0/16"); see core/outbound.py.
HARVEST_ALLOWED_HOSTS = env_list("HARVEST_ALLOWED_HOSTS")
# A harvest stops at an answer larger than this once unpacked (gzip answers are inflated as they are read).
HARVEST_MAX_RESPONSE_BYTES = env_int("HARVEST_MAX_RESPONSE_BYTES", 50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

vars().update(dj_email_url.parse(env_str("EMAIL_URL", "console:")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SIRBI <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The contact the OAI-PMH endpoint's Identify gives (default: DEFAULT_FROM_EMAIL's address).
OAI_ADMIN_EMAIL = env_str("OAI_ADMIN_EMAIL")

TILE_URL = env_str("TILE_URL")
TILE_ATTRIBUTION = env_str("TILE_ATTRIBUTION")
# Non-country ISIL prefixes (ISO 15511: 1, 3 or 4 letters) registered with the ISIL agency.
ISIL_NONCOUNTRY_PREFIXES = env_list("ISIL_NONCOUNTRY_PREFIXES", ["O", "OCLC", "ZDB"])
JOBS_EAGER = env_bool("JOBS_EAGER", False)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 300)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sirbi.core.rest.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["sirbi.core.rest.ReadThrottle", "sirbi.core.rest.WriteThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["sirbi.core.rest.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "sirbi.core.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
# API rates ("N/second|minute|hour|day"): reads per client address when anonymous, per account when signed in
# (counted per web process); writes per account, stricter (counted in the database). Beyond them, 429.
API_THROTTLE_RATES = {
    "anonymous": env_str("API_ANON_RATE", "300/minute"),
    "user": env_str("API_USER_RATE", "1200/minute"),
    "write": env_str("API_WRITE_RATE", "60/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SIRBI API",
    "DESCRIPTION": "Registry of the Ibero-American System of National Public and School Library Networks",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Libraries and their service points share one status vocabulary: one enum in the schema.
    "ENUM_NAME_OVERRIDES": {"LibraryStatusEnum": "sirbi.registry.choices.LibraryStatus"},
}

# Production hardening: on unless DEBUG; each can be turned off behind a proxy that does it.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No script of ours reads the CSRF cookie (forms carry the token; htmx only polls with GET): keep it from scripts.
CSRF_COOKIE_HTTPONLY = True


def _tile_source(url):
    """The origin of the map tiles for the policy: https://{s}.tile.example.org/{z}/{x}/{y}.png allows
    https://*.tile.example.org (a placeholder in the host stands for any first label)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc
    if "{" in host:
        host = "*." + host.split(".", 1)[1] if "." in host else ""
    return [f"{parts.scheme}://{host}"] if host else []


# Content-Security-Policy (django-csp) on every response: scripts and style sheets from our own files only (no
# inline script, no inline <style>; JSON reaches pages in json_script blocks, which do not run). Style
# *attributes* are allowed: the roadmap timeline and the statistics legend place bars and colours by value,
# and an attribute cannot run script. Images may be data: URLs (Leaflet's and the admin's icons) and the tiles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_tile_source(TILE_URL)],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
