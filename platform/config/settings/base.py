"""Settings shared by every environment. Everything that differs between deployments comes from
the environment; the defaults let a fresh clone run with no servers (SQLite, a filesystem broker
and the local Ganache chain of `make run`)."""

import ipaddress
import os
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "organisations",
    "users",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
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
    "DEFAULT_PERMISSION_CLASSES": ["config.permissions.MemberOfAnOrganisation"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "config.api.StableOrderingFilter",
    ],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.ErrorDocumentingAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Supply-chain finance platform API",
    "DESCRIPTION": "Invoices, receivables and financing for suppliers, core firms and lenders.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PATH_CONVERTER_OVERRIDES": {"object_id": int},  # config.api_urls.ObjectIdConverter
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
# Fault injection for the fault tests, e.g. "after-broadcast:0.05": a worker process dies right
# after broadcasting, before recording, in 5% of sends. Never set in production.
CHAIN_FAILPOINT = env("CHAIN_FAILPOINT", "")
OPERATOR_PRIVATE_KEY = env("OPERATOR_PRIVATE_KEY")  # the deployer (founding admin) key
OPERATOR_LEGAL_ID = env("OPERATOR_LEGAL_ID", "PLATFORM-OPERATOR")
RISK_MODEL_VERSION = 1

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
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {name: {"level": "WARNING"} for name in ("web3", "urllib3", "factur-x", "facturx")}
    | {"kombu.connection": {"level": "ERROR"}},  # "no hostname supplied": the filesystem broker has none
}
