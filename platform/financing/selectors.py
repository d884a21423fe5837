"""Reads for financing's scheduled jobs: a supplier's history as the risk model sees it, the
suppliers to rate and how often an unchanged rating is posted again, the obligations (each by
its own lifecycle periods) and pieces the maturity sweep acts on, and the few chain views it needs
(the chain's clock, whether the platform is paused, what a piece may claim)."""

import logging
from datetime import date, datetime, timedelta, timezone as dt_timezone
from typing import NamedTuple

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from web3.exceptions import ContractLogicError

from chain import client
from invoices.models import Invoice, InvoiceStatus, Piece
from invoices.pending import claimable_by_mirror
from organisations.models import KycStatus, Organisation, Role

from .models import Programme
from .risk import SupplierHistory

log = logging.getLogger(__name__)

# Behaviour older than this no longer counts: a supplier can outgrow an old default.
HISTORY_WINDOW = timedelta(days=730)
# Submitted and failed invoices never reached the chain, so they say nothing about the supplier.
ON_CHAIN = (
    InvoiceStatus.REGISTERED,
    InvoiceStatus.CONFIRMED,
    InvoiceStatus.DISPUTED,
    InvoiceStatus.REPAID,
    InvoiceStatus.OVERDUE,
    InvoiceStatus.DEFAULTED,
)


def supplier_history(supplier: Organisation, *, now: datetime) -> SupplierHistory:
    """The supplier's invoices issued in the two years up to `now`, counted by outcome.

    A full repayment is on time when the indexer saw it on or before the due date (the whole UTC
    day counts); one without a recorded moment counts as late. An overdue or defaulted invoice
    that is repaid later counts as a late repayment. Concentration is measured on invoice volume,
    disputed invoices excluded (the buyer says they are not real trade), and amounts of different
    currencies are added as they are: their micro-units are close enough in value for a share.
    """
    invoices = Invoice.objects.filter(
        seller=supplier,
        status__in=ON_CHAIN,
        issue_date__gt=(now - HISTORY_WINDOW).date(),
        issue_date__lte=now.date(),
    )
    repaid = Q(status=InvoiceStatus.REPAID)
    on_time = repaid & Q(repaid_on__isnull=False, repaid_on__lte=F("due_date"))
    counts = invoices.annotate(repaid_on=TruncDate("repaid_at", tzinfo=dt_timezone.utc)).aggregate(
        invoices_total=Count("pk"),
        repaid_on_time=Count("pk", filter=on_time),
        repaid_late=Count("pk", filter=repaid & ~on_time),
        overdue=Count("pk", filter=Q(status=InvoiceStatus.OVERDUE)),
        defaulted=Count("pk", filter=Q(status=InvoiceStatus.DEFAULTED)),
        disputed=Count("pk", filter=Q(status=InvoiceStatus.DISPUTED)),
    )
    by_buyer = [
        row["volume"]
        for row in invoices.exclude(status=InvoiceStatus.DISPUTED).values("buyer").annotate(volume=Sum("amount"))
    ]
    volume = sum(by_buyer)
    return SupplierHistory(
        **counts,
        volume=volume,
        largest_buyer_share=max(by_buyer) / volume if volume else 0.0,
    )


def suppliers_to_rate() -> QuerySet[Organisation]:
    """Suppliers with approved KYC that are registered on chain (the contract rates only those)."""
    return (
        Organisation.objects.filter(role=Role.SUPPLIER, kyc_status=KycStatus.APPROVED, onchain_id__isnull=False)
        .select_related("chain_account")
        .order_by("pk")
    )


def rating_refresh_age() -> timedelta | None:
    """How old an unchanged rating may grow before the risk oracle posts it again: a day less than
    the shortest rating age an open programme accepts (the job runs daily), so that none finds it
    stale (the chain's RatingStale); None while no open programme needs it."""
    shortest = Programme.objects.filter(limit__gt=0).aggregate(shortest=Min("max_rating_age_days"))["shortest"]
    return None if shortest is None else timedelta(days=shortest - 1)


class Periods(NamedTuple):
    """Grace and default periods, in seconds."""

    grace: int
    default: int


def invoices_past_grace(*, now: int, fallback: Periods) -> QuerySet[Invoice]:
    """Confirmed obligations whose grace period has ended by `now` (unix time): the sweep marks
    them overdue. Each by its own periods; `fallback` for one confirmed before they were kept."""
    return _past(Invoice.objects.filter(status=InvoiceStatus.CONFIRMED), now, fallback, lambda periods: periods.grace)


def invoices_past_default(*, now: int, fallback: Periods) -> QuerySet[Invoice]:
    """Overdue obligations whose default period, which starts when the grace period ends, has
    ended by `now`: the sweep marks them defaulted. Periods as for `invoices_past_grace`."""
    return _past(
        Invoice.objects.filter(status=InvoiceStatus.OVERDUE), now, fallback,
        lambda periods: periods.grace + periods.default,
    )


def _past(invoices: QuerySet[Invoice], now: int, fallback: Periods, span) -> QuerySet[Invoice]:
    """The `invoices` due at least `span(periods)` seconds before `now`, by each one's periods.
    One condition per distinct pair of periods among them (one per version of the platform's
    periods at most), so it costs two queries however many invoices there are."""
    pairs = list(invoices.order_by().values_list("grace_period_seconds", "default_period_seconds").distinct())
    due = Q()
    for grace, default in pairs:
        if grace is None:  # confirmed before the mirror stamped periods on obligations
            own, periods = Q(grace_period_seconds__isnull=True), fallback
        else:
            own, periods = Q(grace_period_seconds=grace, default_period_seconds=default), Periods(grace, default)
        due |= own & Q(due_date__lte=_day_due(now - span(periods)))
    return invoices.filter(due).order_by("pk") if pairs else invoices.none()


def _day_due(moment: int) -> date:
    # An invoice is due at 00:00 UTC of its due date on chain (see invoices.services), so an
    # obligation is due by `moment` exactly when its due date is on or before that UTC day.
    return datetime.fromtimestamp(moment, dt_timezone.utc).date()


def pieces_with_unclaimed_repayments() -> list[Piece]:
    """Pieces whose pro-rata share of the repayments, by the mirrored figures, exceeds what their
    holders have claimed. The chain has the last word (`piece_claimable`); this only spares the
    sweep a chain call for every piece that was ever repaid."""
    candidates = (
        Piece.objects.filter(invoice__repaid__gt=0, claimed__lt=F("amount"))
        .select_related("invoice", "holder")
        .order_by("invoice_id", "index")
    )
    return [piece for piece in candidates if claimable_by_mirror(piece) > 0]


def chain_now() -> int:
    """The chain's time: the latest block's timestamp. The contract's clock, not the server's."""
    return int(client.web3().eth.get_block("latest")["timestamp"])


def platform_paused() -> bool:
    return bool(client.platform_contract().functions.paused().call())


def piece_claimable(piece: Piece) -> int:
    """Micro-units the holder of `piece` could claim now, as the contract computes it; 0, with a
    warning, for a piece the chain refuses to value, so one bad row cannot stop every claim."""
    try:
        return int(client.platform_contract().functions.claimable(piece.invoice.fingerprint, piece.index).call())
    except ContractLogicError as error:
        log.warning("claimable refused for piece %s of invoice %s: %s", piece.index, piece.invoice_id, error)
        return 0
