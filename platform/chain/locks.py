"""Per-signer serialisation across processes and hosts.

On PostgreSQL (or any database with row locks) the signer's row is locked for the duration. On
SQLite a row lock would be the whole database's write lock, held while the node answers: a file
lock per signer serialises the same work without stopping every other writer. SQLite is a
single-host database, so a host-local file lock is enough there."""

import fcntl
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from .models import ChainAccount


@contextmanager
def signer_locked(signer_id: int):
    if connection.vendor == "sqlite":
        folder = Path(settings.VAR_DIR) / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"signer-{signer_id}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        with transaction.atomic():
            ChainAccount.objects.select_for_update().get(pk=signer_id)
            yield
