"""The invoices REST API, for the caller's organisation only: list (filtered, ordered) and read
the invoices it sold, bought or holds pieces of; suppliers submit, one invoice or up to 500 at a
time, the buyer confirms, disputes and repays. Confirm, dispute and repay answer 202 with the
queued on-chain action."""

from functools import cached_property

from django.utils.translation import gettext as _

from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.idempotency import queues_transaction, request_key
from api.permissions import RolesByAction
from api.representation import ListedFields
from chain.api import ChainActionSerializer, queued
from chain.models import ActionPurpose
from chain.selectors import actions_about
from organisations.models import Role
from organisations.selectors import names_only

from . import lineage, selectors, services
from .filters import InvoiceFilter
from .models import Currency, Invoice


@extend_schema_field({"type": "string", "enum": Currency.names})
class CurrencyCodeField(serializers.Field):
    """A currency as its code (USDC, EURT), whatever the language of the request."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: int) -> str:
        return Currency(value).name


class PieceSerializer(ListedFields, serializers.Serializer):
    """A piece as the caller's organisation sees it (invoices.lineage)."""

    index = serializers.IntegerField()
    parent_index = serializers.IntegerField(allow_null=True, help_text="The piece it was split from; null for piece 0.")
    holder = serializers.CharField(
        source="holder.name",
        help_text="Its holder; of a financed piece outside your own, the supplier that had it financed.",
    )
    amount = serializers.IntegerField(help_text="Face value in micro-units (6 decimals) of the currency.")
    financed = serializers.BooleanField(allow_null=True, help_text="Of your own pieces only; null on the others.")
    claimed = serializers.IntegerField(
        allow_null=True, help_text="Micro-units its holder has collected; of your own pieces only, null on the others."
    )


class InvoiceSerializer(ListedFields, serializers.ModelSerializer):
    seller = serializers.CharField(source="seller.name")
    buyer = serializers.CharField(source="buyer.name")
    seller_id = serializers.IntegerField()
    buyer_id = serializers.IntegerField()
    currency = CurrencyCodeField()
    pieces = serializers.SerializerMethodField(
        help_text="The pieces you are party to: the buyer sees every piece; a holder its own pieces and their "
        "lineage up to piece 0, never a sibling piece, its holder or its lender; the seller also the pieces split "
        "off piece 0 while it is its own."
    )

    class Meta:
        model = Invoice
        fields = [
            "id", "number", "seller", "seller_id", "buyer", "buyer_id", "amount", "currency", "issue_date", "due_date",
            "status", "fingerprint", "document_hash", "supporting_documents_hash", "verified_from_einvoice",
            "possible_duplicate_of", "repaid", "dispute_reason", "pieces", "created_at",
        ]
        extra_kwargs = {
            "fingerprint": {"help_text": "The chain's id of the invoice: keccak256(seller's participant id, invoice key)."},
            "document_hash": {"help_text": "keccak256 of the invoice document's exact bytes; it backs this invoice only."},
            "verified_from_einvoice": {
                "help_text": "True when every field was checked against a UBL or Factur-X invoice; false for a plain "
                "PDF or scan, whose fields were typed."
            },
            "dispute_reason": {
                "help_text": "Why the buyer disputed the invoice, as it typed it; empty if not disputed or disputed "
                "before reasons were kept. The chain holds only its salted hash."
            },
            "possible_duplicate_of": {
                "help_text": "An earlier invoice with the same seller, buyer, amount and issue date under another "
                "number; the buyer must acknowledge it to confirm."
            },
        }


    @extend_schema_field(PieceSerializer(many=True))
    def get_pieces(self, invoice: Invoice) -> list[dict]:
        shown = lineage.visible_pieces(invoice, self.context["request"].user.organisation)
        return [self._piece_serializer.to_representation(piece) for piece in shown]

    @cached_property
    def _piece_serializer(self) -> PieceSerializer:
        """One for every invoice of a list: a serializer builds its fields when first used, which
        costs more than representing a piece."""
        return PieceSerializer(context=self.context)


class InvoiceSubmitSerializer(serializers.Serializer):
    buyer = serializers.IntegerField(min_value=1, help_text="The core firm's organisation id.")
    number = serializers.CharField(max_length=200)
    amount = serializers.CharField(max_length=40, help_text="Decimal string in currency units, at most 6 decimals.")
    currency = serializers.CharField(max_length=8, help_text="USDC or EURT.")
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    documents = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=20)


class InvoiceBulkSerializer(serializers.Serializer):
    invoices = InvoiceSubmitSerializer(
        many=True, min_length=1, max_length=services.MAX_BATCH,
        help_text=f"1 to {services.MAX_BATCH} invoices, each with the fields of a single submission.",
    )


class InvoiceBulkEnvelopeSerializer(serializers.Serializer):
    """The bulk request as it is read: a list of objects, each then checked on its own, so that one
    bad invoice is refused alone."""

    invoices = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=services.MAX_BATCH)


class BulkOutcomeSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The invoice's position in the request, from 0.")
    status = serializers.ChoiceField(choices=["created", "refused"])
    id = serializers.IntegerField(required=False, help_text="Created: the invoice's id.")
    number = serializers.CharField(required=False, help_text="Created: the invoice number as stored.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Refused: the messages by field; nothing of this invoice was stored.",
    )


class BulkAnswerSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="How many invoices were stored and queued for registration.")
    refused = serializers.IntegerField()
    results = BulkOutcomeSerializer(many=True, help_text="One per invoice, in the order of the request.")


def _messages_by_field(errors: dict) -> dict[str, list[str]]:
    """DRF's errors of one invoice as lists of messages: a list field's are keyed by position
    ({"documents": {"1": [...]}}), and become "1: ..." under the field."""
    flat = {}
    for name, messages in errors.items():
        if isinstance(messages, dict):
            messages = [f"{position}: {message}" for position, inner in messages.items() for message in inner]
        flat[name] = [str(message) for message in messages]
    return flat


class ConfirmSerializer(serializers.Serializer):
    acknowledge_duplicate = serializers.BooleanField(
        default=False, help_text="Required (true) when the invoice is a possible duplicate of an earlier one."
    )


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
    role_choices = Role
    action_roles = {
        "create": (Role.SUPPLIER,),
        "bulk": (Role.SUPPLIER,),
        "confirm": (Role.CORE_FIRM,),
        "dispute": (Role.CORE_FIRM,),
        "repay": (Role.CORE_FIRM,),
    }

    def get_queryset(self):
        invoices = lineage.with_lineage(selectors.invoices_visible_to(self.request.user.organisation))
        # A list shows its parties by name; the actions check the buyer's KYC on the loaded row.
        return names_only(invoices, "seller", "buyer") if self.action == "list" else invoices

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
        created = self.get_serializer(self.get_queryset().get(pk=invoice.pk))
        return Response(created.data, status=status.HTTP_201_CREATED)

    @queues_transaction(request=InvoiceBulkSerializer, responses={200: BulkAnswerSerializer})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Submits up to 500 invoices in one request, each checked as a single submission and against
        the invoices before it in the request (the same number or document twice: the later one is
        refused). Answers 200 with one result per invoice, in order: `created` with its id, or
        `refused` with the messages by field. The created ones are stored together and travel to the
        chain in batched registerInvoices transactions."""
        envelope = InvoiceBulkEnvelopeSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        results, lines = {}, {}
        for index, item in enumerate(envelope.validated_data["invoices"]):
            fields = InvoiceSubmitSerializer(data=item)
            if not fields.is_valid():
                results[index] = {"index": index, "status": "refused", "errors": _messages_by_field(fields.errors)}
                continue
            data = fields.validated_data
            lines[index] = services.InvoiceLine(
                buyer_id=data["buyer"], number=data["number"], amount=data["amount"], currency=data["currency"],
                issue_date=data["issue_date"], due_date=data["due_date"], document_ids=data["documents"],
                reference=_("item %(index)s") % {"index": index},
            )
        if lines:
            outcomes = services.invoices_submit(submitted_by=request.user, lines=list(lines.values()))
            for index, outcome in zip(lines, outcomes):
                results[index] = (
                    {"index": index, "status": "created", "id": outcome.invoice.pk, "number": outcome.invoice.number}
                    if outcome.invoice else {"index": index, "status": "refused", "errors": outcome.errors}
                )
        ordered = [results[index] for index in sorted(results)]
        created = sum(result["status"] == "created" for result in ordered)
        return Response({"created": created, "refused": len(ordered) - created, "results": ordered})

    @queues_transaction(request=ConfirmSerializer, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, invoice_id=None):
        """The buyer confirms a registered invoice: it becomes its promise to pay on the due date. A
        possible duplicate of an earlier invoice needs `acknowledge_duplicate: true`, which is recorded."""
        fields = ConfirmSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        invoice = services.invoice_confirm(
            invoice=self.get_object(), confirmed_by=request.user,
            acknowledge_duplicate=fields.validated_data["acknowledge_duplicate"],
        )
        return queued(actions_about(invoice, ActionPurpose.INVOICE_CONFIRM).get(), request)

    @queues_transaction(request=DisputeSerializer, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def dispute(self, request, invoice_id=None):
        """The buyer disputes a registered invoice; only a salted hash of the reason goes on chain."""
        fields = DisputeSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        invoice = services.invoice_dispute(
            invoice=self.get_object(), disputed_by=request.user, reason=fields.validated_data["reason"]
        )
        return queued(actions_about(invoice, ActionPurpose.INVOICE_DISPUTE).get(), request)

    @queues_transaction(request=RepaySerializer, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def repay(self, request, invoice_id=None):
        """The buyer repays all or part of a confirmed, overdue or defaulted invoice. Each
        Idempotency-Key is one payment: a retry with it pays nothing more, the next instalment
        needs a new key."""
        fields = RepaySerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        repayment = services.invoice_repay(
            invoice=self.get_object(), repaid_by=request.user, amount=fields.validated_data["amount"],
            request_key=request_key(request),
        )
        return queued(repayment, request)
