"""The buyer's answer to an invoice: confirmation and dispute (submission is in submission.py).
Each service checks roles and fields, writes the business rows and queues the on-chain action in
one database transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chain import accounts
from chain.hashing import salted_hash
from chain.models import ActionPurpose
from chain.services import action_enqueue
from organisations.checks import require_member
from organisations.models import Role
from organisations.selectors import is_active

from ..models import Invoice, InvoiceStatus


def earlier_described(invoice: Invoice) -> dict[str, str]:
    """An earlier invoice as refusals name it: its number, day and status."""
    return {"number": invoice.number, "day": invoice.issue_date.isoformat(), "status": invoice.get_status_display()}


def _require_current_buyer(invoice: Invoice) -> None:
    if not is_active(invoice.buyer):
        raise PermissionDenied(
            _("%(name)s has no current KYC approval (suspended or lapsed): it cannot confirm or dispute invoices.")
            % {"name": invoice.buyer.name}
        )


@transaction.atomic
def invoice_confirm(*, invoice: Invoice, confirmed_by, acknowledge_duplicate: bool = False) -> Invoice:
    """The buyer confirms: the invoice becomes its promise to pay on the due date. An invoice that
    looks like an earlier one (same seller, amount and issue date, another number) is confirmed
    only with the buyer's acknowledgement, which is recorded."""
    # Locks the invoice row only: PostgreSQL cannot lock the nullable side of the outer join.
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("possible_duplicate_of").get(pk=invoice.pk)
    require_member(confirmed_by, invoice.buyer, Role.CORE_FIRM, _("confirm its invoices"))
    _require_current_buyer(invoice)
    if invoice.status != InvoiceStatus.REGISTERED:
        raise ValidationError(
            {
                "status": _("Only a registered invoice can be confirmed; this one is %(status)s.")
                % {"status": invoice.get_status_display()}
            }
        )
    earlier = invoice.possible_duplicate_of
    if earlier is not None and invoice.duplicate_acknowledged_at is None:
        if not acknowledge_duplicate:
            raise ValidationError(
                {
                    "acknowledge_duplicate": _(
                        "This may be a duplicate of invoice %(number)s of %(day)s (%(status)s): same seller, amount "
                        "and issue date. Confirm that it is a different invoice to go on."
                    )
                    % earlier_described(earlier)
                }
            )
        invoice.duplicate_acknowledged_by = confirmed_by
        invoice.duplicate_acknowledged_at = timezone.now()
        invoice.save(update_fields=["duplicate_acknowledged_by", "duplicate_acknowledged_at", "updated_at"])
    action_enqueue(
        purpose=ActionPurpose.INVOICE_CONFIRM,
        subject=invoice,
        signer=accounts.organisation_account(invoice.buyer),
        function="confirmInvoice",
        args=[invoice.fingerprint],
    )
    return invoice


@transaction.atomic
def invoice_dispute(*, invoice: Invoice, disputed_by, reason: str) -> Invoice:
    """The buyer disputes a registered invoice. The reason is stored for the seller and the
    operator to read; the chain gets its salted hash only. A dispute is one action: a replay
    (another reason included) returns it and keeps the reason whose hash it carries."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    require_member(disputed_by, invoice.buyer, Role.CORE_FIRM, _("dispute its invoices"))
    _require_current_buyer(invoice)
    if invoice.status != InvoiceStatus.REGISTERED:
        raise ValidationError(
            {
                "status": _("Only a registered invoice can be disputed; this one is %(status)s.")
                % {"status": invoice.get_status_display()}
            }
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the invoice is disputed.")})
    reason_hash = salted_hash("dispute", invoice.pk, reason)
    action = action_enqueue(
        purpose=ActionPurpose.INVOICE_DISPUTE,
        subject=invoice,
        signer=accounts.organisation_account(invoice.buyer),
        function="disputeInvoice",
        args=[invoice.fingerprint, reason_hash],
    )
    if action.args[1] == reason_hash and not invoice.dispute_reason_hash:
        invoice.dispute_reason, invoice.dispute_reason_hash = reason, reason_hash
        invoice.disputed_by, invoice.disputed_at = disputed_by, timezone.now()
        invoice.save(update_fields=["dispute_reason", "dispute_reason_hash", "disputed_by", "disputed_at", "updated_at"])
    return invoice
