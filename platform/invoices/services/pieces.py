"""Moving receivables down the supply chain: a holder splits a piece to pay its own supplier, or
transfers a whole piece. Each service checks roles and fields and queues the on-chain action in
one database transaction; the pieces themselves change only when the mirror sees the event.
Meanwhile what queued actions already do to a piece is taken: a second tab cannot split the same
part off again, transfer what is being split, or move a piece being financed."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chain import accounts
from chain.models import ActionPurpose, ChainAction
from chain.services import action_enqueue_next
from organisations.models import Organisation, Role
from organisations.checks import party_named, require_current, require_member

from .. import validation
from ..models import InvoiceStatus, Piece
from ..pending import PiecePending, piece_pending

# A split leaves no piece below 1/16,384 of the invoice, rounded up (Receivables._minimumPiece):
# that bounds an invoice's pieces below the 65,535 the chain can count.
MIN_PIECE_DIVISOR = 16_384


def minimum_piece(invoice_amount: int) -> int:
    """The smallest piece, in micro-units, that a split of the invoice may leave on either side."""
    return -(-invoice_amount // MIN_PIECE_DIVISOR)


def _units(micro: int) -> str:
    """Micro-units in currency units, with two decimals or as many as it takes (up to six)."""
    whole, _point, decimals = f"{Decimal(micro).scaleb(-validation.MICRO_DECIMALS):f}".rstrip("0").partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def _movable_piece(piece: Piece, user, action: str) -> Piece:
    """The piece, locked, once the user may move it: what the contract's `_movablePiece` checks."""
    piece = Piece.objects.select_for_update().select_related("invoice", "holder").get(pk=piece.pk)
    require_member(user, piece.holder, Role.SUPPLIER, action)
    require_current(piece.holder)
    if piece.invoice.status != InvoiceStatus.CONFIRMED:
        raise ValidationError(
            {
                "status": _("Only pieces of a confirmed invoice can be moved; this one is %(status)s.")
                % {"status": piece.invoice.get_status_display()}
            }
        )
    # The chain locks financed, settled, partly claimed and reserve pieces. The database has no
    # reserve flag (the reserve a FinancingApproved event creates looks like any other piece), so
    # this refuses what it can see, financed or claimed, and the chain refuses a reserve piece.
    if piece.financed or piece.claimed > 0:
        raise ValidationError({"piece": _("This piece is financed or already being repaid: it cannot be moved.")})
    return piece


def _pending_refused(piece: Piece, call: tuple[str, list]) -> PiecePending:
    """What other queued actions do to the piece (the very same `call` in flight is a replay, not
    another), once none of them forbids moving it."""
    pending = piece_pending(piece, except_call=call)
    if pending.transferring:
        raise ValidationError({"piece": _("This piece is already being transferred.")})
    if pending.financing:
        raise ValidationError(
            {"piece": _("This piece is being financed: it stays where it is until the lender's decision.")}
        )
    return pending


def _recipient(piece: Piece, to_organisation_id: object) -> Organisation:
    recipient = party_named(
        to_organisation_id, role=Role.SUPPLIER, field="to_organisation",
        unknown=_("Unknown recipient: no supplier with this id is on the platform."),
    )
    if recipient.pk == piece.holder_id:
        raise ValidationError(
            {"to_organisation": _("The recipient must be another organisation than the holder.")}
        )
    return recipient


@transaction.atomic
def piece_split(*, piece: Piece, split_by, to_organisation_id: object, amount: object) -> ChainAction:
    """Queues a split of `amount` (currency units) off the piece into a new piece for another
    supplier, signed by the holder's account. Both the part split off and the part kept must be
    at least the invoice's minimum piece (`minimum_piece`), as the chain requires.

    Replays: a replay of a split still in flight (the same recipient and amount) returns the first
    action, sending nothing. Once the chain has settled it (confirmed or refused), the same call is
    a new, deliberate split of the now smaller piece (or a retry of a refused one). A replay
    arriving after that splits again: API clients are covered by the Idempotency-Key replay of the
    first answer.
    """
    piece = _movable_piece(piece, split_by, _("split its pieces"))
    micro = validation.micro_amount(amount)
    recipient = _recipient(piece, to_organisation_id)
    args = [piece.invoice.fingerprint, piece.index, accounts.organisation_account(recipient).address, micro]
    splitting = _pending_refused(piece, ("splitPiece", args)).splitting
    left = piece.amount - splitting
    if micro >= left:
        if splitting:
            raise ValidationError({"amount": _(
                "%(splitting)s %(currency)s of this piece is already being split off: a split must leave part of "
                "the %(left)s %(currency)s left with its holder."
            ) % {
                "splitting": validation.units_text(splitting), "left": validation.units_text(left),
                "currency": piece.invoice.get_currency_display(),
            }})
        raise ValidationError(
            {
                "amount": _(
                    "A split must leave part of the piece with its holder; to pass on all of it, transfer it."
                )
            }
        )
    minimum = minimum_piece(piece.invoice.amount)
    if micro < minimum or left - micro < minimum:
        raise ValidationError(
            {
                "amount": _(
                    "Both pieces of a split must be at least %(minimum)s %(currency)s, 1/16,384 of the invoice "
                    "(rounded up)."
                )
                % {
                    "minimum": _units(minimum),
                    "currency": piece.invoice.get_currency_display(),
                }
            }
        )
    return action_enqueue_next(
        purpose=ActionPurpose.PIECE_SPLIT,
        subject=piece,
        signer=accounts.organisation_account(piece.holder),
        function="splitPiece",
        args=args,
        in_flight_is_replay=True,
    )


@transaction.atomic
def piece_transfer(*, piece: Piece, transferred_by, to_organisation_id: object) -> ChainAction:
    """Queues the transfer of the whole piece to another supplier, signed by the holder's account.

    Replays work as for `piece_split`: a replay in flight sends nothing, while a piece that comes
    back to its holder can be passed on again and a refused transfer can be retried.
    """
    piece = _movable_piece(piece, transferred_by, _("transfer its pieces"))
    recipient = _recipient(piece, to_organisation_id)
    args = [piece.invoice.fingerprint, piece.index, accounts.organisation_account(recipient).address]
    if splitting := _pending_refused(piece, ("transferPiece", args)).splitting:
        raise ValidationError({"piece": _(
            "%(splitting)s %(currency)s of this piece is being split off: transfer the rest once the chain has done "
            "the split."
        ) % {"splitting": validation.units_text(splitting), "currency": piece.invoice.get_currency_display()}})
    return action_enqueue_next(
        purpose=ActionPurpose.PIECE_TRANSFER,
        subject=piece,
        signer=accounts.organisation_account(piece.holder),
        function="transferPiece",
        args=args,
        in_flight_is_replay=True,
    )
