"""Reads for the supplier's pages, always through the supplier's organisation: figures aggregated
in the database, per currency (amounts of different currencies are never added together)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, QuerySet, Sum

from documents.models import Document, DocumentKind
from documents.selectors import documents_for_organisation
from financing.models import FinancingRequest, FinancingStatus
from invoices.models import Invoice, InvoiceStatus, Piece
from organisations.models import Organisation
from portal.kit.currencies import currency_code

# Invoices still to be paid: not repaid, defaulted, disputed or refused by the chain.
OPEN_STATUSES = (InvoiceStatus.SUBMITTED, InvoiceStatus.REGISTERED, InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE)


def _per_currency(rows, currency_field: str) -> dict[str, dict]:
    return {currency_code(row.pop(currency_field)): {key: value or 0 for key, value in row.items()} for row in rows}


def _piece_sums(organisation: Organisation) -> dict[str, dict]:
    """Per currency: face value the organisation holds and has not collected, and what it collected."""
    rows = (
        Piece.objects.filter(holder=organisation)
        .values("invoice__currency")
        .annotate(held=Sum(F("amount") - F("claimed")), collected=Sum("claimed"))
        .order_by()
    )
    return _per_currency(rows, "invoice__currency")


def _advance_sums(organisation: Organisation) -> dict[str, dict]:
    """Per currency: advances approved to the organisation, and the cash they paid (less discount)."""
    rows = (
        FinancingRequest.objects.filter(holder=organisation, status=FinancingStatus.APPROVED)
        .values("piece__invoice__currency")
        .annotate(advanced=Sum("advance"), payout=Sum(F("advance") - F("discount")))
        .order_by()
    )
    return _per_currency(rows, "piece__invoice__currency")


def _amounts(sums: dict[str, dict], field: str) -> dict[str, int]:
    return {currency: row[field] for currency, row in sums.items() if row[field]}


def supplier_figures(organisation: Organisation) -> dict:
    """Open invoices, receivables held, advances and cash received, in three queries."""
    open_rows = (
        Invoice.objects.filter(seller=organisation, status__in=OPEN_STATUSES)
        .values("currency")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    opened = _per_currency(open_rows, "currency")
    cash = cash_totals(organisation)
    return {
        "open_count": sum(row["count"] for row in opened.values()),
        "open": _amounts(opened, "amount"),
        "held": _amounts(cash.pieces, "held"),
        "financed": _amounts(cash.advances, "advanced"),
        "cash": {currency: row["total"] for currency, row in cash.by_currency.items() if row["total"]},
    }


def sold_invoices(organisation: Organisation) -> QuerySet[Invoice]:
    return Invoice.objects.filter(seller=organisation).select_related("buyer").order_by("-created_at", "-pk")


def financeable_pieces(organisation: Organisation, today: date) -> QuerySet[Piece]:
    """Pieces the organisation could ask a lender to finance now: held by it, not financed or
    being repaid, of a confirmed invoice not yet due (not disputed, overdue or repaid), and not
    awaiting a lender's decision already. Soonest due first."""
    return (
        held_pieces(organisation)
        .filter(financed=False, claimed=0, invoice__status=InvoiceStatus.CONFIRMED, invoice__due_date__gte=today)
        .exclude(financing_requests__status=FinancingStatus.REQUESTED)
    )


def disputed_invoices(organisation: Organisation) -> QuerySet[Invoice]:
    return sold_invoices(organisation).filter(status=InvoiceStatus.DISPUTED)


def held_pieces(organisation: Organisation) -> QuerySet[Piece]:
    """The pieces the organisation holds, with their holder, invoice and its parties, soonest due first."""
    return (
        Piece.objects.filter(holder=organisation)
        .select_related("holder", "invoice__buyer", "invoice__seller")
        .order_by("invoice__due_date", "invoice_id", "index")
    )


def financing_requests(organisation: Organisation) -> QuerySet[FinancingRequest]:
    return (
        FinancingRequest.objects.filter(holder=organisation)
        .select_related("lender", "piece__invoice__buyer")
        .order_by("-created_at", "-pk")
    )


def advances_received(organisation: Organisation) -> QuerySet[FinancingRequest]:
    approved = financing_requests(organisation).filter(status=FinancingStatus.APPROVED)
    return approved.order_by(F("decided_at").desc(nulls_last=True), "-pk")


def repayments_claimed(organisation: Organisation) -> QuerySet[Piece]:
    claimed = held_pieces(organisation).filter(claimed__gt=0)
    return claimed.order_by(F("invoice__repaid_at").desc(nulls_last=True), "-invoice_id", "index")


@dataclass(frozen=True)
class CashTotals:
    pieces: dict[str, dict]
    advances: dict[str, dict]

    @property
    def by_currency(self) -> dict[str, dict[str, int]]:
        """Per currency: net advances received, repayments collected, and both together."""
        totals = {}
        for currency in sorted(set(self.pieces) | set(self.advances)):
            advances = self.advances.get(currency, {}).get("payout", 0)
            claims = self.pieces.get(currency, {}).get("collected", 0)
            totals[currency] = {"advances": advances, "claims": claims, "total": advances + claims}
        return totals


def cash_totals(organisation: Organisation) -> CashTotals:
    return CashTotals(pieces=_piece_sums(organisation), advances=_advance_sums(organisation))


def unattached_invoice_documents(organisation: Organisation) -> QuerySet[Document]:
    """Invoice documents uploaded but not yet submitted with an invoice, newest first."""
    return documents_for_organisation(organisation).filter(invoice=None, kind=DocumentKind.INVOICE)

