"""Webhooks over the API, for the caller's organisation: its endpoints (the signing secret is
shown once, in the answer that creates one) and the log of every delivery to them."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from api.representation import ListedFields

from .filters import DeliveryFilter
from .models import WebhookDelivery, WebhookEndpoint
from .services import EVENTS, webhook_endpoint_create


class WebhookEndpointSerializer(ListedFields, serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENTS), help_text="Event names to send; empty means all."
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "active", "created_at"]


class WebhookEndpointCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENTS), required=False, default=list, max_length=len(EVENTS),
        help_text="Event names to send; empty or left out means all.",
    )


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="The HMAC signing key: shown this once, store it now.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Endpoints receive events as JSON POSTs signed in `X-SCF-Signature: t=<unix time>,v1=<hex>`,
    the HMAC-SHA256 of `<t>.<body>` with the endpoint's secret. Deleting one deletes its log."""

    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()  # the real one is per organisation: get_queryset
    lookup_url_kwarg = "endpoint_id"
    ordering_fields = ["created_at", "url"]

    def get_queryset(self):
        organisation = self.request.user.organisation
        return WebhookEndpoint.objects.filter(organisation=organisation).order_by("-created_at", "-pk")

    @extend_schema(request=WebhookEndpointCreateSerializer, responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request):
        """Adds an endpoint; the answer holds its signing secret, which is never shown again."""
        fields = WebhookEndpointCreateSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        endpoint, secret = webhook_endpoint_create(created_by=request.user, **fields.validated_data)
        endpoint.secret = secret
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDeliverySerializer(ListedFields, serializers.ModelSerializer):
    url = serializers.CharField(source="endpoint.url")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "endpoint", "url", "event", "payload", "status", "attempts", "last_status_code", "last_error",
            "created_at", "delivered_at",
        ]
        extra_kwargs = {
            "last_status_code": {"help_text": "The status code of the last answer; null when none arrived."},
            "last_error": {
                "help_text": "Why the last attempt failed, as a short class: timeout, connection refused, connection "
                "failed, TLS error, refused address, name not resolved, HTTPS required, redirect not followed, "
                "error status, response too large, bad response, bad URL. The answer's body is never kept."
            },
        }


class WebhookDeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every delivery to your endpoints, newest first, with its attempts and last answer."""

    serializer_class = WebhookDeliverySerializer
    queryset = WebhookDelivery.objects.none()  # the real one is per organisation: get_queryset
    filterset_class = DeliveryFilter
    ordering_fields = ["created_at", "status"]

    def get_queryset(self):
        return (
            WebhookDelivery.objects.filter(endpoint__organisation=self.request.user.organisation)
            .select_related("endpoint")
            .order_by("-created_at", "-pk")
        )
