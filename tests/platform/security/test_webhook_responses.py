"""What an endpoint answers cannot hurt the worker or leak into the log: the answer's head is read
up to a few KB within one deadline for the whole attempt, its body is never read, and the delivery
log keeps only the status code and a short class of the error. Deliveries have a queue of their
own, so a slow endpoint never delays the chain's senders, and every worker the project starts
for development and tests consumes it."""

import inspect
import re
import socket
import threading
import time
import tracemalloc
from pathlib import Path
from socketserver import BaseRequestHandler, ThreadingTCPServer

import pytest

from config.celery import app
from localnet import Worker
from organisations.models import Role
from webhooks import delivery
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import webhook_endpoint_create, webhook_event_publish
from webhooks.tasks import webhook_deliver

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_PAGE = b"<h1>Internal error</h1><pre>postgres://scf:hunter2@db.internal/scf</pre>"
HUGE_BYTES = 200 * 1024 * 1024


def _answer_huge(request):
    request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % HUGE_BYTES)
    chunk = b"x" * 65536
    for _ in range(HUGE_BYTES // len(chunk)):
        request.sendall(chunk)


def _answer_huge_head(request):
    request.sendall(b"HTTP/1.1 200 OK\r\n")
    for number in range(1000):
        request.sendall(b"X-Filler-%d: %s\r\n" % (number, b"y" * 1000))
    request.sendall(b"\r\n")


def _answer_slowly(request):
    """A head dripped one byte every 0.2 s, for 15 s in all."""
    for byte in (b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 75)[:75]:
        request.sendall(bytes([byte]))
        time.sleep(0.2)


def _answer_an_error_page(request):
    request.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d\r\n\r\n%s" % (len(SECRET_PAGE), SECRET_PAGE))


def _answer_an_endless_body_slowly(request):
    request.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(150):
        request.sendall(b"1\r\nx\r\n")
        time.sleep(0.1)


class Answering(BaseRequestHandler):
    """Reads the request's head and body, then answers with `Answering.answer(socket)`; a TLS
    handshake gets a plain-text answer, which no TLS client accepts."""

    answer = staticmethod(_answer_huge)
    stall_tls = False

    def handle(self):
        received = self.request.recv(65536)
        if received.startswith(b"\x16"):  # a TLS record: the client expects a certificate
            if Answering.stall_tls:
                time.sleep(15)
            self.request.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            return
        while b"\r\n\r\n" not in received:
            more = self.request.recv(65536)
            if not more:
                return
            received += more
        head, _, body = received.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
        while len(body) < length:
            body += self.request.recv(65536)
        try:
            Answering.answer(self.request)
        except OSError:  # the client hung up: that is what these tests want
            pass


@pytest.fixture
def endpoint_url(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    Answering.stall_tls = False
    ThreadingTCPServer.daemon_threads = True
    server = ThreadingTCPServer(("127.0.0.1", 0), Answering)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    server.shutdown()
    server.server_close()


@pytest.fixture
def queued(endpoint_url) -> WebhookDelivery:
    user = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))
    webhook_endpoint_create(created_by=user, url=endpoint_url)
    [queued] = webhook_event_publish(organisations=[user.organisation_id], event="invoice.repaid", payload={"n": 1})
    return queued


def _attempt(queued) -> tuple[float, int]:
    """Delivers once; the seconds it took and the peak of memory allocated meanwhile."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        delivery.delivery_attempt(queued.pk)
    except delivery.DeliveryFailed:
        pass
    finally:
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        queued.refresh_from_db()
    return elapsed, peak


def test_a_huge_answer_is_not_read(queued):
    Answering.answer = staticmethod(_answer_huge)

    elapsed, peak = _attempt(queued)

    assert peak < 1024 * 1024
    assert elapsed < 5
    assert (queued.status, queued.last_status_code, queued.last_error) == (DeliveryStatus.DELIVERED, 200, "")


def test_a_huge_head_is_cut_at_the_limit(queued):
    Answering.answer = staticmethod(_answer_huge_head)

    _, peak = _attempt(queued)

    assert peak < 1024 * 1024
    assert (queued.status, queued.last_status_code, queued.last_error) == (
        DeliveryStatus.PENDING, None, "response too large"
    )


def test_a_slow_answer_is_cut_at_the_deadline(queued, monkeypatch):
    monkeypatch.setattr(delivery, "DEADLINE_SECONDS", 1, raising=False)
    Answering.answer = staticmethod(_answer_slowly)

    elapsed, _ = _attempt(queued)

    assert elapsed < 3
    assert (queued.status, queued.last_status_code, queued.last_error) == (DeliveryStatus.PENDING, None, "timeout")


def test_an_endless_slow_body_does_not_hold_the_worker(queued, monkeypatch):
    monkeypatch.setattr(delivery, "DEADLINE_SECONDS", 1, raising=False)
    Answering.answer = staticmethod(_answer_an_endless_body_slowly)

    elapsed, _ = _attempt(queued)

    assert elapsed < 3
    assert (queued.status, queued.last_status_code) == (DeliveryStatus.DELIVERED, 200)


def test_an_error_answer_stores_its_status_and_never_its_body(queued):
    Answering.answer = staticmethod(_answer_an_error_page)

    _attempt(queued)

    assert "hunter2" not in queued.last_error
    assert (queued.status, queued.last_status_code, queued.last_error) == (DeliveryStatus.PENDING, 500, "error status")


def test_a_closed_port_is_logged_as_connection_refused(queued):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    queued.endpoint.url = f"http://127.0.0.1:{free_port}/hooks"
    queued.endpoint.save()

    _attempt(queued)

    assert (queued.last_status_code, queued.last_error) == (None, "connection refused")


def test_an_untrusted_certificate_is_logged_as_a_tls_error(queued):
    queued.endpoint.url = queued.endpoint.url.replace("http://", "https://")
    queued.endpoint.save()

    _attempt(queued)

    assert (queued.last_status_code, queued.last_error) == (None, "TLS error")


def test_a_stalled_tls_handshake_is_cut_at_the_deadline(queued, monkeypatch):
    monkeypatch.setattr(delivery, "DEADLINE_SECONDS", 1)
    queued.endpoint.url = queued.endpoint.url.replace("http://", "https://")
    queued.endpoint.save()
    Answering.stall_tls = True

    elapsed, _ = _attempt(queued)

    assert elapsed < 3
    assert (queued.last_status_code, queued.last_error) == (None, "timeout")


def test_deliveries_have_a_queue_of_their_own():
    queue = app.amqp.router.route({}, webhook_deliver.name)["queue"].name
    chain_send = app.amqp.router.route({}, "chain.tasks.action_send_task")["queue"].name

    assert (queue, chain_send) == ("webhooks", "celery")


def test_the_development_and_test_workers_consume_the_webhooks_queue():
    run_platform = (Path(__file__).resolve().parents[3] / "tools" / "run-platform.sh").read_text()
    [queues] = re.findall(r"celery -A config worker .*-Q (\S+)", run_platform)

    assert "webhooks" in queues.split(",")
    assert "webhooks" in inspect.signature(Worker).parameters["queues"].default.split(",")
