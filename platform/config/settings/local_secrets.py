"""Secrets for a developer's laptop: generated on first use and kept in var/ (mode 0600), never in
the repository. Production settings do not use this: there every secret must be set."""

import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def load_or_create(path: Path) -> dict[str, str]:
    if path.exists():
        return json.loads(path.read_text())
    generated = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "FINGERPRINT_SALT": secrets.token_hex(32),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(generated, handle)
    return generated
