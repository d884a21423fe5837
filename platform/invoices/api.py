"""The invoices REST API: list, read and submit, for the caller's organisation only."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from chain.models import ChainAction
from config.idempotency import HEADER, idempotent

from . import selectors, services
from .models import Invoice, Piece


class PieceSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.name")

    class Meta:
        model = Piece
        fields = ["index", "parent_index", "holder", "amount", "financed", "claimed"]


class InvoiceSerializer(serializers.ModelSerializer):
    seller = serializers.CharField(source="seller.name")
    buyer = serializers.CharField(source="buyer.name")
    currency = serializers.CharField(source="get_currency_display")
    pieces = PieceSerializer(many=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "number", "seller", "buyer", "amount", "currency", "issue_date", "due_date", "status",
            "fingerprint", "document_hash", "repaid", "pieces", "created_at",
        ]


class InvoiceSubmitSerializer(serializers.Serializer):
    buyer = serializers.IntegerField(help_text="The core firm's organisation id.")
    number = serializers.CharField(max_length=200)
    amount = serializers.CharField(help_text="Decimal string in currency units, at most 6 decimals.")
    currency = serializers.CharField(help_text="USDC or EURT.")
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    documents = serializers.ListField(child=serializers.IntegerField(), min_length=1)


def _as_drf_error(error: Exception):
    if isinstance(error, DjangoPermissionDenied):
        return PermissionDenied(str(error))
    return ValidationError(error.message_dict if hasattr(error, "message_dict") else error.messages)


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = InvoiceSerializer
    queryset = Invoice.objects.none()  # the real one is per organisation: get_queryset

    def get_queryset(self):
        return selectors.invoices_visible_to(self.request.user.organisation)

    @extend_schema(
        request=InvoiceSubmitSerializer,
        responses={201: InvoiceSerializer},
        parameters=[OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=True)],
    )
    @idempotent
    def create(self, request):
        """Submits an invoice; its on-chain registration is queued and shows in its status."""
        fields = InvoiceSubmitSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        data = fields.validated_data
        try:
            invoice = services.invoice_submit(
                submitted_by=request.user, buyer_id=data["buyer"], number=data["number"], amount=data["amount"],
                currency=data["currency"], issue_date=data["issue_date"], due_date=data["due_date"],
                document_ids=data["documents"],
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _as_drf_error(error) from None
        return Response(InvoiceSerializer(selectors.invoices_visible_to(request.user.organisation).get(pk=invoice.pk)).data,
                        status=status.HTTP_201_CREATED)
