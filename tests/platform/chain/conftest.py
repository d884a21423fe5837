"""Chain code reads the deployment manifest; these DB-level tests get one for a local chain
(id 1337, deployed by Ganache's account 0) where nothing was ever deployed."""

import pytest

from factories import deployment_manifest


@pytest.fixture
def manifest(settings, tmp_path):
    settings.DEPLOYMENT_MANIFEST = deployment_manifest(tmp_path / "1337.json")
    settings.OPERATOR_PRIVATE_KEY = None  # the operator is the local development wallet's account 0
    return settings.DEPLOYMENT_MANIFEST
