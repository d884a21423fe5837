"""One attempt to deliver a webhook: a JSON POST signed with HMAC-SHA256 over
`<timestamp>.<body>` with the endpoint's secret, in the header
`X-SCF-Signature: t=<timestamp>,v1=<hex>`. A 2xx answer delivers it; anything else is recorded
on the delivery and raised, for the task to retry with backoff."""

import hashlib
import hmac
import json
import time

import requests
from django.db.models import F
from django.utils import timezone

from chain import keys

from .models import DeliveryStatus, WebhookDelivery

TIMEOUT_SECONDS = 10


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
        response = requests.post(delivery.endpoint.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(last_error=f"{type(error).__name__}: {error}"[:500])
        raise DeliveryFailed(str(error)) from error
    WebhookDelivery.objects.filter(pk=delivery.pk).update(last_status_code=response.status_code)
    if not 200 <= response.status_code < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(last_error=response.text[:500])
        raise DeliveryFailed(f"HTTP {response.status_code}")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), last_error=""
    )


def delivery_give_up(delivery_id: int) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(status=DeliveryStatus.FAILED)
