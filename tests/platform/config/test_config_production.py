"""The production settings: `check --deploy` passes with them, and they refuse to load while any
secret or server is missing (there is no default for any of them)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "KEY_ENCRYPTION_KEY": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",  # test-only Fernet key
    "FINGERPRINT_SALT": secrets.token_hex(16),
    "DATABASE_URL": "postgres://scf@db.internal:5432/scf",
    "CELERY_BROKER_URL": "redis://broker.internal:6379/0",
    "CHAIN_RPC_URL": "https://besu.internal:8545",
    "DJANGO_ALLOWED_HOSTS": "scf.example.com",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    inherited = set(PRODUCTION) | {"TEST_RUN_ID", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {key: value for key, value in os.environ.items() if key not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_the_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "KEY_ENCRYPTION_KEY", "FINGERPRINT_SALT", "DATABASE_URL",
                                     "CELERY_BROKER_URL", "CHAIN_RPC_URL"])
def test_production_refuses_to_start_without(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr
