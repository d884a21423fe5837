"""Reads for the core firm's pages: the invoices it bought and what it still owes on them,
aggregated in the database per currency (amounts of different currencies are never added)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

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
    to_confirm = Invoice.objects.filter(buyer=organisation, status=InvoiceStatus.REGISTERED).count()
    figures = {"to_confirm": to_confirm, "overdue_count": 0,
               "outstanding": {}, "due_soon": {}, "overdue": {}}
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
