"""Fixtures of the Django suite. Factories live in factories.py."""

import pytest


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "documents"
