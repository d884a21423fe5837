"""Fixtures of the whole Django suite. Factories live in factories.py, sample documents in samples.py."""

import ipaddress
import socket

import pytest
from django.utils import translation

import contract_quotes
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


PUBLIC_LOOKING = "93.184.215.14"


@pytest.fixture(autouse=True)
def _names_resolve_offline(monkeypatch):
    """No test asks a name server: IP literals and localhost resolve as always, example.com names
    (the suite's webhook URLs) to a public-looking address so they can be registered, and any other
    name not at all. A webhook delivery may connect to loopback only, whatever it resolved."""
    from webhooks import client

    real_getaddrinfo, real_connect = socket.getaddrinfo, client._connect

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or name == "localhost" or name.endswith(".localhost"):
            return real_getaddrinfo(host, port, family, type, proto, flags)
        if name == "example.com" or name.endswith(".example.com"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_LOOKING, port or 0))]
        return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    def connect(address, port, deadline):
        assert ipaddress.ip_address(address).is_loopback, f"a test's webhook tried to connect to {address}"
        return real_connect(address, port, deadline)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(client, "_connect", connect)


@pytest.fixture(autouse=True)
def _contract_quotes_from_the_mirror(request, monkeypatch):
    """The unit tests have no chain: the contract's quotes come from its decision in Python, run on
    the mirrored rows (contract_quotes.py). The integration tests ask the real contract."""
    if "integration" not in request.node.path.parts:
        from chain import quotes

        monkeypatch.setattr(quotes, "financing_quotes", contract_quotes.financing_quotes)


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
