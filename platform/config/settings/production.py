"""Production: every secret and every server comes from the environment, with no default. Import
fails loudly when one is missing, before anything can run on a half-configured platform."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import FINGERPRINT_SALT, KEY_ENCRYPTION_KEYS, SECRET_KEY, env, env_bool, env_int

for _name, _value in {
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "KEY_ENCRYPTION_KEY": KEY_ENCRYPTION_KEYS,
    "FINGERPRINT_SALT": FINGERPRINT_SALT,
    "DATABASE_URL": env("DATABASE_URL"),
    "CELERY_BROKER_URL": env("CELERY_BROKER_URL"),
    "CHAIN_RPC_URL": env("CHAIN_RPC_URL"),
}.items():
    if not _value:
        raise ImproperlyConfigured(f"{_name} must be set in production.")

DEBUG = False
CHAIN_CONFIRMATIONS = env_int("CHAIN_CONFIRMATIONS", 12)
# A production chain mines every few seconds: senders do not wait for receipts, the indexer's
# pass records them (chain.indexer).
CHAIN_RECEIPT_WAIT_SECONDS = env_int("CHAIN_RECEIPT_WAIT_SECONDS", 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Mail over SMTP: the relay and its credentials come from the environment.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # seconds: a stuck relay must not hold a web worker
# Production runs behind a reverse proxy (README: Production), so the sign-in lockout takes the
# client address the proxy appended to X-Forwarded-For, not the proxy's own. Set
# TRUSTED_PROXY_COUNT to the number of proxies in front of Django, 0 when clients reach it directly.
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
WEBHOOK_REQUIRE_HTTPS = True  # a delivery's body and signature never cross the internet in clear
