"""Invoice submission, confirmation and dispute. Each service checks roles and fields, writes the
business rows and queues the on-chain action in one database transaction."""

from datetime import date, datetime, time, timezone as dt_timezone

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chain import accounts
from chain.hashing import salted_hash
from chain.services import action_enqueue
from documents.models import Document, DocumentKind
from documents.services import document_bundle_hash
from organisations.models import Organisation, Role
from organisations.selectors import is_active

from . import validation
from .models import Invoice, InvoiceStatus


def invoice_fingerprint(*, seller: Organisation, buyer: Organisation, number: str, amount: int, issue_date: date) -> str:
    """The platform-wide identity of an invoice: the same invoice always hashes the same, so the
    chain refuses to register (and so to finance) it twice."""
    canonical_number = "".join(number.split()).upper()
    return salted_hash("invoice", seller.legal_id, buyer.legal_id, canonical_number, amount, issue_date.isoformat())


def _unix(day: date) -> int:
    return int(datetime.combine(day, time(0), tzinfo=dt_timezone.utc).timestamp())


def require_member(user, organisation: Organisation, role: str, action: str) -> None:
    if user is None or user.organisation_id != organisation.pk or organisation.role != role:
        raise PermissionDenied(
            _("Only a user of the %(role)s can %(action)s.") % {"role": Role(role).label.lower(), "action": action}
        )


def _buyer(buyer_id: object) -> Organisation:
    buyer = None
    if str(buyer_id).isdigit():
        buyer = Organisation.objects.filter(pk=int(buyer_id), role=Role.CORE_FIRM).first()
    if buyer is None:
        raise ValidationError({"buyer": _("Unknown buyer: no core firm with this id is on the platform.")})
    if not is_active(buyer):
        raise ValidationError(
            {"buyer": _("%(name)s has no current KYC approval and on-chain registration.") % {"name": buyer.name}}
        )
    return buyer


def _documents(seller: Organisation, document_ids: list[int]) -> list[Document]:
    documents = list(Document.objects.select_for_update().filter(pk__in=document_ids, organisation=seller))
    if len(documents) != len(set(document_ids)):
        raise ValidationError({"documents": _("Some documents do not exist or belong to another organisation.")})
    if not any(document.kind == DocumentKind.INVOICE for document in documents):
        raise ValidationError({"documents": _("Attach the invoice document itself (PDF, UBL or Factur-X).")})
    if any(document.invoice_id for document in documents):
        raise ValidationError({"documents": _("A document is already attached to another invoice.")})
    return documents


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
    """Stores the invoice and queues its on-chain registration."""
    seller = submitted_by.organisation if submitted_by else None
    if seller is None:
        raise PermissionDenied(_("Only a user of a supplier can submit invoices."))
    require_member(submitted_by, seller, Role.SUPPLIER, _("submit invoices"))
    if not is_active(seller):
        raise PermissionDenied(_("Your organisation needs a current KYC approval and on-chain registration first."))
    number = validation.invoice_number(number)
    micro = validation.micro_amount(amount)
    currency_id = validation.currency_id(currency)
    validation.invoice_dates(issue_date, due_date)
    buyer = _buyer(buyer_id)
    documents = _documents(seller, document_ids)
    fingerprint = invoice_fingerprint(seller=seller, buyer=buyer, number=number, amount=micro, issue_date=issue_date)
    already_submitted = ValidationError(
        {
            "number": _("Invoice %(number)s to %(buyer)s was already submitted.")
            % {"number": number, "buyer": buyer.name}
        }
    )
    if Invoice.objects.filter(fingerprint=fingerprint).exists():
        raise already_submitted
    try:
        with transaction.atomic():  # a concurrent twin passes the check above; the unique index stops it
            invoice = Invoice.objects.create(
                seller=seller,
                buyer=buyer,
                number=number,
                amount=micro,
                currency=currency_id,
                issue_date=issue_date,
                due_date=due_date,
                fingerprint=fingerprint,
                document_hash=document_bundle_hash(documents),
            )
    except IntegrityError:
        raise already_submitted from None
    Document.objects.filter(pk__in=[document.pk for document in documents]).update(invoice=invoice)
    action_enqueue(
        signer=accounts.organisation_account(seller),
        function="registerInvoice",
        args=[
            fingerprint,
            invoice.document_hash,
            accounts.organisation_account(buyer).address,
            micro,
            currency_id,
            _unix(issue_date),
            _unix(due_date),
        ],
        idempotency_key=f"invoice-register:{invoice.pk}",
    )
    return invoice


@transaction.atomic
def invoice_confirm(*, invoice: Invoice, confirmed_by) -> Invoice:
    """The buyer confirms: the invoice becomes its promise to pay on the due date."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    require_member(confirmed_by, invoice.buyer, Role.CORE_FIRM, _("confirm its invoices"))
    if invoice.status != InvoiceStatus.REGISTERED:
        raise ValidationError(
            {
                "status": _("Only a registered invoice can be confirmed; this one is %(status)s.")
                % {"status": invoice.status}
            }
        )
    action_enqueue(
        signer=accounts.organisation_account(invoice.buyer),
        function="confirmInvoice",
        args=[invoice.fingerprint],
        idempotency_key=f"invoice-confirm:{invoice.pk}",
    )
    return invoice


@transaction.atomic
def invoice_dispute(*, invoice: Invoice, disputed_by, reason: str) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    require_member(disputed_by, invoice.buyer, Role.CORE_FIRM, _("dispute its invoices"))
    if invoice.status != InvoiceStatus.REGISTERED:
        raise ValidationError(
            {
                "status": _("Only a registered invoice can be disputed; this one is %(status)s.")
                % {"status": invoice.status}
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the invoice is disputed.")})
    action_enqueue(
        signer=accounts.organisation_account(invoice.buyer),
        function="disputeInvoice",
        args=[invoice.fingerprint, salted_hash("dispute", invoice.pk, reason.strip())],
        idempotency_key=f"invoice-dispute:{invoice.pk}",
    )
    return invoice
