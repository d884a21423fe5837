"""Financing figures the lender's and the operator's dashboards share, computed in the database:
programme books, exposure by core firm, financing volume over time and yields. Each takes the
querysets already narrowed to what the viewer may see (one lender's, or the platform's), and
returns rows per currency, since amounts of different currencies are never added together."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth, TruncWeek
from django.utils import timezone

from financing.models import FinancingRequest, Programme
from invoices.models import Currency

DAYS_PER_YEAR = 365
PERIODS = {  # period -> (truncation, how far back the chart looks)
    "week": (TruncWeek, timedelta(weeks=26)),
    "month": (TruncMonth, timedelta(days=365)),
}


def period_from(raw: str | None) -> str:
    """The chart period a page was asked for: week or month (the default)."""
    return raw if raw in PERIODS else "month"


def currency_label(currency: int) -> str:
    return Currency(currency).label


def annualised_yield(advance: int | None, discount: int | None, tenor_days: int | None) -> Decimal | None:
    """The lender's yearly return in percent: the discount earned on the money paid out
    (advance - discount), over the tenor. None when there is nothing to measure."""
    if not advance or discount is None or not tenor_days or advance <= discount:
        return None
    return (Decimal(discount) / Decimal(advance - discount) * DAYS_PER_YEAR / tenor_days * 100).quantize(Decimal("0.01"))


def yield_sums(rows: Q | None = None) -> dict:
    """Aggregates whose ratio is the payout-weighted average yield (see `weighted_yield`), of the
    rows the filter keeps (all of them without one)."""
    return {
        "yearly_discount": Sum(Cast("discount", FloatField()) * DAYS_PER_YEAR / Cast("tenor_days", FloatField()), filter=rows),
        "payout": Sum(F("advance") - F("discount"), filter=rows),
    }


def weighted_yield(row: dict) -> Decimal | None:
    if not row.get("payout") or row.get("yearly_discount") is None:
        return None
    return (Decimal(row["yearly_discount"]) / Decimal(row["payout"]) * 100).quantize(Decimal("0.01"))


def programme_books(programmes: QuerySet[Programme]) -> dict[int, dict]:
    """Currency -> limits, exposure and liquidity summed over the programmes."""
    rows = programmes.order_by().values("currency").annotate(
        limit=Sum("limit"), exposure=Sum("exposure"), liquidity=Sum("liquidity")
    )
    return {row["currency"]: row for row in rows}


def exposure_by_core_firm(programmes: QuerySet[Programme]) -> list[tuple[str, str, int]]:
    """(core firm, currency, exposure) rows, largest first."""
    rows = (
        programmes.order_by()
        .values("core_firm__name", "currency")
        .annotate(total=Sum("exposure"))
        .filter(total__gt=0)
        .order_by("-total", "core_firm__name")
    )
    return [(row["core_firm__name"], currency_label(row["currency"]), row["total"]) for row in rows]


def financing_volume(approved: QuerySet[FinancingRequest], period: str) -> list[tuple[str, str, int]]:
    """(period start, currency, advances) rows for the approvals of the last year (months) or
    half-year (weeks), oldest first."""
    truncate, window = PERIODS[period]
    rows = (
        approved.filter(decided_at__gte=timezone.now() - window)
        .order_by()
        .annotate(start=truncate("decided_at"))
        .values("start", "piece__invoice__currency")
        .annotate(total=Sum("advance"))
        .order_by("start")
    )
    return [
        (row["start"].date().isoformat(), currency_label(row["piece__invoice__currency"]), row["total"])
        for row in rows
    ]
