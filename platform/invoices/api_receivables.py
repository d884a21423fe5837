"""The receivables REST API: the pieces the caller's organisation holds, and what a holder does
with them: a supplier splits off a part for another supplier, transfers a whole piece, reads the
lenders' quotes for it and asks one of them to finance it; a lender writes off a financed piece of
a defaulted invoice. Splits, transfers and write-offs answer 202 with the queued on-chain action; a
financing request answers 201 with the request, whose status shows the chain's decision."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.filters import MAX_OBJECT_ID
from api.idempotency import queues_transaction
from api.permissions import RolesByAction
from api.representation import ListedFields
from chain.api import ChainActionSerializer, queued
from financing.api import FinancingRequestSerializer, financing_requests_visible_to
from financing.quotes import QuotesUnavailable, piece_quote, piece_quotes
from financing.services import financing_request, lender_to_ask, piece_write_off
from organisations.models import Role
from organisations.selectors import names_only

from . import services, validation
from .api import CurrencyCodeField
from .filters import ReceivableFilter
from .models import Piece


class ReceivableSerializer(ListedFields, serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number")
    invoice_status = serializers.CharField(source="invoice.status")
    seller = serializers.CharField(source="invoice.seller.name")
    buyer = serializers.CharField(source="invoice.buyer.name")
    buyer_id = serializers.IntegerField(source="invoice.buyer_id")
    currency = CurrencyCodeField(source="invoice.currency")
    due_date = serializers.DateField(source="invoice.due_date")

    class Meta:
        model = Piece
        fields = [
            "id", "invoice", "invoice_number", "invoice_status", "index", "seller", "buyer", "buyer_id", "currency",
            "due_date", "amount", "financed", "claimed", "written_off_at", "written_off_amount",
        ]
        extra_kwargs = {
            "amount": {"help_text": "Face value in micro-units (6 decimals) of the currency."},
            "written_off_at": {"help_text": "When the lender's write-off of this financed piece was seen on chain."},
            "written_off_amount": {
                "help_text": "Micro-units not yet collected at the write-off, released from the programme's "
                             "exposure. Later repayments are still claimed for the piece."
            },
        }


def _organisation_id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_OBJECT_ID, help_text=help_text)


class SplitSerializer(serializers.Serializer):
    to_organisation = _organisation_id("The receiving supplier's organisation id (see /api/organisations/).")
    amount = serializers.CharField(
        max_length=40, help_text="Decimal string in currency units, less than the piece: the holder keeps the rest."
    )


class TransferSerializer(serializers.Serializer):
    to_organisation = _organisation_id("The receiving supplier's organisation id (see /api/organisations/).")


LENDER_HELP = "The lender's organisation id (see /api/organisations/?role=lender)."


class FinancingAskSerializer(serializers.Serializer):
    lender = _organisation_id(LENDER_HELP)
    min_payout = serializers.CharField(
        max_length=40, required=False,
        help_text="The least you accept to receive (advance - discount), a decimal string in currency units: the "
                  "payout of the quote you read (GET /api/receivables/{piece_id}/quotes/). If the terms or "
                  "your rating changed since and the quote now pays less, the request is refused (400) and nothing "
                  "is queued; if they change before the chain runs it, the chain rejects it and nothing moves. "
                  "Without it, the request is bound to the contract's quote when it arrives.",
    )

    def validate_min_payout(self, value: str) -> int:
        try:
            return validation.micro_amount(value)
        except DjangoValidationError as refusal:
            raise serializers.ValidationError(refusal.message_dict["amount"]) from None


class QuoteQuerySerializer(serializers.Serializer):
    lender = serializers.IntegerField(
        min_value=1, max_value=MAX_OBJECT_ID, required=False,
        help_text="Only this lender's quote, with or without a programme for the buyer (see "
                  "/api/organisations/?role=lender). Without it, the quote of every open programme.",
    )


class QuotesNotReadable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "quotes_unavailable"


class QuoteSerializer(serializers.Serializer):
    """A lender's quote for the piece now: the contract's own answer (quoteFinancing), the decision
    a financing request then runs, read at the chain's latest block."""

    lender = serializers.IntegerField(source="lender.pk")
    lender_name = serializers.CharField(source="lender.name")
    approved = serializers.BooleanField(help_text="Whether the lender would finance the piece now.")
    reason = serializers.CharField(help_text="When not approved: the chain's reason code it would reject with.")
    reason_text = serializers.CharField(source="reason_sentence", help_text="Why it would be rejected, in words.")
    advance = serializers.IntegerField(help_text="Micro-units of face value the lender would advance.")
    discount = serializers.IntegerField(help_text="Micro-units of interest the lender would keep.")
    payout = serializers.IntegerField(
        help_text="Micro-units you would receive (advance - discount): send it, in currency units, as the financing "
                  "request's min_payout."
    )
    tenor_days = serializers.IntegerField(help_text="Days to the due date, a started day counting as a whole one.")
    effective_yearly_rate = serializers.DecimalField(
        max_digits=12, decimal_places=6, coerce_to_string=True, allow_null=True,
        help_text="The discount over the payout, scaled from the tenor to a 365-day year (0.057500 is 5.75%); null "
                  "without a price.",
    )
    min_rating = serializers.IntegerField(help_text="The least rating the lender's programme accepts (1 to 10).")
    holder_rating = serializers.IntegerField(help_text="Your organisation's rating on chain (0: not rated yet).")


class ReceivableViewSet(RolesByAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pieces of receivables your organisation holds, soonest due first. A piece is part (or all)
    of an invoice the buyer will pay to its holder; amounts in micro-units (6 decimals)."""

    serializer_class = ReceivableSerializer
    queryset = Piece.objects.none()  # the real one is per organisation: get_queryset
    lookup_url_kwarg = "piece_id"
    filterset_class = ReceivableFilter
    ordering_fields = {"due_date": "invoice__due_date", "amount": "amount", "number": "invoice__number"}
    role_choices = Role
    roles = (Role.SUPPLIER, Role.LENDER)
    action_roles = {
        "split": (Role.SUPPLIER,), "transfer": (Role.SUPPLIER,), "quotes": (Role.SUPPLIER,),
        "request_financing": (Role.SUPPLIER,), "write_off": (Role.LENDER,),
    }

    def get_queryset(self):
        pieces = (
            Piece.objects.filter(holder=self.request.user.organisation)
            .select_related("holder", "invoice__seller", "invoice__buyer")
            .order_by("invoice__due_date", "pk")
        )
        # A list shows the organisations by name; the actions check their KYC on the loaded rows.
        return names_only(pieces, "holder", "invoice__seller", "invoice__buyer") if self.action == "list" else pieces

    @queues_transaction(request=SplitSerializer, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def split(self, request, piece_id=None):
        """Splits `amount` off the piece into a new piece for another supplier."""
        fields = SplitSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        split = services.piece_split(
            piece=self.get_object(), split_by=request.user,
            to_organisation_id=fields.validated_data["to_organisation"], amount=fields.validated_data["amount"],
        )
        return queued(split, request)

    @queues_transaction(request=TransferSerializer, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, piece_id=None):
        """Passes the whole piece on to another supplier."""
        fields = TransferSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        transfer = services.piece_transfer(
            piece=self.get_object(), transferred_by=request.user,
            to_organisation_id=fields.validated_data["to_organisation"],
        )
        return queued(transfer, request)

    @extend_schema(parameters=[QuoteQuerySerializer], responses={
        200: QuoteSerializer(many=True),
        503: OpenApiResponse(description="The chain did not answer, or refused to quote: `detail` says which."),
    })
    @action(detail=True, methods=["get"], pagination_class=None)  # one quote per lender: one page
    def quotes(self, request, piece_id=None):
        """What each lender with an open programme for the piece's buyer and currency would pay for
        the piece now (advance, discount, payout, tenor), or why it would reject it, by lender name.
        Nothing is asked; a quote's payout is what a financing request is then bound to. The
        contract answers, as it would decide the request now; 503 when the chain cannot."""
        piece = self.get_object()
        fields = QuoteQuerySerializer(data=request.query_params)
        fields.is_valid(raise_exception=True)
        try:
            if "lender" in fields.validated_data:
                quotes = [piece_quote(piece=piece, lender=lender_to_ask(fields.validated_data["lender"]))]
            else:
                quotes = piece_quotes(piece=piece)
        except QuotesUnavailable as error:
            raise QuotesNotReadable(str(error)) from error
        return Response(QuoteSerializer(quotes, many=True).data)

    @queues_transaction(request=FinancingAskSerializer, responses={201: FinancingRequestSerializer})
    @action(detail=True, methods=["post"], url_path="request-financing")
    def request_financing(self, request, piece_id=None):
        """Asks a lender to finance the piece at the payout it quoted (min_payout), before a
        deadline (an hour by default: FINANCING_QUOTE_VALIDITY_SECONDS). The chain decides at once
        against the lender's programme; follow the request's status (requested, then approved,
        rejected or failed)."""
        fields = FinancingAskSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        asked = financing_request(
            piece=self.get_object(), requested_by=request.user, lender_id=fields.validated_data["lender"],
            min_payout=fields.validated_data.get("min_payout"),
        )
        created = financing_requests_visible_to(request.user.organisation).get(pk=asked.pk)
        location = reverse("financing-request-detail", kwargs={"request_id": asked.pk}, request=request)
        return Response(
            FinancingRequestSerializer(created).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )

    @queues_transaction(responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, piece_id=None):
        """Writes off a financed piece your organisation holds on a defaulted invoice: the face
        value not yet collected leaves your programme's exposure. Once only; the piece keeps its
        claim on later repayments, which are still collected for you."""
        return queued(piece_write_off(piece=self.get_object(), written_off_by=request.user), request)
