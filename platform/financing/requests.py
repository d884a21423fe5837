"""A holder's request that a lender finance one of its pieces. The request row is written with
the on-chain requestFinancing it queues; the contract decides at once and the mirror records the
decision (approved, rejected) or actions_failed the chain's refusal."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chain import accounts
from chain.services import action_enqueue
from invoices.models import InvoiceStatus, Piece
from invoices.services import require_member
from organisations.models import Organisation, Role
from organisations.selectors import is_active

from .models import FinancingRequest, FinancingStatus


def _lender(lender_id: object) -> Organisation:
    lender = None
    if str(lender_id).isdigit():
        lender = Organisation.objects.filter(pk=int(lender_id), role=Role.LENDER).first()
    if lender is None:
        raise ValidationError({"lender": _("Unknown lender: no lender with this id is on the platform.")})
    if not is_active(lender):
        raise ValidationError(
            {"lender": _("%(name)s has no current KYC approval and on-chain registration.") % {"name": lender.name}}
        )
    return lender


@transaction.atomic
def financing_request(*, piece: Piece, requested_by, lender_id: object) -> FinancingRequest:
    """Records the request and queues requestFinancing, signed by the holder's account.

    A piece has at most one open request per lender: a replayed request is refused while the first
    awaits its decision, and a new one is possible once it was rejected or refused by the chain.
    """
    # The lock on the piece serialises concurrent requests, so both cannot pass the check below.
    piece = Piece.objects.select_for_update().select_related("invoice", "holder").get(pk=piece.pk)
    require_member(requested_by, piece.holder, Role.SUPPLIER, _("request financing of its pieces"))
    if not is_active(piece.holder):
        raise PermissionDenied(_("Your organisation needs a current KYC approval and on-chain registration first."))
    if piece.invoice.status != InvoiceStatus.CONFIRMED:
        raise ValidationError(
            {
                "status": _("Only pieces of a confirmed invoice can be financed; this one is %(status)s.")
                % {"status": piece.invoice.status}
            }
        )
    if piece.financed:
        raise ValidationError({"piece": _("This piece is already financed.")})
    lender = _lender(lender_id)
    if FinancingRequest.objects.filter(piece=piece, lender=lender, status=FinancingStatus.REQUESTED).exists():
        raise ValidationError(
            {"lender": _("This piece already awaits a decision from %(lender)s.") % {"lender": lender.name}}
        )
    request = FinancingRequest.objects.create(piece=piece, holder=piece.holder, lender=lender)
    action_enqueue(
        signer=accounts.organisation_account(piece.holder),
        function="requestFinancing",
        args=[piece.invoice.fingerprint, piece.index, accounts.organisation_account(lender).address],
        idempotency_key=f"financing-request:{request.pk}",
    )
    return request
