"""One attempt to deliver a webhook: a JSON POST signed with HMAC-SHA256 over
`<timestamp>.<body>` with the endpoint's secret, in the header
`X-SCF-Signature: t=<timestamp>,v1=<hex>`. A 2xx answer delivers it; anything else is recorded
on the delivery and raised, for the task to retry with backoff. What is recorded is the status code
and a short class of the error, never the answer's body: the endpoint's owner reads the log, and
the endpoint may be something else than theirs."""

import hashlib
import hmac
import json
import time

from django.db.models import F
from django.utils import timezone

from chain import keys

from . import client
from .models import DeliveryStatus, WebhookDelivery

DEADLINE_SECONDS = 10  # connect, TLS, send and the answer's head together: well inside the task's time limit
HEAD_LIMIT_BYTES = 8192  # the status line and headers; a larger head is no webhook receiver's
REDIRECT_NOT_FOLLOWED = "redirect not followed"
ERROR_STATUS = "error status"


class DeliveryFailed(Exception):
    pass


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def delivery_attempt(delivery_id: int) -> None:
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return
    body = json.dumps({"event": delivery.event, "delivery": delivery.pk, "data": delivery.payload}).encode()
    timestamp = int(time.time())
    secret = keys.decrypt(delivery.endpoint.encrypted_secret)
    headers = {
        "Content-Type": "application/json",
        "X-SCF-Event": delivery.event,
        "X-SCF-Delivery": str(delivery.pk),
        "X-SCF-Signature": f"t={timestamp},v1={signature(secret, timestamp, body)}",
    }
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    try:
        status = client.post(
            delivery.endpoint.url, body=body, headers=headers, deadline_seconds=DEADLINE_SECONDS, head_limit=HEAD_LIMIT_BYTES
        )
    except client.SendFailed as failure:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(last_status_code=None, last_error=str(failure))
        raise DeliveryFailed(str(failure)) from failure
    if not 200 <= status < 300:
        error = REDIRECT_NOT_FOLLOWED if 300 <= status < 400 else ERROR_STATUS
        WebhookDelivery.objects.filter(pk=delivery.pk).update(last_status_code=status, last_error=error)
        raise DeliveryFailed(f"HTTP {status}: {error}")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), last_status_code=status, last_error=""
    )


def delivery_give_up(delivery_id: int) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(status=DeliveryStatus.FAILED)
