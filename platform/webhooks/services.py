"""Webhook endpoints and events. An event becomes one delivery row per interested endpoint, in the
database transaction of the change it reports; the deliveries go out after it commits."""

import secrets
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.db import transaction

from chain import keys

from .models import WebhookDelivery, WebhookEndpoint

EVENTS = (
    "invoice.registered",
    "invoice.confirmed",
    "invoice.disputed",
    "invoice.failed",
    "invoice.repaid",
    "invoice.overdue",
    "invoice.defaulted",
    "financing.approved",
    "financing.rejected",
)


def webhook_endpoint_create(*, created_by, url: str, events: list[str] | None = None) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the user's organisation and its signing secret, shown this once."""
    if urlparse(url).scheme not in ("https", "http") or not urlparse(url).netloc:
        raise ValidationError({"url": "Give an http(s) URL."})
    unknown = sorted(set(events or []) - set(EVENTS))
    if unknown:
        raise ValidationError({"events": f"Unknown events: {', '.join(unknown)}. Known: {', '.join(EVENTS)}."})
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        organisation=created_by.organisation, url=url, events=list(events or []), encrypted_secret=keys.encrypt(secret.encode())
    )
    return endpoint, secret


def webhook_event_publish(*, organisations, event: str, payload: dict) -> list[WebhookDelivery]:
    """Queues `event` for every active endpoint of the organisations that wants it."""
    from .tasks import webhook_deliver  # tasks import the delivery module, which imports models

    deliveries = [
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=payload)
        for endpoint in WebhookEndpoint.objects.filter(organisation__in=organisations, active=True)
        if endpoint.wants(event)
    ]
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: webhook_deliver.delay(pk))
    return deliveries
