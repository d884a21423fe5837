"""/healthz as a monitor with the monitoring token reads it: every check named, 503 with the reason
when one fails. What anonymous callers see: tests/platform/security/test_healthz_anonymous.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chain.health import HEARTBEAT_STALE_AFTER, heartbeat_record
from chain.models import Heartbeat, IndexerState

pytestmark = pytest.mark.django_db

TOKEN = "monitoring-token-for-tests"


@pytest.fixture
def monitor(client):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    return client


@pytest.fixture
def closed_chain(settings, manifest):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.HEALTH_MONITORING_TOKEN = TOKEN
    IndexerState.objects.create(chain_id=1337, genesis_hash="0x0", contract_address="0x0", last_block=42)


def test_an_unreachable_chain_makes_the_platform_unhealthy(monitor, closed_chain):
    heartbeat_record()
    response = monitor.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["checks"]["chain"]["ok"] is False
    assert report["checks"]["indexer"]["last_block"] == 42
    assert report["checks"]["worker"]["ok"] is True
    assert report["checks"]["outbox"] == {"ok": True, "paused": False, "queued": 0, "in_flight": 0, "failed_last_hour": 0, "stuck_transactions": 0}


def test_a_stale_worker_heartbeat_is_reported(monitor, closed_chain):
    Heartbeat.objects.create(name="worker", beat_at=timezone.now() - HEARTBEAT_STALE_AFTER - timedelta(seconds=5))
    worker = monitor.get("/healthz").json()["checks"]["worker"]
    assert worker["ok"] is False
    assert worker["heartbeat_age_seconds"] > HEARTBEAT_STALE_AFTER.total_seconds()


def test_no_heartbeat_at_all_says_what_to_start(monitor, closed_chain):
    assert "Celery worker and beat" in monitor.get("/healthz").json()["checks"]["worker"]["error"]


def test_health_needs_no_sign_in_and_is_never_cached(client, closed_chain):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_a_reorganisation_deeper_than_the_depth_is_said_in_words(monitor, closed_chain, settings):
    from chain.models import HaltCause

    settings.CHAIN_CONFIRMATIONS = 3
    IndexerState.objects.update(
        halted_reason="Reorganisation deeper than 3 blocks: block 42 was 0x01, is now 0x02.",
        halted_cause=HaltCause.REORGANISED, halted_head=50,
    )
    report = monitor.get("/healthz").json()

    indexer = report["checks"]["indexer"]
    assert indexer["ok"] is False and indexer["lag_blocks"] is None
    assert indexer["problem"] == "A reorganisation deeper than 3 blocks replaced block 42, which the mirror had indexed."
    assert indexer["halted"].startswith("Reorganisation deeper than 3 blocks")
    assert report["checks"]["outbox"]["paused"] is True and report["checks"]["outbox"]["ok"] is False
