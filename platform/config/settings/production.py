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
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
WEBHOOK_REQUIRE_HTTPS = True  # a delivery's body and signature never cross the internet in clear
