"""Webhooks never reach the platform's own network: an endpoint whose host is, or resolves to, a
loopback, private, link-local, multicast, reserved or unique-local address is refused when it is
registered and again when a delivery goes out (the name may re-resolve: DNS rebinding); the
delivery connects to the address it checked, follows no redirect, and the deployment's allow-list
(WEBHOOK_ALLOWED_NETWORKS) is the one way to a private network.

Every connection of this module goes to a recording HTTP server on loopback. Other address classes
are proved with IP literals, refused before any connection, and with a resolver stub that answers
a public-looking name with the address of the class."""

import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from chain import keys
from organisations.models import Role
from webhooks import delivery
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create, webhook_event_publish

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NAME = "erp.supplier-example.com"
PUBLIC_LOOKING = "93.184.215.14"  # answered only while no delivery runs: nothing may connect to it


class Recorder(BaseHTTPRequestHandler):
    """Records every request that reaches it; answers `answer` (status, extra headers)."""

    answer: tuple[int, dict] = (200, {})
    received: list[tuple[str, str, dict]] = []

    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        Recorder.received.append((self.command, self.path, dict(self.headers)))
        status, headers = Recorder.answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_HEAD = _record

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """The port of a recording server on 127.0.0.1 (and the same port is free on nothing else)."""
    Recorder.answer, Recorder.received = (200, {}), []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def resolver(monkeypatch):
    """Answers NAME with the addresses in `resolver.answers` (the first list first, the last one
    from then on) and every other host as the system would: only IP literals and localhost here."""
    real = socket.getaddrinfo

    class Stub:
        answers: list[list[str]] = [[PUBLIC_LOOKING]]
        calls = 0

        def __call__(self, host, port, *args, **kwargs):
            if host != NAME:
                return real(host, port, *args, **kwargs)
            addresses = self.answers[min(self.calls, len(self.answers) - 1)]
            self.calls += 1
            if not addresses:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port or 0, 0, 0)) if ":" in address
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))
                for address in addresses
            ]

    stub = Stub()
    monkeypatch.setattr(socket, "getaddrinfo", stub)
    return stub


@pytest.fixture
def user():
    return UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))


def _publish(user) -> WebhookDelivery:
    [queued] = webhook_event_publish(organisations=[user.organisation_id], event="invoice.confirmed", payload={"n": 1})
    return queued


REFUSED_LITERALS = [
    ("http://127.0.0.1:{port}/hooks", "a loopback address"),
    ("http://127.9.9.9:{port}/hooks", "a loopback address"),
    ("http://localhost:{port}/hooks", "a loopback address"),
    ("http://2130706433:{port}/hooks", "a loopback address"),  # 127.0.0.1 written as one number
    ("http://[::1]:{port}/hooks", "a loopback address"),
    ("http://[::ffff:127.0.0.1]:{port}/hooks", "a loopback address"),
    ("http://0.0.0.0:{port}/hooks", "an unspecified address"),
    ("http://10.0.0.1:{port}/hooks", "a private address"),
    ("http://172.16.5.4:{port}/hooks", "a private address"),
    ("http://192.168.1.1:{port}/hooks", "a private address"),
    ("http://[::ffff:10.0.0.1]:{port}/hooks", "a private address"),
    ("http://100.64.0.1:{port}/hooks", "a shared (carrier-grade NAT) address"),
    ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
    ("http://[fe80::1]:{port}/hooks", "a link-local address"),
    ("http://224.0.0.1:{port}/hooks", "a multicast address"),
    ("http://[ff02::1]:{port}/hooks", "a multicast address"),
    ("http://240.0.0.1:{port}/hooks", "a reserved address"),
    ("http://[fc00::1]:{port}/hooks", "a unique-local address"),
    ("http://[fd12:3456::1]:{port}/hooks", "a unique-local address"),
    ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "a link-local address"),  # NAT64 of 169.254.169.254
]


@pytest.mark.parametrize(("url", "kind"), REFUSED_LITERALS)
def test_an_endpoint_at_a_refused_address_is_refused_naming_the_rule(user, server, url, kind):
    with pytest.raises(ValidationError) as refusal:
        webhook_endpoint_create(created_by=user, url=url.format(port=server))

    [message] = refusal.value.message_dict["url"]
    assert f", {kind}:" in message and "public addresses only" in message
    assert not WebhookEndpoint.objects.exists()
    assert Recorder.received == []


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "a loopback address"),
    ("::1", "a loopback address"),
    ("::ffff:127.0.0.1", "a loopback address"),
    ("10.1.2.3", "a private address"),
    ("169.254.169.254", "a link-local address"),
    ("fd00::5", "a unique-local address"),
    ("239.1.1.1", "a multicast address"),
    ("255.255.255.255", "a reserved address"),
])
def test_a_name_that_resolves_to_a_refused_address_is_refused(user, server, resolver, address, kind):
    resolver.answers = [[address]]

    with pytest.raises(ValidationError) as refusal:
        webhook_endpoint_create(created_by=user, url=f"http://{NAME}:{server}/hooks")

    assert f", {kind}:" in refusal.value.message_dict["url"][0]
    assert Recorder.received == []


def test_a_name_with_one_refused_address_among_public_ones_is_refused(user, server, resolver):
    resolver.answers = [[PUBLIC_LOOKING, "127.0.0.1"]]

    with pytest.raises(ValidationError):
        webhook_endpoint_create(created_by=user, url=f"http://{NAME}:{server}/hooks")


def test_a_name_that_does_not_resolve_is_refused(user, resolver):
    resolver.answers = [[]]

    with pytest.raises(ValidationError) as refusal:
        webhook_endpoint_create(created_by=user, url=f"https://{NAME}/hooks")

    assert "does not resolve" in refusal.value.message_dict["url"][0]


def test_a_name_that_re_resolves_to_loopback_gets_no_delivery(user, server, resolver):
    webhook_endpoint_create(created_by=user, url=f"http://{NAME}:{server}/hooks")  # public when registered
    queued = _publish(user)
    resolver.answers = [["127.0.0.1"]]  # loopback from then on: the only address a delivery could reach

    with pytest.raises(delivery.DeliveryFailed):
        delivery.delivery_attempt(queued.pk)

    assert Recorder.received == []
    queued.refresh_from_db()
    assert (queued.status, queued.last_status_code, queued.last_error) == (
        DeliveryStatus.PENDING, None, "refused address"
    )


def test_an_endpoint_stored_before_the_rule_gets_no_delivery(user, server):
    WebhookEndpoint.objects.create(
        organisation=user.organisation, url=f"http://127.0.0.1:{server}/hooks", encrypted_secret=keys.encrypt(b"whsec_x")
    )
    queued = _publish(user)

    with pytest.raises(delivery.DeliveryFailed):
        delivery.delivery_attempt(queued.pk)

    assert Recorder.received == []
    queued.refresh_from_db()
    assert queued.last_error == "refused address"


def test_an_allowed_network_receives_deliveries(user, server, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    webhook_endpoint_create(created_by=user, url=f"http://127.0.0.1:{server}/hooks")
    queued = _publish(user)

    delivery.delivery_attempt(queued.pk)

    [(method, path, _headers)] = Recorder.received
    assert (method, path) == ("POST", "/hooks")
    queued.refresh_from_db()
    assert (queued.status, queued.last_status_code, queued.last_error) == (DeliveryStatus.DELIVERED, 200, "")


def test_the_delivery_connects_to_the_address_it_checked_and_names_the_host(user, server, resolver, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    resolver.answers = [["127.0.0.1"], ["127.0.0.1"], []]  # registration, delivery, then no answer at all
    webhook_endpoint_create(created_by=user, url=f"http://{NAME}:{server}/hooks")
    queued = _publish(user)

    delivery.delivery_attempt(queued.pk)

    [(_method, _path, headers)] = Recorder.received
    assert headers["Host"] == f"{NAME}:{server}"
    assert resolver.calls == 2


def test_a_redirect_is_not_followed(user, server, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    webhook_endpoint_create(created_by=user, url=f"http://127.0.0.1:{server}/hooks")
    queued = _publish(user)
    Recorder.answer = (302, {"Location": f"http://127.0.0.1:{server}/internal/admin"})

    with pytest.raises(delivery.DeliveryFailed):
        delivery.delivery_attempt(queued.pk)

    assert [(method, path) for method, path, _headers in Recorder.received] == [("POST", "/hooks")]
    queued.refresh_from_db()
    assert (queued.status, queued.last_status_code, queued.last_error) == (
        DeliveryStatus.PENDING, 302, "redirect not followed"
    )


def test_https_is_required_where_the_setting_says_so(user, server, settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]

    with pytest.raises(ValidationError) as refusal:
        webhook_endpoint_create(created_by=user, url=f"http://127.0.0.1:{server}/hooks")

    assert "https" in refusal.value.message_dict["url"][0]


def test_a_stored_http_endpoint_gets_no_delivery_where_https_is_required(user, server, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    webhook_endpoint_create(created_by=user, url=f"http://127.0.0.1:{server}/hooks")
    queued = _publish(user)
    settings.WEBHOOK_REQUIRE_HTTPS = True

    with pytest.raises(delivery.DeliveryFailed):
        delivery.delivery_attempt(queued.pk)

    assert Recorder.received == []
    queued.refresh_from_db()
    assert queued.last_error == "HTTPS required"


def test_production_requires_https_and_allows_no_private_network_by_default():
    project = Path(__file__).resolve().parents[3]
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "WEBHOOK_"))}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "production-test-" + "x" * 50,
        "KEY_ENCRYPTION_KEY": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",  # test-only Fernet key
        "FINGERPRINT_SALT": "production-test-salt",
        "DATABASE_URL": "postgres://scf@db.internal:5432/scf",
        "CELERY_BROKER_URL": "redis://broker.internal:6379/0",
        "CHAIN_RPC_URL": "https://besu.internal:8545",
    }
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c",
         "from django.conf import settings; print(settings.WEBHOOK_REQUIRE_HTTPS, settings.WEBHOOK_ALLOWED_NETWORKS)"],
        cwd=project, env=environment, capture_output=True, text=True, timeout=120,
    )

    assert shown.stdout.split() == ["True", "[]"], shown.stderr
