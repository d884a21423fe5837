"""Reads for the lender's pages, always narrowed to the lender: its portfolio of financed pieces
sorted into buckets (outstanding, maturing, overdue, defaulted, repaid), its programmes' queued
changes, and the figures of its dashboard."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from chain.models import ActionPurpose, ActionStatus, ChainAccount, ChainAction
from chain.selectors import about
from financing.models import FinancingRequest, FinancingStatus, Programme
from invoices.models import InvoiceStatus
from organisations.models import Organisation
from organisations.selectors import beyond_the_name
from portal import figures

MATURING_WITHIN = timedelta(days=30)
BUCKET_LABELS = {
    "outstanding": _("Outstanding"),
    "maturing": _("Maturing within 30 days"),
    "overdue": _("Overdue"),
    "defaulted": _("Defaulted"),
    "repaid": _("Repaid"),
}
# Ladder rungs of outstanding face value by days to the due date: (label, first day, last day).
LADDER = (
    (_("Overdue"), None, -1),
    (_("0–30 days"), 0, 30),
    (_("31–60 days"), 31, 60),
    (_("61–90 days"), 61, 90),
    (_("91–180 days"), 91, 180),
    (_("Over 180 days"), 181, None),
)
PROGRAMME_ACTIONS = {  # what the lender asked for
    ActionPurpose.PROGRAMME_TERMS: _("New terms"),
    ActionPurpose.PROGRAMME_FUND: _("Deposit"),
    ActionPurpose.PROGRAMME_DEFUND: _("Withdrawal"),
}
RECENT_ACTIONS = 10
# A programme is near its limit from 90% of it in exposure, or with less than 10% of it in liquidity.
NEAR_LIMIT_TENTHS, LOW_LIQUIDITY_TENTHS = 9, 1


def bucket_filters(today: date) -> dict[str, Q]:
    """Each bucket as a filter on approved financing requests (a financed piece each)."""
    status = "piece__invoice__status"
    due = "piece__invoice__due_date"
    closed = Q(**{f"{status}__in": [InvoiceStatus.REPAID, InvoiceStatus.DEFAULTED]})
    overdue = ~closed & (Q(**{status: InvoiceStatus.OVERDUE}) | Q(**{f"{due}__lt": today}))
    return {
        "outstanding": ~closed,
        "maturing": ~closed & ~overdue & Q(**{f"{due}__lte": today + MATURING_WITHIN}),
        "overdue": overdue,
        "defaulted": Q(**{status: InvoiceStatus.DEFAULTED}),
        "repaid": Q(**{status: InvoiceStatus.REPAID}),
    }


def portfolio(lender: Organisation, today: date) -> QuerySet[FinancingRequest]:
    """The lender's financed pieces (one approved request each), with their bucket: the first
    that applies of repaid, defaulted, overdue, maturing, else outstanding. Soonest due first."""
    buckets = bucket_filters(today)
    return (
        FinancingRequest.objects.filter(lender=lender, status=FinancingStatus.APPROVED)
        .select_related("piece__invoice__buyer", "holder")
        .defer(*beyond_the_name("piece__invoice__buyer"), *beyond_the_name("holder"))
        .annotate(
            bucket=Case(
                *(When(buckets[name], then=Value(name)) for name in ("repaid", "defaulted", "overdue", "maturing")),
                default=Value("outstanding"),
                output_field=CharField(),
            ),
            uncollected=F("piece__amount") - F("piece__claimed"),
        )
        .order_by("piece__invoice__due_date", "pk")
    )


def write_offs_in_flight(lender: Organisation) -> set[tuple[str, int]]:
    """(fingerprint, piece index) of the lender's write-offs queued and not yet settled on chain.
    A confirmed one is mirrored already: the indexer confirms actions after applying their blocks."""
    in_flight = (
        ChainAction.objects.filter(signer__organisation=lender, function="writeOff")
        .exclude(status__in=(ActionStatus.CONFIRMED, ActionStatus.FAILED))
        .values_list("args", flat=True)
    )
    return {(fingerprint, index) for fingerprint, index in in_flight}


def discount_filters() -> dict[str, Q]:
    """A financed piece's discount is earned once the piece is collected in full; until then it is
    to be earned, unless the obligation defaulted or the lender wrote the piece off (it may never be)."""
    collected = Q(piece__claimed__gte=F("piece__amount"))
    lost = Q(piece__invoice__status=InvoiceStatus.DEFAULTED) | Q(piece__written_off_at__isnull=False)
    return {"earned": collected, "to_earn": ~collected & ~lost}


@dataclass
class PortfolioSummary:
    counts: dict[str, int]  # financed pieces in each bucket, and "all"
    totals: list[dict]  # per currency, of the pieces shown (one bucket, or all)
    ladder: list[tuple[str, str, int]]  # (rung, currency, face value still to collect) of the outstanding pieces


def portfolio_summary(financed: QuerySet[FinancingRequest], today: date, bucket: str = "") -> PortfolioSummary:
    """Everything the portfolio shows above its rows, in one query grouped by currency: how many
    pieces each bucket holds; per currency, of the pieces shown (the bucket's, or all), advances,
    discounts earned and to be earned, what is still to collect and the weighted yield; and the
    maturity ladder of the outstanding pieces."""
    buckets = bucket_filters(today)
    shown = buckets.get(bucket)  # None: all of them
    earned, to_earn = discount_filters().values()
    if shown is not None:
        earned, to_earn = shown & earned, shown & to_earn
    uncollected = F("piece__amount") - F("piece__claimed")
    rows = (
        financed.order_by()
        .values("piece__invoice__currency")
        .annotate(
            all=Count("pk"),
            **{f"count_{name}": Count("pk", filter=q) for name, q in buckets.items()},
            pieces=Count("pk", filter=shown),
            advanced=Sum("advance", filter=shown),
            discount_earned=Coalesce(Sum("discount", filter=earned), 0),
            discount_to_earn=Coalesce(Sum("discount", filter=to_earn), 0),
            uncollected=Sum(uncollected, filter=shown),
            **figures.yield_sums(shown),
            **{f"rung{number}": Sum(uncollected, filter=buckets["outstanding"] & window)
               for number, window in enumerate(_ladder_windows(today))},
        )
        .order_by("piece__invoice__currency")
    )
    rows = [row | {"currency": figures.currency_label(row["piece__invoice__currency"])} for row in rows]
    return PortfolioSummary(
        counts={"all": sum(row["all"] for row in rows)} | {name: sum(row[f"count_{name}"] for row in rows) for name in buckets},
        totals=[row | {"yield": figures.weighted_yield(row)} for row in rows if row["pieces"]],
        ladder=[
            (str(label), row["currency"], row[f"rung{number}"] or 0)
            for row in rows if row["count_outstanding"]
            for number, (label, _first, _last) in enumerate(LADDER)
        ],
    )


def _ladder_windows(today: date) -> list[Q]:
    """Each rung of LADDER as a filter on the due date."""
    due = "piece__invoice__due_date"
    windows = []
    for _label, first, last in LADDER:
        window = Q()
        if first is not None:
            window &= Q(**{f"{due}__gte": today + timedelta(days=first)})
        if last is not None:
            window &= Q(**{f"{due}__lte": today + timedelta(days=last)})
        windows.append(window)
    return windows


def dashboard_figures(lender: Organisation, today: date) -> list[dict]:
    """Per currency: limits, exposure and liquidity of the programmes, face value outstanding,
    and the payout-weighted yield of everything financed."""
    books = figures.programme_books(Programme.objects.filter(lender=lender))
    financed = FinancingRequest.objects.filter(lender=lender, status=FinancingStatus.APPROVED)
    outstanding = bucket_filters(today)["outstanding"]
    portfolio_rows = {
        row["piece__invoice__currency"]: row
        for row in financed.order_by()
        .values("piece__invoice__currency")
        .annotate(outstanding=Sum(F("piece__amount") - F("piece__claimed"), filter=outstanding), **figures.yield_sums())
    }
    rows = []
    for currency in sorted(set(books) | set(portfolio_rows)):
        book, financing = books.get(currency, {}), portfolio_rows.get(currency, {})
        rows.append({
            "currency": figures.currency_label(currency),
            "limit": book.get("limit", 0),
            "exposure": book.get("exposure", 0),
            "liquidity": book.get("liquidity", 0),
            "outstanding": financing.get("outstanding") or 0,
            "yield": figures.weighted_yield(financing),
        })
    return rows


@dataclass
class ProgrammeAction:
    """A change the lender asked for, with where it stands on chain."""

    action: ChainAction
    kind: str
    core_firm: str
    currency: str
    amount: int | None


def programme_actions(lender: Organisation, programme: Programme | None = None) -> list[ProgrammeAction]:
    """The lender's latest programme changes (of one programme, if given), newest first. Each
    call names the core firm's account and the currency first (ICreditDesk's argument order)."""
    actions = ChainAction.objects.filter(about(Organisation, [lender.pk], *PROGRAMME_ACTIONS), signer__organisation=lender)
    if programme is not None:
        core_firm = ChainAccount.objects.filter(organisation_id=programme.core_firm_id).values_list("address", flat=True)
        actions = actions.filter(args__0=core_firm.first(), args__1=programme.currency)
    actions = list(actions.select_related("transaction").order_by("-created_at", "-pk")[:RECENT_ACTIONS])
    core_firms = {
        organisation.chain_account.address: organisation.name
        for organisation in Organisation.objects.filter(
            chain_account__address__in={action.args[0] for action in actions}
        ).select_related("chain_account")
    }
    return [
        ProgrammeAction(
            action=action,
            kind=str(PROGRAMME_ACTIONS[action.purpose]),
            core_firm=core_firms.get(action.args[0], "?"),
            currency=figures.currency_label(action.args[1]),
            amount=action.args[2][0] if action.purpose == ActionPurpose.PROGRAMME_TERMS else action.args[2],
        )
        for action in actions
    ]

def programmes_near_limit(lender: Organisation) -> QuerySet[Programme]:
    """The lender's open programmes that can finance little more: exposure at 90% of the limit or
    more, or liquidity under 10% of it. By core firm."""
    return (
        Programme.objects.filter(lender=lender, limit__gt=0)
        .filter(Q(exposure__gte=F("limit") * NEAR_LIMIT_TENTHS / 10) | Q(liquidity__lt=F("limit") * LOW_LIQUIDITY_TENTHS / 10))
        .select_related("core_firm")
        .order_by("core_firm__name", "currency")
    )


def requests_awaiting(lender: Organisation) -> QuerySet[FinancingRequest]:
    """Financing requests to the lender that the chain has not decided yet, oldest first."""
    return (
        FinancingRequest.objects.filter(lender=lender, status=FinancingStatus.REQUESTED)
        .select_related("piece__invoice", "holder")
        .order_by("created_at", "pk")
    )
