"""Reads about invoices, always through the organisation asking."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentKind
from documents.selectors import document_extracted_invoice
from organisations.selectors import names_only

from .models import Invoice, Piece
from .validation import MICRO_DECIMALS, currency_iso_code


def invoices_visible_to(organisation) -> QuerySet[Invoice]:
    """Invoices the organisation sold or bought, or of which it holds a piece, with what a list
    shows loaded in a constant number of queries."""
    held = Piece.objects.filter(holder=organisation).values("invoice_id")  # a subquery: no join, no DISTINCT
    pieces = names_only(Piece.objects.select_related("holder"), "holder")
    return (
        Invoice.objects.filter(Q(seller=organisation) | Q(buyer=organisation) | Q(pk__in=held))
        .select_related("seller", "buyer")
        .prefetch_related(Prefetch("pieces", queryset=pieces))
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ComparedField:
    label: str
    submitted: str
    in_einvoice: str


def einvoice_comparison(invoice: Invoice) -> list[ComparedField] | None:
    """The submitted fields beside those of the invoice's e-invoice (which the submission had to
    match), for the buyer to read before it confirms; None when the invoice came as a plain PDF
    or scan."""
    document = invoice.documents.filter(kind=DocumentKind.INVOICE).exclude(extracted={}).first()
    if document is None:
        return None
    extracted = document_extracted_invoice(document)
    due = extracted.due_date.isoformat() if extracted.due_date else "–"
    return [
        ComparedField(_("Invoice number"), invoice.number, extracted.number),
        ComparedField(_("Seller"), f"{invoice.seller.name} ({invoice.seller.legal_id})",
                      f"{extracted.seller_name} ({extracted.seller_id})"),
        ComparedField(_("Buyer"), f"{invoice.buyer.name} ({invoice.buyer.legal_id})",
                      f"{extracted.buyer_name} ({extracted.buyer_id})"),
        ComparedField(_("Amount"), f"{Decimal(invoice.amount).scaleb(-MICRO_DECIMALS).normalize():f} "
                      f"{currency_iso_code(invoice.currency)}", f"{extracted.amount:f} {extracted.currency}"),
        ComparedField(_("Issue date"), invoice.issue_date.isoformat(), extracted.issue_date.isoformat()),
        ComparedField(_("Due date"), invoice.due_date.isoformat(), due),
    ]
