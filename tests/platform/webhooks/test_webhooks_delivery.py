"""Webhooks against a real HTTP server on loopback: signed deliveries, failures logged and
retried, endpoints validated, events published when a chain event changes an invoice."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError

from chain.handlers import event_apply
from invoices.models import InvoiceStatus
from organisations.models import Role
from webhooks import delivery
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import webhook_endpoint_create, webhook_event_publish

from factories import ChainEventFactory, InvoiceFactory, RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        self.send_response(Receiver.answers.pop(0) if Receiver.answers else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    """The receiver is on loopback, which webhooks reach only as an allowed network."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def receiver():
    Receiver.answers, Receiver.received = [], []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()


@pytest.fixture
def user():
    return UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))


def _publish(user, event="invoice.confirmed") -> WebhookDelivery:
    [queued] = webhook_event_publish(organisations=[user.organisation_id], event=event, payload={"invoice": 7})
    return queued


def test_a_delivery_is_signed_with_the_endpoints_secret(user, receiver):
    _, secret = webhook_endpoint_create(created_by=user, url=receiver)
    queued = _publish(user)

    delivery.delivery_attempt(queued.pk)

    [(headers, body)] = Receiver.received
    timestamp, signed = (part.split("=", 1)[1] for part in headers["X-SCF-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signed, expected)
    assert json.loads(body) == {"event": "invoice.confirmed", "delivery": queued.pk, "data": {"invoice": 7}}
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)


def test_a_refused_delivery_is_logged_and_raised_for_a_retry_then_delivered(user, receiver):
    webhook_endpoint_create(created_by=user, url=receiver)
    queued = _publish(user)
    Receiver.answers = [503]

    with pytest.raises(delivery.DeliveryFailed):
        delivery.delivery_attempt(queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.last_status_code, queued.last_error) == (
        DeliveryStatus.PENDING, 1, 503, "error status"
    )

    delivery.delivery_attempt(queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_an_unreachable_endpoint_is_logged(user):
    webhook_endpoint_create(created_by=user, url="http://127.0.0.1:9/nothing-listens")
    queued = _publish(user)

    with pytest.raises(delivery.DeliveryFailed):
        delivery.delivery_attempt(queued.pk)

    queued.refresh_from_db()
    assert (queued.last_status_code, queued.last_error) == (None, "connection refused")


def test_after_the_last_retry_the_delivery_is_marked_failed(user, receiver):
    webhook_endpoint_create(created_by=user, url=receiver)
    queued = _publish(user)

    delivery.delivery_give_up(queued.pk)

    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.FAILED


def test_the_secret_is_stored_encrypted(user, receiver):
    endpoint, secret = webhook_endpoint_create(created_by=user, url=receiver)

    assert secret.encode() not in bytes(endpoint.encrypted_secret)


@pytest.mark.parametrize(("field", "url", "events"), [
    ("url", "ftp://example.com/hook", []),
    ("url", "not a url", []),
    ("events", "https://example.com/hook", ["invoice.exploded"]),
])
def test_bad_endpoints_are_refused_by_field(user, field, url, events):
    with pytest.raises(ValidationError) as refusal:
        webhook_endpoint_create(created_by=user, url=url, events=events)

    assert list(refusal.value.message_dict) == [field]


def test_an_endpoint_gets_only_the_events_it_asked_for(user, receiver):
    webhook_endpoint_create(created_by=user, url=receiver, events=["invoice.repaid"])

    assert webhook_event_publish(organisations=[user.organisation_id], event="invoice.confirmed", payload={}) == []


def test_a_confirmation_from_the_chain_is_published_to_seller_and_buyer(receiver, django_capture_on_commit_callbacks):
    invoice = InvoiceFactory(status=InvoiceStatus.REGISTERED)
    for organisation in (invoice.seller, invoice.buyer):
        webhook_endpoint_create(created_by=UserFactory(organisation=organisation), url=receiver)
    event = ChainEventFactory(name="InvoiceConfirmed", args={"fingerprint": invoice.fingerprint, "buyer": "0x0"})

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_apply(event)

    deliveries = WebhookDelivery.objects.filter(event="invoice.confirmed")
    assert {delivery.endpoint.organisation_id for delivery in deliveries} == {invoice.seller_id, invoice.buyer_id}
    assert len(callbacks) == 2
