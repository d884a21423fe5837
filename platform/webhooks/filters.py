"""Query filters of the webhook deliveries log of the API."""

import django_filters

from api.filters import ObjectIdFilter

from .models import DeliveryStatus, WebhookDelivery
from .services import EVENTS


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event = django_filters.ChoiceFilter(choices=[(event, event) for event in EVENTS])
    endpoint = ObjectIdFilter(field_name="endpoint_id", help_text="The webhook endpoint's id.")

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event", "endpoint"]
