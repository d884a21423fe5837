"""Reads about invoices, always through the organisation asking."""

from django.db.models import Prefetch, Q, QuerySet

from .models import Invoice, Piece


def invoices_visible_to(organisation) -> QuerySet[Invoice]:
    """Invoices the organisation sold or bought, or of which it holds a piece, with what a list
    shows loaded in a constant number of queries."""
    held = Piece.objects.filter(holder=organisation).values("invoice_id")  # a subquery: no join, no DISTINCT
    return (
        Invoice.objects.filter(Q(seller=organisation) | Q(buyer=organisation) | Q(pk__in=held))
        .select_related("seller", "buyer")
        .prefetch_related(Prefetch("pieces", queryset=Piece.objects.select_related("holder")))
        .order_by("-created_at", "-pk")
    )
