"""Reads: which pieces of an invoice's receivable each party sees, and whom it is shown as their
holder. The rule, for the organisation asking:

- The buyer owes every piece to its holder: it sees them all, with their holders (lenders too).
- A holder sees its own pieces (those it holds, and those it had financed, now the lender's) and
  their lineage: each one's parent, its parent, up to piece 0, with their indexes and amounts.
  It sees no sibling piece and no other branch, so no other holder's supplier or lender.
- The seller, who held piece 0 first, also sees piece 0 and, while piece 0 is its own, the
  pieces split off it: the ones it paid its own suppliers with.
- A lender holds the pieces it financed: it sees them and their lineage.

Only its own pieces are shown in full (financed, collected); of the others the party sees the
index, the parent and the amount, and their holder in the supply chain: a financed piece is shown
as held by the supplier that had it financed, never by the lender that financed it."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from financing.models import FinancingRequest, FinancingStatus
from organisations.models import Organisation

from .models import Invoice, Piece

APPROVED_FINANCING = "approved_financing"  # the prefetched list `with_lineage` puts on each piece


@dataclass(frozen=True)
class VisiblePiece:
    pk: int
    index: int
    parent_index: int | None
    amount: int
    holder: Organisation
    held: bool  # by the organisation asking
    financed: bool | None  # None: not the asking organisation's to know
    claimed: int | None


def with_lineage(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """The invoices, their pieces prefetched with their holders (as invoices_visible_to does),
    with what `visible_pieces` reads: each piece's approved financing and who asked for it. One
    query more, however many invoices."""
    approved = (
        FinancingRequest.objects.filter(status=FinancingStatus.APPROVED)
        .select_related("holder").only("piece", "holder__name")
    )
    return invoices.prefetch_related(
        Prefetch("pieces__financing_requests", queryset=approved, to_attr=APPROVED_FINANCING)
    )


def _supply_chain_holder(piece: Piece) -> Organisation:
    """Who holds the piece in the supply chain: for a financed piece, the supplier that had it financed."""
    financing = getattr(piece, APPROVED_FINANCING)
    return financing[0].holder if piece.financed and financing else piece.holder


def _lineage(indexes: set[int], by_index: dict[int, Piece]) -> set[int]:
    """The pieces and all their ancestors up to piece 0."""
    seen = set()
    for index in indexes:
        while index is not None and index not in seen and index in by_index:
            seen.add(index)
            index = by_index[index].parent_index
    return seen


def visible_pieces(invoice: Invoice, organisation: Organisation) -> list[VisiblePiece]:
    """The pieces of the invoice the organisation sees, by index; the invoice comes from
    `with_lineage`. No query."""
    by_index = {piece.index: piece for piece in invoice.pieces.all()}
    if organisation.pk == invoice.buyer_id:
        in_full = set(by_index)
    else:
        in_full = {
            index for index, piece in by_index.items()
            if organisation.pk in (piece.holder_id, _supply_chain_holder(piece).pk)
        }
    shown = _lineage(in_full, by_index)
    if organisation.pk == invoice.seller_id and 0 in by_index:
        shown.add(0)
        if _supply_chain_holder(by_index[0]).pk == organisation.pk:
            shown |= {index for index, piece in by_index.items() if piece.parent_index == 0}
    return [_shown(by_index[index], organisation, in_full=index in in_full) for index in sorted(shown)]


def _shown(piece: Piece, organisation: Organisation, *, in_full: bool) -> VisiblePiece:
    return VisiblePiece(
        pk=piece.pk,
        index=piece.index,
        parent_index=piece.parent_index,
        amount=piece.amount,
        holder=piece.holder if in_full else _supply_chain_holder(piece),
        held=piece.holder_id == organisation.pk,
        financed=piece.financed if in_full else None,
        claimed=piece.claimed if in_full else None,
    )
