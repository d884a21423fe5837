"""What the queued chain actions are about to change and the mirrored rows do not show yet: the
amounts being repaid on invoices, split off or transferred out of pieces, financed, or paid to
their holders. Pages show them beside the settled figures; the services refuse what they already
cover. An action counts until the indexer has applied its transaction (chain.selectors)."""

from collections.abc import Iterable
from dataclasses import dataclass

from chain.models import ActionPurpose, ChainAction
from chain.selectors import about, unmirrored
from financing.models import FinancingRequest, FinancingStatus

from .models import Invoice, Piece

REPAY_AMOUNT = 1  # repay(fingerprint, amount)
SPLIT_AMOUNT = 3  # splitPiece(fingerprint, index, to, amount)
PIECE_PURPOSES = (ActionPurpose.PIECE_SPLIT, ActionPurpose.PIECE_TRANSFER, ActionPurpose.PIECE_CLAIM)


def _in_flight(model, ids, purposes: tuple[ActionPurpose, ...], *fields: str) -> list[tuple]:
    return unmirrored(ChainAction.objects.filter(about(model, ids, *purposes)).order_by("pk"), *fields)


def repayments_in_flight(invoices: Iterable[Invoice], *, except_request_key: str = "") -> dict[int, int]:
    """Per invoice id: the micro-units of its repayments queued and not yet mirrored (0 if none), in
    one query. The payment of `except_request_key` is left out: a replay of it is not a new one."""
    ids = [invoice.pk for invoice in invoices]
    totals = dict.fromkeys(ids, 0)
    for invoice_id, request_key, args in _in_flight(Invoice, ids, (ActionPurpose.REPAY,), "subject_id", "request_key", "args"):
        if not (except_request_key and request_key == except_request_key):
            totals[invoice_id] += int(args[REPAY_AMOUNT])
    return totals


def invoice_repaying(invoice: Invoice, *, except_request_key: str = "") -> int:
    """Micro-units of the invoice's repayments queued and not yet mirrored."""
    return repayments_in_flight([invoice], except_request_key=except_request_key)[invoice.pk]


def claimable_by_mirror(piece: Piece) -> int:
    """What the piece's holder may claim now by the mirrored figures, by the contract's rule: its
    face x repaid / amount rounded down (the whole face once repaid in full), less what it claimed.
    Python's integers: products of two uint64 can overflow the database's."""
    invoice = piece.invoice
    entitled = piece.amount if invoice.repaid >= invoice.amount else piece.amount * invoice.repaid // invoice.amount
    return max(entitled - piece.claimed, 0)


@dataclass(frozen=True)
class PiecePending:
    """What queued actions are doing to one piece."""

    splitting: int = 0  # micro-units being split off to other suppliers
    transferring: bool = False  # all of it is being transferred
    financing: bool = False  # a financing request awaits its lender's decision
    being_paid: int = 0  # what a queued claim collects for its holder

    @property
    def moving(self) -> bool:
        return self.transferring or self.splitting > 0

    @property
    def any(self) -> bool:
        return self.moving or self.financing or self.being_paid > 0


def pieces_pending(pieces: Iterable[Piece], *, except_call: tuple[str, list] | None = None) -> dict[int, PiecePending]:
    """Per piece id, what queued actions are doing to it, in two queries (the pieces come with their
    invoice). `except_call` (function, args) leaves out that very call: a replay of it is not new."""
    pieces = list(pieces)
    ids = [piece.pk for piece in pieces]
    found = {piece_id: {"splitting": 0, "transferring": False, "claiming": False} for piece_id in ids}
    for piece_id, purpose, function, args in _in_flight(Piece, ids, PIECE_PURPOSES, "subject_id", "purpose", "function", "args"):
        if except_call == (function, args):
            continue
        if purpose == ActionPurpose.PIECE_SPLIT:
            found[piece_id]["splitting"] += int(args[SPLIT_AMOUNT])
        elif purpose == ActionPurpose.PIECE_TRANSFER:
            found[piece_id]["transferring"] = True
        else:
            found[piece_id]["claiming"] = True
    financing = set(
        FinancingRequest.objects.filter(piece_id__in=ids, status=FinancingStatus.REQUESTED).values_list(
            "piece_id", flat=True
        )
    )
    return {
        piece.pk: PiecePending(
            splitting=found[piece.pk]["splitting"],
            transferring=found[piece.pk]["transferring"],
            financing=piece.pk in financing,
            being_paid=claimable_by_mirror(piece) if found[piece.pk]["claiming"] else 0,
        )
        for piece in pieces
    }


def piece_pending(piece: Piece, *, except_call: tuple[str, list] | None = None) -> PiecePending:
    return pieces_pending([piece], except_call=except_call)[piece.pk]
