"""A lender's write-off of a financed piece of a defaulted obligation: the face value it has not
collected leaves its programme's exposure, so it can cut the limit or close the programme, and the
piece keeps its claim on whatever the buyer repays later. The service checks what the contract's
`writeOff` checks and queues it, signed by the lender's account; the piece shows the write-off
once the mirror sees PieceWrittenOff."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chain import accounts
from chain.models import ActionPurpose, ActionStatus, ChainAction
from chain.selectors import actions_about
from chain.services import action_enqueue
from invoices.models import InvoiceStatus, Piece
from organisations.checks import require_member
from organisations.models import Role

def write_off_refusal(piece: Piece) -> ValidationError | None:
    """Why the chain would refuse to write the piece off, by the mirrored figures; None when its
    holder may. The holder itself is the caller's business (`piece_write_off`)."""
    if piece.invoice.status != InvoiceStatus.DEFAULTED:
        return ValidationError({"status": _(
            "Only a piece of a defaulted invoice can be written off; this invoice is %(status)s."
        ) % {"status": piece.invoice.get_status_display()}})
    if not piece.financed:
        return ValidationError({"piece": _("Only a financed piece can be written off; this one was never financed.")})
    if piece.written_off_at is not None:
        return ValidationError({"piece": _("This piece was written off on %(date)s: a piece is written off once.") % {
            "date": piece.written_off_at.date().isoformat()
        }})
    if piece.claimed >= piece.amount:
        return ValidationError({"piece": _("This piece is settled: all of it was collected, nothing is left to write off.")})
    return None


def _refused_before(piece: Piece) -> int:
    """The piece's write-offs the chain refused: each retry after a refusal is a new action."""
    return actions_about(piece, ActionPurpose.PIECE_WRITE_OFF).filter(status=ActionStatus.FAILED).count()


@transaction.atomic
def piece_write_off(*, piece: Piece, written_off_by) -> ChainAction:
    """Queues writeOff of a financed piece the user's lender holds on a defaulted invoice.

    A piece is written off once, so it needs no request token: its sequence is the number of
    write-offs the chain refused, so a replay, or a second click while the first is in flight,
    returns the first action and sends nothing. Only after the chain refused one can the same
    call queue another.
    """
    # The lock keeps two clicks from both counting the same refusals and racing past the checks.
    piece = Piece.objects.select_for_update(of=("self",)).select_related("invoice", "holder").get(pk=piece.pk)
    require_member(written_off_by, piece.holder, Role.LENDER, _("write off its financed pieces"))
    if refusal := write_off_refusal(piece):
        raise refusal
    return action_enqueue(
        purpose=ActionPurpose.PIECE_WRITE_OFF,
        subject=piece,
        sequence=_refused_before(piece),
        signer=accounts.organisation_account(piece.holder),
        function="writeOff",
        args=[piece.invoice.fingerprint, piece.index],
    )
