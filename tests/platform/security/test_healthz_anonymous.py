"""/healthz tells an anonymous caller only whether the platform is healthy; the checks (versions,
lags, error messages) go to a monitor with the monitoring token or a verified admin or auditor."""

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from chain.health import heartbeat_record
from factories import OrganisationFactory, UserFactory
from organisations.models import Role
from signin import verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

TOKEN = "monitoring-token-for-tests"


@pytest.fixture(autouse=True)
def _closed_chain(settings):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # loopback, nothing listens
    settings.HEALTH_MONITORING_TOKEN = TOKEN
    heartbeat_record()


def test_an_anonymous_caller_gets_only_ok_or_not_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"ok": False}


def test_a_wrong_or_malformed_token_gets_only_ok_or_not_ok(client):
    for header in (f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer "):
        assert client.get("/healthz", HTTP_AUTHORIZATION=header).json() == {"ok": False}


def test_no_token_is_accepted_when_none_is_configured(client, settings):
    settings.HEALTH_MONITORING_TOKEN = ""
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").json() == {"ok": False}


def test_the_monitoring_token_gets_every_check(client):
    report = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    assert set(report["checks"]) == {"database", "chain", "indexer", "outbox", "worker"}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR])
def test_a_verified_admin_or_auditor_gets_every_check(client, role):
    verified(client, UserFactory(organisation=OrganisationFactory(role=role)))
    assert "checks" in client.get("/healthz").json()


def test_an_admin_without_a_second_factor_gets_only_ok_or_not_ok(client):
    client.force_login(UserFactory(organisation=OrganisationFactory(role=Role.ADMIN)))
    assert client.get("/healthz").json() == {"ok": False}


def test_other_signed_in_roles_get_only_ok_or_not_ok(client):
    verified(client, UserFactory(organisation=OrganisationFactory(role=Role.LENDER)))
    assert client.get("/healthz").json() == {"ok": False}


def test_a_database_failure_shows_no_error_text_to_anonymous_callers(client, monkeypatch):
    from django.db import DatabaseError
    from chain import health

    def failing(*, in_full):
        raise DatabaseError("connection to server at db.internal failed for user scf")

    monkeypatch.setattr(health, "chain_health", failing)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"ok": False}


class _Instance(BaseHTTPRequestHandler):
    """A stand-in /healthz on loopback that answers as the platform does: the checks only for the token."""

    authorizations: list[str] = []

    def do_GET(self):
        authorization = self.headers.get("Authorization", "")
        self.authorizations.append(authorization)
        report = {"ok": True, "checks": {"database": {"ok": True}}} if authorization == f"Bearer {TOKEN}" else {"ok": True}
        body = json.dumps(report).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def instance():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Instance)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Instance.authorizations = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _smoke():
    spec = importlib.util.spec_from_file_location("smoke", Path(__file__).parents[3] / "scripts" / "smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_smoke_sends_the_monitoring_token_from_the_environment(instance, monkeypatch, capsys):
    monkeypatch.setenv("HEALTH_MONITORING_TOKEN", TOKEN)
    assert _smoke().main(instance) == 0
    assert _Instance.authorizations == [f"Bearer {TOKEN}"]
    assert "database" in capsys.readouterr().out


def test_make_smoke_without_a_token_reports_only_healthy_or_not(instance, monkeypatch, capsys):
    monkeypatch.delenv("HEALTH_MONITORING_TOKEN", raising=False)
    assert _smoke().main(instance) == 0
    assert _Instance.authorizations == [""]
    assert capsys.readouterr().out.splitlines()[-1] == "healthy"
