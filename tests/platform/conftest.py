"""Fixtures of the whole Django suite. Factories live in factories.py, sample documents in samples.py."""

import pytest
from django.utils import translation

from factories import deployment_manifest
from signin import verified


@pytest.fixture(autouse=True)
def _language_of_each_test_its_own():
    """A request in Chinese leaves Chinese active in the thread (Django's LocaleMiddleware does not
    reset it); the next test starts in the default language again."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "documents"


@pytest.fixture
def manifest(settings, tmp_path):
    """A deployment manifest for a local chain (id 1337, deployed by Ganache's account 0) where
    nothing was deployed: for database-level tests of code that reads the ABI or the chain id."""
    settings.DEPLOYMENT_MANIFEST = deployment_manifest(tmp_path / "1337.json")
    settings.OPERATOR_PRIVATE_KEY = None  # the operator is the local development wallet's account 0
    return settings.DEPLOYMENT_MANIFEST


@pytest.fixture
def admin_client(client, admin_user):
    """Django staff need a second factor: the admin client is signed in with one."""
    return verified(client, admin_user)
