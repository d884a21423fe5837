"""A developer's laptop: base settings, debug on, secrets generated once into var/."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env
from .local_secrets import load_or_create

DEBUG = True
_secrets = load_or_create(VAR_DIR / "local-secrets.json")
SECRET_KEY = env("DJANGO_SECRET_KEY", _secrets["DJANGO_SECRET_KEY"])
KEY_ENCRYPTION_KEYS = (env("KEY_ENCRYPTION_KEY") or _secrets["KEY_ENCRYPTION_KEY"]).split(",")
FINGERPRINT_SALT = env("FINGERPRINT_SALT", _secrets["FINGERPRINT_SALT"])
