"""The invoices REST API, for the caller's organisation only: list (filtered, ordered) and read
the invoices it sold, bought or holds pieces of; suppliers submit, the buyer confirms, disputes
and repays. Confirm, dispute and repay answer 202 with the queued on-chain action."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chain.api import ChainActionSerializer, queued
from chain.models import ChainAction
from config.api import RolesByAction, queues_transaction, request_key
from organisations.models import Role

from . import repayments, selectors, services
from .filters import InvoiceFilter
from .models import Currency, Invoice, Piece


@extend_schema_field({"type": "string", "enum": Currency.names})
class CurrencyCodeField(serializers.Field):
    """A currency as its code (USDC, EURT), whatever the language of the request."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: int) -> str:
        return Currency(value).name


class PieceSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.name")

    class Meta:
        model = Piece
        fields = ["index", "parent_index", "holder", "amount", "financed", "claimed"]


class InvoiceSerializer(serializers.ModelSerializer):
    seller = serializers.CharField(source="seller.name")
    buyer = serializers.CharField(source="buyer.name")
    seller_id = serializers.IntegerField()
    buyer_id = serializers.IntegerField()
    currency = CurrencyCodeField()
    pieces = PieceSerializer(many=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "number", "seller", "seller_id", "buyer", "buyer_id", "amount", "currency", "issue_date", "due_date",
            "status", "fingerprint", "document_hash", "repaid", "pieces", "created_at",
        ]


class InvoiceSubmitSerializer(serializers.Serializer):
    buyer = serializers.IntegerField(min_value=1, help_text="The core firm's organisation id.")
    number = serializers.CharField(max_length=200)
    amount = serializers.CharField(max_length=40, help_text="Decimal string in currency units, at most 6 decimals.")
    currency = serializers.CharField(max_length=8, help_text="USDC or EURT.")
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    documents = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=20)


class DisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the goods or services are contested.")


class RepaySerializer(serializers.Serializer):
    amount = serializers.CharField(max_length=40, help_text="Decimal string in currency units, at most 6 decimals.")


class InvoiceViewSet(RolesByAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoices your organisation sold, bought or holds pieces of, newest first. Amounts are in
    micro-units (6 decimals) of the currency."""

    serializer_class = InvoiceSerializer
    queryset = Invoice.objects.none()  # the real one is per organisation: get_queryset
    lookup_url_kwarg = "invoice_id"
    filterset_class = InvoiceFilter
    ordering_fields = ["due_date", "issue_date", "amount", "number", "status", "created_at"]
    action_roles = {
        "create": (Role.SUPPLIER,),
        "confirm": (Role.CORE_FIRM,),
        "dispute": (Role.CORE_FIRM,),
        "repay": (Role.CORE_FIRM,),
    }

    def get_queryset(self):
        return selectors.invoices_visible_to(self.request.user.organisation)

    @queues_transaction(request=InvoiceSubmitSerializer, responses={201: InvoiceSerializer})
    def create(self, request):
        """Submits an invoice; its on-chain registration is queued and shows in its status."""
        fields = InvoiceSubmitSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        data = fields.validated_data
        invoice = services.invoice_submit(
            submitted_by=request.user, buyer_id=data["buyer"], number=data["number"], amount=data["amount"],
            currency=data["currency"], issue_date=data["issue_date"], due_date=data["due_date"],
            document_ids=data["documents"],
        )
        return Response(InvoiceSerializer(self.get_queryset().get(pk=invoice.pk)).data, status=status.HTTP_201_CREATED)

    @queues_transaction(request=None, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, invoice_id=None):
        """The buyer confirms a registered invoice: it becomes its promise to pay on the due date."""
        invoice = services.invoice_confirm(invoice=self.get_object(), confirmed_by=request.user)
        return queued(ChainAction.objects.get(idempotency_key=f"invoice-confirm:{invoice.pk}"), request)

    @queues_transaction(request=DisputeSerializer, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def dispute(self, request, invoice_id=None):
        """The buyer disputes a registered invoice; only a salted hash of the reason goes on chain."""
        fields = DisputeSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        invoice = services.invoice_dispute(
            invoice=self.get_object(), disputed_by=request.user, reason=fields.validated_data["reason"]
        )
        return queued(ChainAction.objects.get(idempotency_key=f"invoice-dispute:{invoice.pk}"), request)

    @queues_transaction(request=RepaySerializer, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def repay(self, request, invoice_id=None):
        """The buyer repays all or part of a confirmed or overdue invoice. Each Idempotency-Key is
        one payment: a retry with it pays nothing more, the next instalment needs a new key."""
        fields = RepaySerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        repayment = repayments.invoice_repay(
            invoice=self.get_object(), repaid_by=request.user, amount=fields.validated_data["amount"],
            request_key=request_key(request),
        )
        return queued(repayment, request)
