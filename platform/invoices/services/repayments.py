"""The buyer's repayment of a confirmed obligation, in full or in parts, on time or late: after a
default too, as the chain allows, and the holders (a lender that wrote its piece off among them)
collect their share. The service checks role and amount and queues the on-chain repay; the
invoice's repaid total changes only when the mirror sees ObligationRepaid. Meanwhile what queued
repayments cover is taken: a second tab's payment of the same amount is refused."""

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
from ..pending import invoice_repaying

REPAYABLE = (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE, InvoiceStatus.DEFAULTED)
@transaction.atomic
def invoice_repay(*, invoice: Invoice, repaid_by, amount: object, request_key: str) -> ChainAction:
    """Queues repay of `amount` (currency units), signed by the buyer's account.

    `request_key` is the caller's token for this one payment (the API's Idempotency-Key, a form's
    token): a replay queues nothing new; a further instalment needs a new token.
    The contract pulls the tokens from the buyer's account, which approved it on registration.
    The amount is checked against what is still owed after the repayments the mirror has seen and
    those queued and not yet applied (the lock on the invoice serialises two payments racing).
    """
    invoice = Invoice.objects.select_for_update().select_related("buyer").get(pk=invoice.pk)
    require_member(repaid_by, invoice.buyer, Role.CORE_FIRM, _("repay its invoices"))
    if invoice.status == InvoiceStatus.REPAID:
        raise ValidationError({"status": _("This invoice is %(status)s: it is repaid in full and nothing more is owed.") % {
            "status": invoice.get_status_display(),
        }})
    if invoice.status not in REPAYABLE:
        raise ValidationError(
            {
                "status": _("Only a confirmed, overdue or defaulted invoice can be repaid; this one is %(status)s.")
                % {"status": invoice.get_status_display()}
            }
        )
    micro = validation.micro_amount(amount)
    key = request_key_checked(request_key)
    _check_owed(invoice, micro, repaying=invoice_repaying(invoice, except_request_key=key))
    return action_enqueue_next(
        purpose=ActionPurpose.REPAY,
        subject=invoice,
        signer=accounts.organisation_account(invoice.buyer),
        function="repay",
        args=[invoice.fingerprint, micro],
        request_key=key,
    )


def _check_owed(invoice: Invoice, micro: int, *, repaying: int) -> None:
    """Refuses an amount beyond what is still owed once the `repaying` micro-units queued are paid."""
    owed = max(invoice.amount - invoice.repaid - repaying, 0)
    if micro <= owed:
        return
    currency, text = invoice.get_currency_display(), validation.units_text
    if not repaying:
        message = _("The amount is more than the %(owed)s %(currency)s still owed.") % {
            "owed": text(owed), "currency": currency,
        }
    elif not owed:
        message = _(
            "This invoice is already being repaid in full: %(repaying)s %(currency)s in queued repayments. "
            "Nothing more is owed."
        ) % {"repaying": text(repaying), "currency": currency}
    else:
        message = _(
            "%(amount)s %(currency)s is more than the %(owed)s %(currency)s still owed after the %(repaying)s "
            "%(currency)s already being repaid."
        ) % {"amount": text(micro), "owed": text(owed), "repaying": text(repaying), "currency": currency}
    raise ValidationError({"amount": message})
