"""Webhook endpoints and events. An event becomes one delivery row per interested endpoint, in the
database transaction of the change it reports; the deliveries go out after it commits."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chain import keys

from . import addresses
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
    "piece.written_off",
)


def _refuse_unsafe_url(url: str) -> None:
    """The URL must lead to a public address (or an allowed network); every delivery checks again,
    since a name can resolve elsewhere later."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number, or out of range
        port = None
    if parts.scheme not in ("https", "http") or not parts.hostname or port is None:
        raise ValidationError({"url": _("Give an http(s) URL.")})
    if settings.WEBHOOK_REQUIRE_HTTPS and parts.scheme != "https":
        raise ValidationError({"url": _("Give an https URL: webhooks are sent over TLS only.")})
    try:
        addresses.checked_address(parts.hostname, port)
    except (addresses.HostUnresolved, addresses.AddressRefused) as refusal:
        raise ValidationError({"url": str(refusal)}) from refusal


def webhook_endpoint_create(*, created_by, url: str, events: list[str] | None = None) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the user's organisation and its signing secret, shown this once."""
    _refuse_unsafe_url(url)
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
