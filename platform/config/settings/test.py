"""The test suite: SQLite in a file (worker processes of the integration tests must see it), or the
real PostgreSQL when DATABASE_URL is set; throw-away secrets."""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, CELERY_BROKER_URL, DATABASES, VAR_DIR

SECRET_KEY = "test-only-secret-key"
KEY_ENCRYPTION_KEYS = ["ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="]  # test-only Fernet key
FINGERPRINT_SALT = "test-only-salt"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-documents"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
if CELERY_BROKER_URL == "filesystem://":
    (VAR_DIR / "test-broker" / "queue").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS | {
        "data_folder_in": str(VAR_DIR / "test-broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "test-broker" / "queue"),
        "processed_folder": str(VAR_DIR / "test-broker" / "processed"),
    }
