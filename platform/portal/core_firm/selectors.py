"""Reads for the core firm's pages: the invoices it bought and what it still owes on them,
aggregated in the database per currency (amounts of different currencies are never added)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

from chain.models import TokenHolding
from chain.services import MAX_ALLOWANCE
from financing.models import Programme
from invoices.models import Invoice, InvoiceStatus, Piece
from organisations.models import Organisation, Role
from portal.kit.currencies import currency_code

OUTSTANDING = (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE)
OWED = ExpressionWrapper(F("amount") - F("repaid"), output_field=BigIntegerField())
SOON_DAYS = 30
# The maturity ladder: (label, first day, last day) counted from today; None is open-ended.
BUCKETS = (
    (_("0–30 days"), 0, 30),
    (_("31–60 days"), 31, 60),
    (_("61–90 days"), 61, 90),
    (_("91–180 days"), 91, 180),
    (_("over 180 days"), 181, None),
)


def _overdue(today: date) -> Q:
    """Outstanding and past its due date, whether or not the chain has marked it overdue yet."""
    return Q(status=InvoiceStatus.OVERDUE) | Q(due_date__lt=today)


def bought_invoices(organisation: Organisation) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(buyer=organisation)
        .select_related("seller", "buyer", "possible_duplicate_of")
        .order_by("due_date", "pk")
    )


def inbox(organisation: Organisation) -> QuerySet[Invoice]:
    """Registered invoices awaiting the core firm's confirmation, soonest due first."""
    return (
        bought_invoices(organisation)
        .filter(status=InvoiceStatus.REGISTERED)
        .annotate(document_count=Count("documents"))
    )


def payables(organisation: Organisation) -> QuerySet[Invoice]:
    return bought_invoices(organisation).filter(status__in=OUTSTANDING)


DUE_WITHIN_DAYS = 7


def due_within_a_week(organisation: Organisation, today: date) -> QuerySet[Invoice]:
    """Outstanding invoices due from today to a week from today, soonest first, with what is still owed."""
    return payables(organisation).filter(
        due_date__gte=today, due_date__lte=today + timedelta(days=DUE_WITHIN_DAYS)
    ).annotate(owed=OWED)


def to_confirm(organisation: Organisation) -> QuerySet[Invoice]:
    return bought_invoices(organisation).filter(status=InvoiceStatus.REGISTERED)


@dataclass
class Cover:
    """In one currency: what the core firm still owes on its confirmed obligations (all of it, and
    what falls due within 30 days, overdue included), against the tokens its account holds and lets
    the platform collect, as last read from the chain (None: not read yet)."""

    currency: str
    owed: int
    owed_soon: int
    balance: int | None = None
    allowance: int | None = None
    read_at: datetime | None = None

    @property
    def unlimited_allowance(self) -> bool:
        return self.allowance == MAX_ALLOWANCE

    @property
    def short(self) -> bool:
        """The account cannot pay all it owes: too few tokens, or too small an allowance."""
        return self.balance is None or min(self.balance, self.allowance) < self.owed


def payment_cover(organisation: Organisation, today: date) -> list[Cover]:
    """Per currency the core firm owes or holds: its dues against its balance and allowance."""
    dues = {
        row["currency"]: row
        for row in payables(organisation).order_by().values("currency").annotate(
            owed=Sum(OWED), owed_soon=Sum(OWED, filter=Q(due_date__lte=today + timedelta(days=SOON_DAYS))),
        )
    }
    holdings = {
        holding.currency: holding for holding in TokenHolding.objects.filter(account__organisation=organisation)
    }
    cover = []
    for currency in sorted(set(dues) | set(holdings)):
        row, holding = dues.get(currency, {}), holdings.get(currency)
        cover.append(Cover(
            currency=currency_code(currency), owed=row.get("owed") or 0, owed_soon=row.get("owed_soon") or 0,
            balance=holding.balance if holding else None, allowance=holding.allowance if holding else None,
            read_at=holding.read_at if holding else None,
        ))
    return cover


def core_firm_figures(organisation: Organisation, today: date) -> dict:
    """Invoices to confirm; per currency, what is owed, due within 30 days, and overdue."""
    overdue = _overdue(today)
    rows = (
        payables(organisation)
        .values("currency")
        .annotate(
            outstanding=Sum(OWED),
            due_soon=Sum(OWED, filter=~overdue & Q(due_date__lte=today + timedelta(days=SOON_DAYS))),
            overdue=Sum(OWED, filter=overdue),
            overdue_count=Count("pk", filter=overdue),
        )
        .order_by()
    )
    # The invoices to confirm head the page as an attention list (attention.py), not as a figure.
    figures = {"overdue_count": 0, "outstanding": {}, "due_soon": {}, "overdue": {}}
    for row in rows:
        currency = currency_code(row["currency"])
        figures["overdue_count"] += row["overdue_count"]
        for name in ("outstanding", "due_soon", "overdue"):
            if row[name]:
                figures[name][currency] = row[name]
    return figures


@dataclass
class LadderRow:
    label: str
    owed: dict[str, int] = field(default_factory=dict)


def maturity_ladder(organisation: Organisation, today: date) -> list[LadderRow]:
    """What is owed per time-to-maturity bucket and currency, overdue last, in one query."""
    overdue = _overdue(today)
    sums = {"overdue": Sum(OWED, filter=overdue)}
    for number, (_label, first, last) in enumerate(BUCKETS):
        window = Q(due_date__gte=today + timedelta(days=first))
        if last is not None:
            window &= Q(due_date__lte=today + timedelta(days=last))
        sums[f"bucket{number}"] = Sum(OWED, filter=window & ~overdue)
    rows = list(payables(organisation).values("currency").annotate(**sums).order_by("currency"))
    ladder = [LadderRow(str(label)) for label, _first, _last in BUCKETS] + [LadderRow(str(_("overdue")))]
    keys = [f"bucket{number}" for number in range(len(BUCKETS))] + ["overdue"]
    for row in rows:
        for bucket, key in zip(ladder, keys):
            bucket.owed[currency_code(row["currency"])] = row[key] or 0
    return ladder


@dataclass
class Week:
    starts: date
    count: int = 0
    overdue_count: int = 0
    owed: dict[str, int] = field(default_factory=dict)

    @property
    def ends(self) -> date:
        return self.starts + timedelta(days=6)


def payables_by_week(organisation: Organisation, today: date) -> list[Week]:
    """The payables ladder: per week of due dates (Monday first), the invoices and what is owed."""
    rows = (
        payables(organisation)
        .annotate(week=TruncWeek("due_date"))
        .values("week", "currency")
        .annotate(count=Count("pk"), overdue_count=Count("pk", filter=_overdue(today)), owed=Sum(OWED))
        .order_by("week", "currency")
    )
    weeks: dict[date, Week] = {}
    for row in rows:
        week = weeks.setdefault(row["week"], Week(row["week"]))
        week.count += row["count"]
        week.overdue_count += row["overdue_count"]
        week.owed[currency_code(row["currency"])] = row["owed"] or 0
    return list(weeks.values())


def exposure_by_lender(organisation: Organisation) -> list[dict]:
    """Per lender and currency: the face value of the core firm's invoices it financed and has not
    collected yet, and its programme's limit for the core firm."""
    rows = list(
        Piece.objects.filter(invoice__buyer=organisation, financed=True, holder__role=Role.LENDER)
        .values("holder_id", "holder__name", "invoice__currency")
        .annotate(outstanding=Sum(F("amount") - F("claimed")), pieces=Count("pk"))
        .filter(outstanding__gt=0)
        .order_by("holder__name", "holder_id", "invoice__currency")
    )
    limits = {
        (programme["lender_id"], programme["currency"]): programme["limit"]
        for programme in Programme.objects.filter(core_firm=organisation).values("lender_id", "currency", "limit")
    }
    return [
        {
            "lender_id": row["holder_id"],
            "lender": row["holder__name"],
            "currency": currency_code(row["invoice__currency"]),
            "outstanding": row["outstanding"],
            "pieces": row["pieces"],
            "limit": limits.get((row["holder_id"], row["invoice__currency"])),
        }
        for row in rows
    ]
