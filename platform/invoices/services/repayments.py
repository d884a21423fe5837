"""The buyer's repayment of a confirmed obligation, in full or in parts, on time or late: after a
default too, as the chain allows, and the holders (a lender that wrote its piece off among them)
collect their share. The service checks role and amount and queues the on-chain repay; the
invoice's repaid total changes only when the mirror sees ObligationRepaid."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chain import accounts
from chain.models import ActionPurpose, ChainAction
from chain.services import action_enqueue_next, request_key_checked
from organisations.checks import require_member
from organisations.models import Role

from .. import validation
from ..models import Invoice, InvoiceStatus

REPAYABLE = (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE, InvoiceStatus.DEFAULTED)
@transaction.atomic
def invoice_repay(*, invoice: Invoice, repaid_by, amount: object, request_key: str) -> ChainAction:
    """Queues repay of `amount` (currency units), signed by the buyer's account.

    `request_key` is the caller's token for this one payment (the API's Idempotency-Key, a form's
    token): a replay queues nothing new; a further instalment needs a new token.
    The contract pulls the tokens from the buyer's account, which approved it on registration.
    The amount is checked against what the mirror has seen repaid; repayments still in flight are
    not counted, and the chain refuses one that would pay more than is owed.
    """
    invoice = Invoice.objects.select_for_update().select_related("buyer").get(pk=invoice.pk)
    require_member(repaid_by, invoice.buyer, Role.CORE_FIRM, _("repay its invoices"))
    if invoice.status not in REPAYABLE:
        raise ValidationError(
            {
                "status": _("Only a confirmed, overdue or defaulted invoice can be repaid; this one is %(status)s.")
                % {"status": invoice.get_status_display()}
            }
        )
    micro = validation.micro_amount(amount)
    owed = invoice.amount - invoice.repaid
    if micro > owed:
        still_owed = Decimal(owed).scaleb(-validation.MICRO_DECIMALS)
        raise ValidationError(
            {"amount": _("The amount is more than the %(owed)s still owed.") % {"owed": still_owed}}
        )
    return action_enqueue_next(
        purpose=ActionPurpose.REPAY,
        subject=invoice,
        signer=accounts.organisation_account(invoice.buyer),
        function="repay",
        args=[invoice.fingerprint, micro],
        request_key=request_key_checked(request_key),
    )
