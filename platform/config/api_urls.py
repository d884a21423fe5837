"""The REST API's routes, under /api/: every portal operation for an organisation's ERP, its
OpenAPI schema and its docs. Objects are addressed by the project's URL kwargs (`invoice_id`,
`piece_id`, `request_id`, `programme_id`, `organisation_id`, `action_id`)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from chain.api import ChainActionViewSet
from documents.api import DocumentUploadView
from financing.api import FinancingRequestViewSet, ProgrammeViewSet
from invoices.api import InvoiceViewSet
from invoices.api_receivables import ReceivableViewSet
from organisations.api import CounterpartyViewSet
from webhooks.api import WebhookDeliveryViewSet, WebhookEndpointViewSet



class ApiRouter(DefaultRouter):
    """Routes every path segment in an object's place to its viewset, which answers 404 in JSON
    for one that is no id (DRF's default pattern leaves `1.5` to Django's HTML 404); no `.json`
    suffixes: one address per resource."""

    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>[^/]+)"


router = ApiRouter()
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("receivables", ReceivableViewSet, basename="receivable")
router.register("financing-requests", FinancingRequestViewSet, basename="financing-request")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("organisations", CounterpartyViewSet, basename="organisation")
router.register("actions", ChainActionViewSet, basename="action")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [
    path("", include(router.urls)),
    path("documents/", DocumentUploadView.as_view(), name="document-upload"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
