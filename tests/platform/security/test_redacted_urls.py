"""RPC, database and broker URLs are shown and logged without their credentials, path or query:
a node's URL often carries an API key in its path or a user:password."""

import logging
import sys

import pytest
from django.urls import reverse

from api.redaction import redacted_text, redacted_url
from factories import OrganisationFactory, UserFactory
from organisations.models import Role
from signin import verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

MONITORING_TOKEN = "monitoring-token-for-tests"
# Loopback, discard port: nothing listens, so the probe fails at once and never leaves the machine.
KEYED_RPC_URL = "http://rpcuser:rpc-password@127.0.0.1:9/v3/node-api-key-123?apikey=query-key-456"
SECRETS = ("rpc-password", "node-api-key-123", "query-key-456")


@pytest.fixture(autouse=True)
def _keyed_chain_url(settings):
    settings.CHAIN_RPC_URL = KEYED_RPC_URL
    settings.HEALTH_MONITORING_TOKEN = MONITORING_TOKEN


def _shows_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize(("url", "shown"), [
    (KEYED_RPC_URL, "http://127.0.0.1:9/***"),
    ("https://mainnet.example.com/v3/abcdef", "https://mainnet.example.com/***"),
    ("postgres://scf:db-password@db.internal:5432/scf", "postgres://db.internal:5432/***"),
    ("amqp://guest:guest@[::1]:5672//", "amqp://[::1]:5672/***"),
    ("redis://:redis-password@127.0.0.1:6379/0", "redis://127.0.0.1:6379/***"),
    ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
    ("filesystem://", "filesystem://"),
])
def test_a_url_keeps_only_its_scheme_host_and_port(url, shown):
    assert redacted_url(url) == shown


def test_a_url_that_does_not_parse_shows_nothing_of_itself():
    assert redacted_url("http://user:secret@host:notaport/key") == "http://***"


def test_an_error_message_quoting_the_url_or_its_path_is_redacted():
    message = f"HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /v3/node-api-key-123?apikey=query-key-456 ({KEYED_RPC_URL})"
    _shows_no_secret(redacted_text(message, url=KEYED_RPC_URL))


def test_healthz_details_show_no_part_of_the_node_url_secret(client):
    response = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {MONITORING_TOKEN}")
    assert response.json()["checks"]["chain"]["ok"] is False
    _shows_no_secret(response.content.decode())


def test_the_chain_health_page_and_the_log_show_no_part_of_the_node_url_secret(client, caplog):
    admin = verified(client, UserFactory(organisation=OrganisationFactory(role=Role.ADMIN)))
    with caplog.at_level(logging.WARNING):
        response = admin.get(reverse("portal:operator:chain"))
    assert response.context["health"].unreachable
    _shows_no_secret(response.content.decode())
    assert "chain health" in caplog.text
    _shows_no_secret(caplog.text)


def test_a_log_line_or_traceback_quoting_a_service_url_is_redacted(settings):
    settings.DATABASE_URL = "postgres://scf:database-password@db.internal:5432/scf"
    handler = logging.getLogger().handlers[0]  # the console handler of settings.LOGGING
    record = logging.LogRecord("chain.tasks", logging.ERROR, __file__, 1, "send failed: %s", (KEYED_RPC_URL,), None)
    try:
        raise ConnectionError(f"Max retries exceeded with url: /v3/node-api-key-123 via {settings.DATABASE_URL}")
    except ConnectionError:
        record.exc_info = sys.exc_info()
    line = handler.format(record)
    assert "send failed: http://127.0.0.1:9/***" in line
    _shows_no_secret(line)
    assert "database-password" not in line


def test_the_celery_worker_s_own_log_handlers_are_redacted_too():
    from config.celery import _redact_worker_logs

    logger = logging.Logger("celery-worker-stand-in")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger.addHandler(handler)
    _redact_worker_logs(logger=logger, loglevel=logging.INFO)
    record = logging.LogRecord("celery", logging.ERROR, __file__, 1, "node %s down", (KEYED_RPC_URL,), None)
    assert handler.format(record) == "[ERROR] node http://127.0.0.1:9/*** down"


def test_a_database_error_quoting_the_dsn_reaches_the_monitor_redacted(client, settings, monkeypatch):
    from django.db import DatabaseError

    from chain import health

    settings.DATABASE_URL = "postgres://scf:rpc-password@db.internal:5432/scf"

    def failing(*, in_full):
        raise DatabaseError(f"could not connect with {settings.DATABASE_URL}")

    monkeypatch.setattr(health, "chain_health", failing)
    response = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {MONITORING_TOKEN}")
    assert response.json()["checks"]["database"]["ok"] is False
    _shows_no_secret(response.content.decode())
