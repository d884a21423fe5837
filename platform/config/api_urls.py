"""The REST API's routes, under /api/: every portal operation for an organisation's ERP, its
OpenAPI schema and its docs. Objects are addressed by the project's URL kwargs (`invoice_id`,
`piece_id`, `request_id`, `programme_id`, `organisation_id`, `action_id`)."""

from csp.decorators import csp_update
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from chain.api import ChainActionViewSet
from documents.api import DocumentUploadView
from financing.api import FinancingRequestViewSet, ProgrammeViewSet
from invoices.api import InvoiceViewSet
from invoices.api_receivables import ReceivableViewSet
from organisations.api import CounterpartyViewSet
from webhooks.api import WebhookDeliveryViewSet, WebhookEndpointViewSet


class ObjectIdConverter:
    """An object's id in a path. Any one segment matches, so that the viewset answers a JSON 404
    for one that is no id of the caller's (Django's own 404 is an HTML page); the schema
    documents it as an integer (SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"])."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(ObjectIdConverter, "object_id")


class ApiRouter(DefaultRouter):
    """Objects addressed by their `object_id`; no `.json` suffixes: one address per resource."""

    include_format_suffixes = False

    def __init__(self):
        super().__init__(use_regex_path=False)

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        return f"<object_id:{lookup_prefix}{lookup_url_kwarg}>"


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
    # The split view serves Swagger UI's start-up script as a file of its own, not inline, so the
    # page keeps to the Content-Security-Policy's script-src 'self'. Its page and Swagger UI itself
    # still write inline styles: allowed on this page only, for styles only.
    path("docs/", csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
         name="docs"),
]
