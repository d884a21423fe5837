"""Invoice submission, confirmation and dispute. Each service checks roles and fields, writes the
business rows and queues the on-chain action in one database transaction."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chain import accounts
from chain.hashing import salted_hash
from chain.models import ActionPurpose
from chain.services import action_enqueue
from documents.models import Document, DocumentKind
from documents.selectors import document_extracted_invoice
from documents.services import document_bundle_hash
from organisations.checks import party_named, require_current, require_member
from organisations.models import Organisation, Role
from organisations.selectors import day_start, is_active, local_today

from .. import identity, validation
from ..einvoice import check_against_einvoice
from ..models import Invoice, InvoiceStatus

ZERO_HASH = "0x" + "00" * 32  # no supporting documents


def _documents(seller: Organisation, document_ids: list[int]) -> tuple[Document, list[Document]]:
    """The invoice document itself and the supporting documents (purchase order, delivery notes)."""
    documents = list(Document.objects.select_for_update().filter(pk__in=document_ids, organisation=seller))
    if len(documents) != len(set(document_ids)):
        raise ValidationError({"documents": _("Some documents do not exist or belong to another organisation.")})
    if any(document.kind == DocumentKind.KYC for document in documents):
        raise ValidationError({"documents": _("A KYC document is for the platform's review; it cannot back an invoice.")})
    invoice_documents = [document for document in documents if document.kind == DocumentKind.INVOICE]
    if not invoice_documents:
        raise ValidationError({"documents": _("Attach the invoice document itself (PDF, UBL or Factur-X).")})
    if len(invoice_documents) > 1:
        raise ValidationError(
            {"documents": _("Attach one invoice document; the others must be purchase orders or delivery notes.")}
        )
    if any(document.invoice_id for document in documents):
        raise ValidationError({"documents": _("A document is already attached to another invoice.")})
    [invoice_document] = invoice_documents
    return invoice_document, [document for document in documents if document is not invoice_document]


def _earlier(invoice: Invoice) -> dict[str, str]:
    return {"number": invoice.number, "day": invoice.issue_date.isoformat(), "status": invoice.get_status_display()}


def _refuse_registered_twice(seller: Organisation, canonical_number: str, number: str) -> None:
    earlier = Invoice.objects.filter(seller=seller, canonical_number=canonical_number).first()
    if earlier is not None:
        raise ValidationError(
            {
                "number": _(
                    "%(submitted)s is invoice %(number)s of %(day)s, already on the platform (%(status)s): "
                    "an invoice registers once, however its number is written."
                )
                % (_earlier(earlier) | {"submitted": number})
            }
        )


def _refuse_document_used(seller: Organisation, document: Document) -> None:
    earlier = Invoice.objects.filter(document_hash=document.keccak).first()
    if earlier is None:
        return
    if earlier.seller_id == seller.pk:
        message = _("This invoice document already backs invoice %(number)s of %(day)s (%(status)s).") % _earlier(earlier)
    else:  # another organisation's invoice: say that it exists, nothing about it
        message = _("This invoice document already backs an invoice of another organisation.")
    raise ValidationError({"documents": message})


def _lookalike(seller: Organisation, buyer: Organisation, amount: int, issue_date: date) -> Invoice | None:
    """The earliest invoice of the same seller to the same buyer, for the same amount and issue
    date, under another number: accepted, but the buyer is shown it before confirming."""
    return (
        Invoice.objects.filter(seller=seller, buyer=buyer, amount=amount, issue_date=issue_date)
        .order_by("created_at", "pk")
        .first()
    )


@transaction.atomic
def invoice_submit(
    *,
    submitted_by,
    buyer_id: object,
    number: str,
    amount: object,
    currency: object,
    issue_date: date,
    due_date: date,
    document_ids: list[int],
) -> Invoice:
    """Stores the invoice and queues its on-chain registration. Refused, with nothing stored, when
    the same invoice (seller and canonical number) or the same invoice document is already on the
    platform, or when the fields differ from the e-invoice."""
    seller = submitted_by.organisation if submitted_by else None
    if seller is None:
        raise PermissionDenied(_("Only a user of a supplier can submit invoices."))
    require_member(submitted_by, seller, Role.SUPPLIER, _("submit invoices"))
    require_current(seller)
    number = validation.invoice_number(number)
    micro = validation.micro_amount(amount)
    currency_id = validation.currency_id(currency)
    validation.invoice_dates(issue_date, due_date, today=local_today(seller))
    buyer = party_named(
        buyer_id, role=Role.CORE_FIRM, field="buyer",
        unknown=_("Unknown buyer: no core firm with this id is on the platform."),
    )
    invoice_document, supporting = _documents(seller, document_ids)
    extracted = document_extracted_invoice(invoice_document)
    if extracted is not None:
        check_against_einvoice(
            extracted, seller=seller, buyer=buyer, number=number, amount=micro, currency=currency_id,
            issue_date=issue_date, due_date=due_date,
        )
    canonical_number = identity.canonical_invoice_number(number)
    _refuse_registered_twice(seller, canonical_number, number)
    _refuse_document_used(seller, invoice_document)
    key = identity.invoice_key(seller_legal_id=seller.legal_id, number=number)
    try:
        with transaction.atomic():  # a concurrent twin passes the checks above; the unique indexes stop it
            invoice = Invoice.objects.create(
                seller=seller,
                buyer=buyer,
                number=number,
                canonical_number=canonical_number,
                amount=micro,
                currency=currency_id,
                issue_date=issue_date,
                due_date=due_date,
                invoice_key=key,
                fingerprint=identity.chain_fingerprint(seller_onchain_id=seller.onchain_id, key=key),
                document_hash=invoice_document.keccak,
                supporting_documents_hash=document_bundle_hash(supporting) if supporting else "",
                verified_from_einvoice=extracted is not None,
                possible_duplicate_of=_lookalike(seller, buyer, micro, issue_date),
            )
    except IntegrityError:
        _refuse_registered_twice(seller, canonical_number, number)
        _refuse_document_used(seller, invoice_document)
        raise
    Document.objects.filter(pk__in=[invoice_document.pk, *(document.pk for document in supporting)]).update(
        invoice=invoice
    )
    action_enqueue(
        purpose=ActionPurpose.INVOICE_REGISTER,
        subject=invoice,
        signer=accounts.organisation_account(seller),
        function="registerInvoice",
        args=[
            key,
            invoice.document_hash,
            invoice.supporting_documents_hash or ZERO_HASH,
            accounts.organisation_account(buyer).address,
            micro,
            currency_id,
            day_start(issue_date, seller),
            day_start(due_date, seller),
        ],
    )
    return invoice


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
                    % _earlier(earlier)
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
