"""Settings shared by every environment. Everything that differs between deployments comes from
the environment; the defaults let a fresh clone run with no servers (SQLite, a filesystem broker
and the local Ganache chain of `make run`)."""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

PROJECT_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("PLATFORM_VAR_DIR", PROJECT_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name) or default


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [host for host in (env("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1") or "").split(",") if host]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "organisations",
    "users",
    "authenticators",
    "documents",
    "invoices",
    "financing",
    "chain",
    "webhooks",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.TwoFactorRequired",
    "portal.middleware.OrganisationTimeZone",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.chain_pause.ChainPausedRefusal",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a lockout into the lockout page
]

ROOT_URLCONF = "config.urls"
# The debug error page (DEBUG on, `make run`) masks salts and service URLs too, not only Django's
# KEY|TOKEN|SECRET|PASS settings.
DEFAULT_EXCEPTION_REPORTER_FILTER = "api.redaction.SecretSettingsFilter"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "users.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context.navigation",
                "portal.chain_pause.chain_pause",
            ]
        },
    }
]


def database_from_url(url: str) -> dict:
    """A Django database from DATABASE_URL. SQLite gets WAL and IMMEDIATE transactions so that
    several worker processes queue for the write lock instead of failing with 'database is locked'."""
    database = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return database


DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'platform.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL)}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organisations.tokens.OrganisationTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["organisations.permissions.MemberOfAnOrganisation"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "api.filters.StableOrderingFilter",
    ],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ErrorDocumentingAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.SustainedRate", "api.throttling.BurstRate"],
}
# Where the first answer to each Idempotency-Key is kept, to replay it for retries (api.idempotency).
API_IDEMPOTENCY_MODEL = "organisations.IdempotentRequest"
# Requests the API answers one caller (a token; a user for a portal session): "count/period",
# the period one of s, min, h, day. Beyond them it answers 429 with Retry-After.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", "120/min")
API_THROTTLE_BURST_RATE = env("API_THROTTLE_BURST_RATE", "10/s")
# An API token is refused this many days after it was created; the organisation mints a new one.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 90)

# The throttle counts live in the cache: in each process by default, in Redis (CACHE_URL, e.g.
# redis://127.0.0.1:6379/1) when several processes serve the API and must share one count.
CACHE_URL = env("CACHE_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Supply-chain finance platform API",
    "DESCRIPTION": "Invoices, receivables and financing for suppliers, core firms and lenders.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PATH_CONVERTER_OVERRIDES": {"object_id": int},  # config.api_urls.ObjectIdConverter
    # The schema and Swagger UI are for signed-in users (a session or an organisation token): they
    # map every endpoint of the platform, which an anonymous visitor has no need of.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI's files come from the pinned drf-spectacular-sidecar package, served as static
    # files of the platform's own origin: never a CDN's latest build.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [PROJECT_DIR / "platform" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates an organisation types (an invoice's issue date, "today") are judged in its own time zone;
# a new organisation starts with this one.
ORGANISATION_TIME_ZONE = env("ORGANISATION_TIME_ZONE", "Asia/Shanghai")
# The ISO 4217 currency each settlement token pays: an invoice in EUR cannot be settled in USDC.
SETTLEMENT_TOKEN_CURRENCIES = dict(
    pair.split("=", 1) for pair in env("SETTLEMENT_TOKEN_CURRENCIES", "USDC=USD,EURT=EUR").split(",")
)

# The portal: sign-in with a second factor (TOTP) for the roles that require it.
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"
OTP_TOTP_ISSUER = "Supply-chain finance"
TWO_FACTOR_REQUIRED_ROLES = ["lender", "admin", "auditor"]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Passwords (ASVS V2.1): at least 12 characters, not a common password, not all digits and not
# like the user's name or e-mail. Every password a person chooses (sign-up, invitation, change,
# reset) goes through these validators.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockout (django-axes), the same for every sign-in path (the portal's and the admin's):
# 5 failed passwords for one user name from one client address lock that pair for 15 minutes,
# right password or not. Locking by name alone would let anyone lock anyone out. API tokens are
# not a sign-in path. Django's ModelBackend, but loading the signed-in user with its organisation
# (users.backends): sessions signed in with the plain ModelBackend must sign in once more.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "users.backends.UserWithOrganisationBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A try while locked does not restart the 15 minutes, so the time the page shows is the time left.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "users.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "portal.accounts.lockout.sign_in_locked_out"
# The client address (django-ipware): REMOTE_ADDR, unless TRUSTED_PROXY_COUNT says how many
# reverse proxies stand in front of Django; then the address the last proxy appended to
# X-Forwarded-For, never one the client wrote into that header itself.
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0) or None
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
# A password reset link works once, for an hour (ASVS V2.5: short-lived recovery secrets).
PASSWORD_RESET_TIMEOUT = 3600
# Mail (invitations, password resets) is printed on the console unless a deployment says otherwise;
# production sends it over SMTP (production.py).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "no-reply@localhost")
# Content-Security-Policy (django-csp) on every response that sets none of its own (a document
# sets "sandbox"). Scripts and styles come only from the platform's static files: the templates
# hold no inline <script>, style attribute or event handler (tests/platform/security/
# test_content_security_policy.py checks them). frame-ancestors 'none' as X_FRAME_OPTIONS says
# (a browser that sees frame-ancestors ignores X-Frame-Options): the one page framed, the document
# the core firm's invoice page shows, answers with a policy of its own ("sandbox") and
# X-Frame-Options SAMEORIGIN, and frame-src (default-src 'self') lets the invoice page frame it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end libraries come from npm (package-lock.json), served as static files: nothing loads
# from a CDN.
STATICFILES_DIRS = [
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", PROJECT_DIR / "node_modules" / "chart.js" / "dist"),
]

# Documents: on disk by default, any S3-compatible store when DOCUMENT_STORAGE=s3.
MEDIA_ROOT = Path(env("DOCUMENT_ROOT", str(VAR_DIR / "documents")))
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# What one request may make Django hold. An uploaded file above FILE_UPLOAD_MAX_MEMORY_SIZE is
# streamed to a temporary file, and the services read no more than DOCUMENT_MAX_BYTES of it; the
# other fields of a request (JSON bodies, form fields) are refused past DATA_UPLOAD_MAX_MEMORY_SIZE;
# the supplier's upload takes three files (invoice, purchase order, delivery note), so no request
# needs more. The total request size is capped in front of Django, by the reverse proxy (README).
FILE_UPLOAD_MAX_MEMORY_SIZE = min(DOCUMENT_MAX_BYTES, 2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = min(DOCUMENT_MAX_BYTES, 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 3
# The supplier's bulk upload: a sheet of invoice lines and a ZIP of their documents
# (documents.archives). The ZIP's own size, its members' sizes added up as they are unpacked,
# and the number of files it may hold; each member is one document, so DOCUMENT_MAX_BYTES holds.
DOCUMENT_ARCHIVE_MAX_BYTES = env_int("DOCUMENT_ARCHIVE_MAX_BYTES", 100 * 1024 * 1024)
DOCUMENT_ARCHIVE_MAX_TOTAL_BYTES = env_int("DOCUMENT_ARCHIVE_MAX_TOTAL_BYTES", 200 * 1024 * 1024)
DOCUMENT_ARCHIVE_MAX_MEMBERS = env_int("DOCUMENT_ARCHIVE_MAX_MEMBERS", 1500)
SHEET_MAX_BYTES = env_int("SHEET_MAX_BYTES", 5 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env("DOCUMENT_STORAGE") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DOCUMENT_S3_BUCKET"),
            "endpoint_url": env("DOCUMENT_S3_ENDPOINT_URL"),
            "region_name": env("DOCUMENT_S3_REGION"),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }

# Secrets of the platform itself. KEY_ENCRYPTION_KEY (Fernet keys, comma-separated, newest first)
# encrypts the organisations' custodial signing keys; FINGERPRINT_SALT salts every hash that
# identifies a party or an invoice on chain.
KEY_ENCRYPTION_KEYS = [key for key in (env("KEY_ENCRYPTION_KEY") or "").split(",") if key]
FINGERPRINT_SALT = env("FINGERPRINT_SALT")
# /healthz shows its checks to a monitor sending this token as `Authorization: Bearer ...`
# (anyone else learns only ok or not ok). Unset: only verified admins and auditors see them.
HEALTH_MONITORING_TOKEN = env("HEALTH_MONITORING_TOKEN", "")

# The chain.
CHAIN_RPC_URL = env("CHAIN_RPC_URL", "http://127.0.0.1:8545")
DEPLOYMENT_MANIFEST = Path(env("DEPLOYMENT_MANIFEST", str(VAR_DIR / "deployments" / "1337.json")))
CHAIN_CONFIRMATIONS = env_int("CHAIN_CONFIRMATIONS", 1)  # the block holding a tx counts as one
CHAIN_LOG_CHUNK_BLOCKS = env_int("CHAIN_LOG_CHUNK_BLOCKS", 2000)
CHAIN_RECEIPT_WAIT_SECONDS = env_int("CHAIN_RECEIPT_WAIT_SECONDS", 20)
CHAIN_STUCK_AFTER_SECONDS = env_int("CHAIN_STUCK_AFTER_SECONDS", 60)
CHAIN_PRIORITY_FEE_WEI = env_int("CHAIN_PRIORITY_FEE_WEI", 1_000_000_000)
CHAIN_BATCH_MAX = env_int("CHAIN_BATCH_MAX", 40)
CHAIN_BATCH_WINDOW_SECONDS = float(env("CHAIN_BATCH_WINDOW_SECONDS", "0.2"))
CHAIN_LOST_TASK_AFTER_SECONDS = env_int("CHAIN_LOST_TASK_AFTER_SECONDS", 15)
# While the indexer is halted, on-chain actions are paused; pages learn it at most this late.
CHAIN_HALTED_CACHE_SECONDS = env_int("CHAIN_HALTED_CACHE_SECONDS", 5)
# Fault injection for the fault tests, e.g. "after-broadcast:0.05": a worker process dies right
# after broadcasting, before recording, in 5% of sends. Never set in production.
CHAIN_FAILPOINT = env("CHAIN_FAILPOINT", "")
OPERATOR_PRIVATE_KEY = env("OPERATOR_PRIVATE_KEY")  # the deployer (founding admin) key
OPERATOR_LEGAL_ID = env("OPERATOR_LEGAL_ID", "PLATFORM-OPERATOR")
RISK_MODEL_VERSION = 1
# How long a financing request's quote holds: the chain rejects a request mined later (QuoteExpired).
FINANCING_QUOTE_VALIDITY_SECONDS = env_int("FINANCING_QUOTE_VALIDITY_SECONDS", 3600)

# Webhooks go to public addresses only. A deployment whose ERPs sit on its own network lists those
# networks here (comma-separated CIDRs, e.g. "10.20.0.0/16,fd00:20::/64"); a bad one fails at start.
WEBHOOK_ALLOWED_NETWORKS = [
    str(ipaddress.ip_network(cidr.strip())) for cidr in (env("WEBHOOK_ALLOWED_NETWORKS", "") or "").split(",") if cidr.strip()
]
WEBHOOK_REQUIRE_HTTPS = env_bool("WEBHOOK_REQUIRE_HTTPS", False)  # True in production, whatever the environment says

# Celery: a broker that needs no server by default; Redis or RabbitMQ via CELERY_BROKER_URL.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL == "filesystem://":
    _queue = VAR_DIR / "broker" / "queue"
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "store_processed": False,
        "polling_interval": 0.01,  # seconds between polls of the queue folder: one task costs at least this
        "control_folder": str(VAR_DIR / "broker" / "control"),
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process that dies mid-task has its task redelivered after this wait (Celery's default is
# 10 s). Results are ignored here, so there is nothing to wait for.
CELERY_WORKER_LOST_WAIT = 2.0
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The indexer and the reconciler get their own queue, so a backlog of sends never delays
# confirmations: run one worker with `-Q indexer` (or any worker with `-Q celery,indexer`).
# Webhook deliveries get theirs, so a slow endpoint never holds a chain sender: `-Q webhooks`.
CELERY_TASK_ROUTES = {
    "chain.tasks.chain_index": {"queue": "indexer"},
    "chain.tasks.transactions_reconcile": {"queue": "indexer"},
    "webhooks.tasks.webhook_deliver": {"queue": "webhooks"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "index-chain": {"task": "chain.tasks.chain_index", "schedule": float(env("INDEXER_INTERVAL_SECONDS", "1"))},
    "reconcile-transactions": {"task": "chain.tasks.transactions_reconcile", "schedule": 5.0},
    "sweep-maturities": {"task": "financing.tasks.maturity_sweep", "schedule": float(env("MATURITY_SWEEP_SECONDS", "300"))},
    "heartbeat": {"task": "chain.tasks.heartbeat", "schedule": 10.0},
    "score-suppliers": {"task": "financing.tasks.risk_scoring", "schedule": 24 * 3600.0},
    "mirror-payer-holdings": {"task": "invoices.tasks.payer_holdings_refresh", "schedule": 60.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {
        "()": "api.redaction.RedactingFormatter",  # no node key or password in any line
        "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
    }},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {name: {"level": "WARNING"} for name in ("web3", "urllib3", "factur-x", "facturx")}
    | {"kombu.connection": {"level": "ERROR"}},  # "no hostname supplied": the filesystem broker has none
}
