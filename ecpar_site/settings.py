"""Settings for the social economy directory, read from the environment.

Every variable has a production-safe default; development fallbacks apply only when
DEBUG is on. A bad value stops the start-up with a message naming the variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, got {value!r}.")


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name, default):
    url = os.environ.get(name, "").strip() or default
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a usable database URL: {exc}") from None
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        # WAL lets readers work while a write is under way; the timeout waits for a lock
        # instead of failing at once with "database is locked". The connection lasts
        # CONN_MAX_AGE: opened for each request, with these pragmas and the SQL functions
        # Django and the search register, it cost more than a 304 answer.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif engine != "django.db.backends.postgresql":
        scheme = url.split(":", 1)[0]
        raise ImproperlyConfigured(
            f"{name} must start with sqlite:// or postgres://, got {scheme}://."
        )
    elif env_bool("DATABASE_POOL", True):
        # psycopg's pool keeps connections open across requests and checks each one before
        # handing it out, so a restarted server costs no failed request. Django requires
        # CONN_MAX_AGE 0 with it, and checks only with CONN_HEALTH_CHECKS; the timeout bounds
        # the wait for a connection while the server is down. A sync gunicorn worker uses one
        # connection at a time: keeping one idle (not psycopg's default four) also means one
        # dead connection to replace after a restart, each failed check costing a backoff of
        # 1, 2, 4… seconds (figures in docs/performance.md).
        #
        # PostgreSQL prices a random page read at four sequential ones, as on spinning disks.
        # On SSDs or with the directory in memory they cost about the same (1.1 is the usual
        # SSD figure); with the default, a common word's search reads the whole search table
        # instead of its GIN index. PgBouncer refuses connection options: behind it, set it on
        # the database (docs/deployment.md).
        config["OPTIONS"] = {
            "pool": {"timeout": 10, "min_size": 1, "max_size": 4},
            "options": "-c random_page_cost=1.1",
        }
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = True
    return config


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin, whose views refuse input that would end in a 500 (ecpar_site/admin.py).
    "ecpar_site.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",
    "django_filters",
    "django_htmx",
    "import_export",
    # Keeps a history of staff and member edits, shown in the admin (see the models).
    "simple_history",
    # Listed so that the API docs page serves its own copy of Swagger UI, not a CDN's.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "enterprises",
    "purchases",
    "programs",
    "events",
    "enterprise_accounts",
    "procurement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After the CSRF check, which reads the submitted fields first.
    "ecpar_site.middleware.PrintableFormDataMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lets each history record name the signed-in user who made the change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ecpar_site.urls"

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
                "django.template.context_processors.i18n",
            ],
            "libraries": {"site": "ecpar_site.templatetags"},
        },
    },
]

WSGI_APPLICATION = "ecpar_site.wsgi.application"

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES["replica"] = env_database("DATABASE_REPLICA_URL", "")
    # Tests have no real replica: reads of the "replica" go to the test primary.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["ecpar_site.db_routers.PrimaryReplicaRouter"]

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # {% cache %} fragments, such as the site's navigation in each language: each process
    # keeps its own, a dictionary read instead of a round trip to a shared cache.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
    },
}
# Shared by every app server when REDIS_URL is set; otherwise each process keeps its own.
if REDIS_URL := os.environ.get("REDIS_URL", "").strip():
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Axes first: it refuses a locked-out username and address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first (Charter of the French language); English under /en/.
LANGUAGE_CODE = "fr-ca"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Montreal"
USE_I18N = True
USE_TZ = True
# Django's fr_CA time formats print the hour twice ("00 12 15"); ours escape the "h".
FORMAT_MODULE_PATH = ["ecpar_site.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# In production whitenoise serves compressed files whose names carry a hash of their content,
# cached for a year; it needs `collectstatic` first, which development and tests skip.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

LOGIN_URL = "purchases:login"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "repertoire@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds a try waits for a mail server that does not answer. Mails are sent by the task
# worker (purchases/mail.py), so this bounds how long a worker is held, never a request.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
# SECURE_COOKIES=0 only for plain HTTP on the loopback (./scripts/serve, load tests).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "ecpar_site.views.csrf_failure"

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer probes the app servers over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
if proxy_ssl_header := env_list("SECURE_PROXY_SSL_HEADER", []):
    if len(proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be a header and a value,"
            " e.g. HTTP_X_FORWARDED_PROTO,https."
        )
    SECURE_PROXY_SSL_HEADER = tuple(proxy_ssl_header)

# Everything worth a look goes to stderr, where gunicorn and the service manager collect it:
# unhandled errors with their traceback (django.request), Django's warnings and ours. Django's
# own handlers print only with DEBUG on, and otherwise mail errors to ADMINS, which is unset.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "timestamped": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "timestamped"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {"django": {"handlers": [], "level": "INFO"}},
}

# Scripts and styles come only from our own static files: no inline code, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        # Video capsules: the privacy-enhanced players only, loaded after the visitor's click.
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Five wrong passwords lock that username from that address for 15 minutes: the real user,
# elsewhere, can still sign in, and an attacker cannot lock anyone out for long.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "ecpar_site.proxies.client_ip_address"
# How many proxies of ours append to X-Forwarded-For; 0 trusts only the connection's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Each process keeps the directory's facets in memory and rebuilds them as soon as the
# directory changes; this bounds how long they are kept even if a change was not signalled
# (a raw SQL edit, say), and how long a cached enterprise page shows its buyers and capsules
# (which signal no change). 0 rebuilds them for every request and caches no page.
DIRECTORY_FACETS_CACHE_SECONDS = env_int("DIRECTORY_FACETS_CACHE_SECONDS", 600)

# Public directory pages and the API are sent with an ETag and
# "Cache-Control: public, max-age=…, stale-while-revalidate=…" for a CDN or proxy cache in front:
# fresh for this many seconds, then served stale for at most that many more while it asks
# again (a publication changes the ETag, so the answer is then the new page).
DIRECTORY_CACHE_MAX_AGE = env_int("DIRECTORY_CACHE_MAX_AGE", 60)
DIRECTORY_CACHE_STALE_SECONDS = env_int("DIRECTORY_CACHE_STALE_SECONDS", 600)
if min(DIRECTORY_CACHE_MAX_AGE, DIRECTORY_CACHE_STALE_SECONDS) < 0:
    raise ImproperlyConfigured(
        "DIRECTORY_CACHE_MAX_AGE and DIRECTORY_CACHE_STALE_SECONDS must be 0 or more seconds."
    )

# Uploads larger than this are refused with a clear message before they are parsed.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Form fields past this size are refused with a 400 before they are read; uploaded files past
# it are streamed to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# A CSV/XLSX export of the listing holds at most this many enterprises.
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 10_000)

# Requests for quotes: how many a buyer sends a day, how many an enterprise receives a week,
# to how many enterprises one goes, the largest PDF attached, how long a response link works.
PROCUREMENT_REQUESTS_PER_BUYER_PER_DAY = env_int("PROCUREMENT_REQUESTS_PER_BUYER_PER_DAY", 5)
PROCUREMENT_REQUESTS_PER_ENTERPRISE_PER_WEEK = env_int(
    "PROCUREMENT_REQUESTS_PER_ENTERPRISE_PER_WEEK", 5
)
PROCUREMENT_MAX_RECIPIENTS = 10
PROCUREMENT_ATTACHMENT_MAX_BYTES = env_int("PROCUREMENT_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
PROCUREMENT_RESPONSE_LINK_DAYS = env_int("PROCUREMENT_RESPONSE_LINK_DAYS", 45)

# Background jobs (large imports) go through Django's task framework; `manage.py db_worker`
# runs them from the database queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A staff import of a file larger than this runs in the background; a smaller one runs in the
# request, so that the curator sees its preview without waiting for a worker.
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_BYTES", 2 * 1024 * 1024)

# Enterprise accounts: claims and error reports per address (enterprises.imports.throttle), the
# yearly reminder to confirm a profile, and the address its emails' links start with.
UPLOAD_RATE_LIMITS = {"claim": (5, 3600), "report": (10, 3600)}
PROFILE_REMINDER_DAYS = env_int("PROFILE_REMINDER_DAYS", 365)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
