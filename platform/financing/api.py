"""The financing REST API. Financing requests: a holder sees those it made, a lender those made to
it, each with the chain's decision (advance, discount, tenor, rating, or why it was rejected).
Programmes: a lender reads its own and sets their terms, funds and defunds them; each of those
answers 202 with the queued on-chain action, and the programme shows the change once mined."""

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from api.filters import MAX_OBJECT_ID
from api.idempotency import queues_transaction, request_key
from api.permissions import RolesByAction
from api.representation import ListedFields
from chain.api import ChainActionSerializer, queued
from invoices.api import CurrencyCodeField
from invoices.models import Currency
from organisations.models import Role
from organisations.selectors import names_only

from .services import programmes
from .filters import FinancingRequestFilter, ProgrammeFilter
from .models import FinancingRequest, Programme
from .reasons import reject_reason_sentence


def financing_requests_visible_to(organisation) -> QuerySet[FinancingRequest]:
    """Requests the organisation made as holder or received as lender, with what is shown loaded
    in a constant number of queries."""
    return (
        FinancingRequest.objects.filter(Q(holder=organisation) | Q(lender=organisation))
        .select_related("piece__invoice", "holder", "lender")
        .order_by("-created_at", "-pk")
    )


class FinancingRequestSerializer(ListedFields, serializers.ModelSerializer):
    invoice = serializers.IntegerField(source="piece.invoice_id")
    invoice_number = serializers.CharField(source="piece.invoice.number")
    currency = CurrencyCodeField(source="piece.invoice.currency")
    due_date = serializers.DateField(source="piece.invoice.due_date")
    amount = serializers.IntegerField(
        source="piece.amount", help_text="The piece's face value in micro-units; once financed, the part financed."
    )
    holder_name = serializers.CharField(source="holder.name")
    lender_name = serializers.CharField(source="lender.name")
    reject_reason_text = serializers.SerializerMethodField(help_text="Why it was rejected, in words.")

    class Meta:
        model = FinancingRequest
        fields = [
            "id", "status", "piece", "invoice", "invoice_number", "currency", "due_date", "amount",
            "holder", "holder_name", "lender", "lender_name", "advance", "discount", "tenor_days", "rating",
            "reject_reason", "reject_reason_text", "quoted_payout", "deadline", "created_at", "decided_at",
        ]
        extra_kwargs = {
            "quoted_payout": {"help_text": "Micro-units: the payout (advance - discount) the holder was quoted and "
                                           "accepted. The chain pays at least this or rejects the request "
                                           "(payout_below_minimum) and nothing moves."},
            "deadline": {"help_text": "The quote holds until then: the chain rejects the request mined later "
                                      "(quote_expired)."},
            "advance": {"help_text": "Micro-units advanced against the piece, once approved."},
            "discount": {"help_text": "Micro-units of interest the lender keeps: the holder got advance - discount."},
            "tenor_days": {"help_text": "Days from the decision to the due date."},
            "rating": {"help_text": "The holder's rating the decision used, from 1 (the worst) to 10 (the best)."},
            "reject_reason": {"help_text": "The chain's reason code, when rejected."},
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reject_reason_text(self, request: FinancingRequest) -> str | None:
        return reject_reason_sentence(request.reject_reason) if request.reject_reason else None


class FinancingRequestViewSet(RolesByAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Financing requests your organisation made as holder or received as lender, newest first,
    with the decision once the chain has made it."""

    serializer_class = FinancingRequestSerializer
    queryset = FinancingRequest.objects.none()  # the real one is per organisation: get_queryset
    lookup_url_kwarg = "request_id"
    filterset_class = FinancingRequestFilter
    ordering_fields = ["created_at", "decided_at", "status"]
    role_choices = Role
    roles = (Role.SUPPLIER, Role.LENDER)

    def get_queryset(self):
        return names_only(financing_requests_visible_to(self.request.user.organisation), "holder", "lender")


# What each term means, as the contract prices it (Pricing.sol: 10 is the best rating).
TERM_HELP = {
    "advance_rate_bps": "The share of a piece's face value advanced, in basis points: 1 to 10000.",
    "base_rate_bps": "The yearly discount rate, in basis points, for a holder rated 10 (the best): 0 to 9999.",
    "max_tenor_days": "The longest time to the due date financed, in days: 1 to 365.",
    "rating_spread_bps": "Basis points a year added to the base rate for each notch the holder's rating is below "
                         "10 (the best): 0 to 255. The rate for a holder rated 1 (the worst), base + 9 x spread, "
                         "must stay below 10000.",
    "min_rating": "The lowest rating accepted, from 1 (the worst) to 10 (the best): a holder rated below it is "
                  "refused.",
    "max_rating_age_days": "The oldest rating accepted, in days since the risk oracle posted it: 1 to 3650. A holder "
                           "rated longer ago is refused until it is rated again.",
}


class ProgrammeSerializer(ListedFields, serializers.ModelSerializer):
    core_firm_name = serializers.CharField(source="core_firm.name")
    currency = CurrencyCodeField()

    class Meta:
        model = Programme
        fields = [
            "id", "core_firm", "core_firm_name", "currency", "limit", "advance_rate_bps", "base_rate_bps",
            "max_tenor_days", "rating_spread_bps", "min_rating", "max_rating_age_days", "liquidity", "exposure",
            "updated_at",
        ]
        extra_kwargs = {field: {"help_text": text} for field, text in TERM_HELP.items()}


class ProgrammeTermsSerializer(serializers.Serializer):
    core_firm = serializers.IntegerField(
        min_value=1, max_value=MAX_OBJECT_ID, help_text="The core firm's organisation id."
    )
    currency = serializers.ChoiceField(choices=Currency.names)
    limit = serializers.CharField(
        max_length=40,
        help_text="Maximum exposure, a decimal string in currency units, not below the programme's current "
                  "exposure; 0 closes the programme.",
    )
    advance_rate_bps = serializers.IntegerField(
        min_value=1, max_value=programmes.MAX_BPS, help_text=TERM_HELP["advance_rate_bps"]
    )
    base_rate_bps = serializers.IntegerField(
        min_value=0, max_value=programmes.MAX_BASE_RATE_BPS, help_text=TERM_HELP["base_rate_bps"]
    )
    max_tenor_days = serializers.IntegerField(
        min_value=1, max_value=programmes.MAX_TENOR_DAYS, help_text=TERM_HELP["max_tenor_days"]
    )
    rating_spread_bps = serializers.IntegerField(
        min_value=0, max_value=programmes.MAX_RATING_SPREAD_BPS, help_text=TERM_HELP["rating_spread_bps"]
    )
    min_rating = serializers.IntegerField(
        min_value=programmes.RATINGS[0], max_value=programmes.RATINGS[1], help_text=TERM_HELP["min_rating"]
    )
    max_rating_age_days = serializers.IntegerField(
        min_value=1, max_value=programmes.MAX_RATING_AGE_DAYS, default=programmes.DEFAULT_MAX_RATING_AGE_DAYS,
        help_text=TERM_HELP["max_rating_age_days"] + f" Default {programmes.DEFAULT_MAX_RATING_AGE_DAYS}.",
    )


class LiquiditySerializer(serializers.Serializer):
    amount = serializers.CharField(max_length=40, help_text="Decimal string in currency units, at most 6 decimals.")


class ProgrammeViewSet(RolesByAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your credit programmes, one per core firm and currency, as the chain holds them: terms,
    liquidity deposited and not advanced, exposure financed and not repaid (micro-units)."""

    serializer_class = ProgrammeSerializer
    queryset = Programme.objects.none()  # the real one is per organisation: get_queryset
    lookup_url_kwarg = "programme_id"
    filterset_class = ProgrammeFilter
    ordering_fields = {"core_firm": "core_firm__name", "currency": "currency", "liquidity": "liquidity",
                       "exposure": "exposure", "updated_at": "updated_at"}
    role_choices = Role
    roles = (Role.LENDER,)

    def get_queryset(self):
        return (
            Programme.objects.filter(lender=self.request.user.organisation)
            .select_related("core_firm")
            .order_by("core_firm__name", "currency", "pk")
        )

    @queues_transaction(request=ProgrammeTermsSerializer, responses={202: ChainActionSerializer})
    @action(detail=False, methods=["post"])
    def terms(self, request):
        """Sets the terms of your programme for a core firm and currency, creating it the first
        time. Terms the contract would refuse answer 400 naming the field, and nothing is queued:
        the bounds of each field, a worst yearly rate (a holder rated 1) of 100% or more, and a
        limit below the programme's current exposure."""
        fields = ProgrammeTermsSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        data = fields.validated_data
        change = programmes.programme_set_terms(
            lender_user=request.user, core_firm_id=data["core_firm"], currency=data["currency"], limit=data["limit"],
            advance_rate_bps=data["advance_rate_bps"], base_rate_bps=data["base_rate_bps"],
            max_tenor_days=data["max_tenor_days"], rating_spread_bps=data["rating_spread_bps"],
            min_rating=data["min_rating"], max_rating_age_days=data["max_rating_age_days"],
            request_key=request_key(request),
        )
        return queued(change, request)

    @queues_transaction(request=LiquiditySerializer, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def fund(self, request, programme_id=None):
        """Deposits `amount` into the programme, from your organisation's account."""
        return self._move_liquidity(request, programmes.programme_fund)

    @queues_transaction(request=LiquiditySerializer, responses={202: ChainActionSerializer})
    @action(detail=True, methods=["post"])
    def defund(self, request, programme_id=None):
        """Withdraws `amount` of the programme's undeployed liquidity to your organisation's account."""
        return self._move_liquidity(request, programmes.programme_defund)

    def _move_liquidity(self, request, service):
        fields = LiquiditySerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        programme = self.get_object()
        movement = service(
            lender_user=request.user, core_firm_id=programme.core_firm_id, currency=programme.currency,
            amount=fields.validated_data["amount"], request_key=request_key(request),
        )
        return queued(movement, request)
