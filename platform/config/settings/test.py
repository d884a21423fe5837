"""The test suite: SQLite in a file (worker processes of the integration tests must see it), or the
real PostgreSQL when DATABASE_URL is set; throw-away secrets. TEST_RUN_ID (inherited by the
worker processes a run starts) keeps concurrent test runs on separate databases and queues."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, CELERY_BROKER_URL, DATABASES, VAR_DIR, env, env_int

TEST_RUN_ID = os.environ.setdefault("TEST_RUN_ID", str(os.getpid()))
SECRET_KEY = "test-only-secret-key"
KEY_ENCRYPTION_KEYS = ["ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="]  # test-only Fernet key
FINGERPRINT_SALT = "test-only-salt"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-documents"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"scf-test-{TEST_RUN_ID}.sqlite3")}
if CELERY_BROKER_URL == "filesystem://":
    _queue = VAR_DIR / "test-broker" / TEST_RUN_ID
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS | {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_queue),
        "control_folder": str(_queue / "control"),
    }
# The suite's dates are timezone.now()'s dates; tests of organisations' own time zones set them.
ORGANISATION_TIME_ZONE = "UTC"
# The contract test (schemathesis) and `make bench-web` send far more than one ERP would; the
# throttle's own tests set their rates.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", "100000/min")
API_THROTTLE_BURST_RATE = env("API_THROTTLE_BURST_RATE", "100000/s")
# Each test sees the halt (or its absence) that it set up; the cache's own test sets a time.
CHAIN_HALTED_CACHE_SECONDS = env_int("CHAIN_HALTED_CACHE_SECONDS", 0)
