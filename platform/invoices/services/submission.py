"""Invoice submission, one invoice or hundreds: the single submit is a batch of one, so both go
through the same checks. A batch is read in a few queries whatever its size (its buyers, its
documents, the invoices it could repeat), each invoice is refused alone with the fields named, and
the accepted ones are stored and queued for registration on chain in one database transaction."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chain import accounts
from chain.models import ActionPurpose, ChainAccount
from chain.services import NewAction, actions_enqueue_new
from documents.models import Document, DocumentKind
from documents.selectors import document_extracted_invoice
from documents.services import document_bundle_hash
from organisations.checks import require_current, require_member
from organisations.models import Organisation, Role
from organisations.selectors import day_start, is_active, local_today

from .. import identity, validation
from ..einvoice import check_against_einvoice
from ..models import Invoice
from .invoices import earlier_described

ZERO_HASH = "0x" + "00" * 32  # no supporting documents
MAX_BATCH = validation.MAX_BATCH


@dataclass(frozen=True)
class InvoiceLine:
    """One invoice as the supplier submits it. `reference` is how the caller names it to the user
    (row 7 of a sheet, item 3 of a request), so that a refusal can point at an earlier twin."""

    buyer_id: object
    number: str
    amount: object
    currency: object
    issue_date: date
    due_date: date
    document_ids: list[int]
    reference: str = ""


@dataclass
class Submitted:
    """The outcome of one line: the invoice stored, or the refusals by field (nothing stored)."""

    line: InvoiceLine
    invoice: Invoice | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            self.errors.setdefault(name, []).extend(messages)

    def attempt(self, check, *args, **kwargs):
        """What `check` returns, or None when it refuses, its messages kept with the others."""
        try:
            return check(*args, **kwargs)
        except ValidationError as refusal:
            self.refuse(refusal)
            return None


@dataclass(frozen=True)
class _Checked:
    """A line whose fields passed: what it will store."""

    number: str
    canonical_number: str
    micro: int
    currency: int
    buyer: Organisation
    invoice_document: Document
    supporting: list[Document]
    verified: bool


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
    line = InvoiceLine(buyer_id=buyer_id, number=number, amount=amount, currency=currency,
                       issue_date=issue_date, due_date=due_date, document_ids=document_ids)
    [submitted] = invoices_submit(submitted_by=submitted_by, lines=[line])
    if submitted.errors:
        raise ValidationError(submitted.errors)
    return submitted.invoice


@transaction.atomic
def invoices_submit(*, submitted_by, lines: Sequence[InvoiceLine]) -> list[Submitted]:
    """Checks every line as a single submission is checked, and against the lines before it (the
    same invoice number or document twice), then stores and queues every accepted one; the
    outcomes come back in the order of `lines`. Refused as a whole (PermissionDenied) when the
    user may not submit invoices, and (ValidationError on `invoices`) when there are none or more
    than MAX_BATCH lines."""
    seller = submitting_supplier(submitted_by)
    if not lines:
        raise ValidationError({"invoices": _("Send at least one invoice.")})
    if len(lines) > MAX_BATCH:
        raise ValidationError(
            {"invoices": _("Send at most %(limit)s invoices at a time; this request has %(count)s.")
             % {"limit": MAX_BATCH, "count": len(lines)}}
        )
    outcomes = [Submitted(line=line) for line in lines]
    accepted = _check_against_stored(seller, _check_fields(seller, outcomes))
    while True:
        try:
            with transaction.atomic():  # a concurrent twin passes the checks above; the unique indexes stop it
                _store(seller, accepted)
            return outcomes
        except IntegrityError:
            for outcome, _fields in accepted:
                outcome.invoice = None
            still = _check_against_stored(seller, accepted)
            if len(still) == len(accepted):
                raise
            accepted = still


def submitting_supplier(submitted_by) -> Organisation:
    """The supplier `submitted_by` submits for; PermissionDenied unless it is a current supplier's user."""
    seller = submitted_by.organisation if submitted_by else None
    if seller is None:
        raise PermissionDenied(_("Only a user of a supplier can submit invoices."))
    require_member(submitted_by, seller, Role.SUPPLIER, _("submit invoices"))
    require_current(seller)
    return seller


def _check_fields(seller: Organisation, outcomes: list[Submitted]) -> list[tuple[Submitted, _Checked]]:
    """Each line's own fields, its buyer and its documents, loaded for all lines at once."""
    today = local_today(seller)
    buyers = _buyers(outcomes)
    documents = _documents(seller, outcomes)
    checked = []
    for outcome in outcomes:
        line = outcome.line
        number = outcome.attempt(validation.invoice_number, line.number)
        micro = outcome.attempt(validation.micro_amount, line.amount)
        currency = outcome.attempt(validation.currency_id, line.currency)
        outcome.attempt(validation.invoice_dates, line.issue_date, line.due_date, today=today)
        buyer = outcome.attempt(_buyer, buyers, line.buyer_id)
        attached = outcome.attempt(_attached, documents, line.document_ids)
        if outcome.errors:
            continue
        invoice_document, supporting = attached
        extracted = document_extracted_invoice(invoice_document)
        if extracted is not None:
            outcome.attempt(
                check_against_einvoice, extracted, seller=seller, buyer=buyer, number=number, amount=micro,
                currency=currency, issue_date=line.issue_date, due_date=line.due_date,
            )
            if outcome.errors:
                continue
        checked.append((outcome, _Checked(
            number=number, canonical_number=identity.canonical_invoice_number(number), micro=micro,
            currency=currency, buyer=buyer, invoice_document=invoice_document, supporting=supporting,
            verified=extracted is not None,
        )))
    return checked


def _buyers(outcomes: list[Submitted]) -> dict[int, Organisation]:
    ids = {int(str(outcome.line.buyer_id)) for outcome in outcomes if str(outcome.line.buyer_id).isdigit()}
    return {buyer.pk: buyer for buyer in Organisation.objects.filter(pk__in=ids, role=Role.CORE_FIRM)}


def _buyer(buyers: dict[int, Organisation], raw_id: object) -> Organisation:
    """The core firm named as the buyer, refused as organisations.checks.party_named refuses it."""
    buyer = buyers.get(int(str(raw_id))) if str(raw_id).isdigit() else None
    if buyer is None:
        raise ValidationError({"buyer": _("Unknown buyer: no core firm with this id is on the platform.")})
    if not is_active(buyer):
        raise ValidationError(
            {"buyer": _("%(name)s has no current KYC approval and on-chain registration.") % {"name": buyer.name}}
        )
    return buyer


def _documents(seller: Organisation, outcomes: list[Submitted]) -> dict[int, Document]:
    """The seller's documents that the lines name, locked: a concurrent submission of the same
    document waits for this one and then finds it attached."""
    ids = {document_id for outcome in outcomes for document_id in outcome.line.document_ids}
    return {document.pk: document for document in Document.objects.select_for_update().filter(pk__in=ids, organisation=seller)}


def _attached(documents: dict[int, Document], document_ids: list[int]) -> tuple[Document, list[Document]]:
    """The invoice document itself and the supporting documents (purchase order, delivery notes)."""
    if not document_ids:
        raise ValidationError({"documents": _("Attach the invoice document itself (PDF, UBL or Factur-X).")})
    chosen = [documents[pk] for pk in dict.fromkeys(document_ids) if pk in documents]
    if len(chosen) != len(set(document_ids)):
        raise ValidationError({"documents": _("Some documents do not exist or belong to another organisation.")})
    if any(document.kind == DocumentKind.KYC for document in chosen):
        raise ValidationError({"documents": _("A KYC document is for the platform's review; it cannot back an invoice.")})
    invoice_documents = [document for document in chosen if document.kind == DocumentKind.INVOICE]
    if not invoice_documents:
        raise ValidationError({"documents": _("Attach the invoice document itself (PDF, UBL or Factur-X).")})
    if len(invoice_documents) > 1:
        raise ValidationError(
            {"documents": _("Attach one invoice document; the others must be purchase orders or delivery notes.")}
        )
    if any(document.invoice_id for document in chosen):
        raise ValidationError({"documents": _("A document is already attached to another invoice.")})
    [invoice_document] = invoice_documents
    return invoice_document, [document for document in chosen if document is not invoice_document]


def _check_against_stored(
    seller: Organisation, candidates: list[tuple[Submitted, _Checked]]
) -> list[tuple[Submitted, _Checked]]:
    """The lines that repeat no invoice on the platform nor an earlier accepted line of the batch
    (by canonical number or by document): the ones to store. The others are refused."""
    registered = {
        invoice.canonical_number: invoice
        for invoice in Invoice.objects.filter(
            seller=seller, canonical_number__in=[fields.canonical_number for _outcome, fields in candidates]
        )
    }
    backed = {
        invoice.document_hash: invoice
        for invoice in Invoice.objects.filter(
            document_hash__in=[fields.invoice_document.keccak for _outcome, fields in candidates]
        )
    }
    accepted, numbers, used = [], {}, {}
    for outcome, fields in candidates:
        earlier = registered.get(fields.canonical_number)
        if earlier is not None:
            outcome.refuse(ValidationError({"number": _(
                "%(submitted)s is invoice %(number)s of %(day)s, already on the platform (%(status)s): "
                "an invoice registers once, however its number is written."
            ) % (earlier_described(earlier) | {"submitted": fields.number})}))
        elif fields.canonical_number in numbers:
            outcome.refuse(ValidationError({"number": _(
                "%(submitted)s is the same invoice as %(number)s (%(reference)s) in this submission: an invoice "
                "registers once, however its number is written."
            ) % _twin(fields.number, numbers[fields.canonical_number])}))
        backing = backed.get(fields.invoice_document.keccak)
        if backing is not None:
            outcome.refuse(ValidationError({"documents": _document_used(seller, backing)}))
        documents = {fields.invoice_document.pk, *(document.pk for document in fields.supporting)}
        twin = next((used[pk] for pk in sorted(documents) if pk in used), None)
        if twin is not None:
            outcome.refuse(ValidationError({"documents": _(
                "A document of this invoice is also attached to %(number)s (%(reference)s) in this submission."
            ) % _twin(fields.number, twin)}))
        if outcome.errors:
            continue
        numbers[fields.canonical_number] = outcome
        used.update(dict.fromkeys(documents, outcome))
        accepted.append((outcome, fields))
    return accepted


def _twin(number: str, earlier: Submitted) -> dict[str, str]:
    return {"submitted": number, "number": earlier.line.number.strip(),
            "reference": earlier.line.reference or _("an earlier line")}


def _document_used(seller: Organisation, earlier: Invoice) -> str:
    if earlier.seller_id == seller.pk:
        return _("This invoice document already backs invoice %(number)s of %(day)s (%(status)s).") % (
            earlier_described(earlier))
    # another organisation's invoice: say that it exists, nothing about it
    return _("This invoice document already backs an invoice of another organisation.")


def _store(seller: Organisation, accepted: list[tuple[Submitted, _Checked]]) -> None:
    """Inserts the accepted invoices, attaches their documents and queues their registrations: a
    few statements whatever their number."""
    if not accepted:
        return
    lookalikes = _stored_lookalikes(seller, accepted)
    invoices, in_batch = [], {}
    for outcome, fields in accepted:
        line = outcome.line
        key = identity.invoice_key(seller_legal_id=seller.legal_id, number=fields.number)
        resemblance = (fields.buyer.pk, fields.micro, line.issue_date)
        invoice = Invoice(
            seller=seller,
            buyer=fields.buyer,
            number=fields.number,
            canonical_number=fields.canonical_number,
            amount=fields.micro,
            currency=fields.currency,
            issue_date=line.issue_date,
            due_date=line.due_date,
            invoice_key=key,
            fingerprint=identity.chain_fingerprint(seller_onchain_id=seller.onchain_id, key=key),
            document_hash=fields.invoice_document.keccak,
            supporting_documents_hash=document_bundle_hash(fields.supporting) if fields.supporting else "",
            verified_from_einvoice=fields.verified,
            possible_duplicate_of_id=lookalikes.get(resemblance),
        )
        in_batch.setdefault(resemblance, []).append(invoice)
        invoices.append(invoice)
    Invoice.objects.bulk_create(invoices)
    # An invoice that resembles an earlier one of the same batch (and none stored before) points
    # at it; that one has its id only now.
    later_twins = [twin for group in in_batch.values() for twin in group[1:] if twin.possible_duplicate_of_id is None]
    for group in in_batch.values():
        for twin in group[1:]:
            if twin.possible_duplicate_of_id is None:
                twin.possible_duplicate_of = group[0]
    if later_twins:
        Invoice.objects.bulk_update(later_twins, ["possible_duplicate_of"])
    attached = []
    for (outcome, fields), invoice in zip(accepted, invoices):
        outcome.invoice = invoice
        for document in (fields.invoice_document, *fields.supporting):
            document.invoice = invoice
            attached.append(document)
    Document.objects.bulk_update(attached, ["invoice"])
    _queue_registrations(seller, invoices)


def _stored_lookalikes(seller: Organisation, accepted: list[tuple[Submitted, _Checked]]) -> dict[tuple, int]:
    """For each (buyer, amount, issue date) of the lines, the earliest stored invoice of the seller
    with the same three, under another number: accepted, but the buyer is shown it before confirming."""
    if not accepted:
        return {}
    earliest = {}
    rows = Invoice.objects.filter(
        seller=seller,
        buyer_id__in={fields.buyer.pk for _outcome, fields in accepted},
        amount__in={fields.micro for _outcome, fields in accepted},
        issue_date__in={outcome.line.issue_date for outcome, _fields in accepted},
    ).order_by("created_at", "pk").values_list("buyer_id", "amount", "issue_date", "pk")
    for buyer_id, amount, issue_date, pk in rows:
        earliest.setdefault((buyer_id, amount, issue_date), pk)
    return earliest


def _queue_registrations(seller: Organisation, invoices: list[Invoice]) -> None:
    """One registerInvoice action per invoice, signed by the seller; the sender batches them."""
    seller_account = accounts.organisation_account(seller)
    buyer_accounts = _accounts_of({invoice.buyer for invoice in invoices})
    actions_enqueue_new(purpose=ActionPurpose.INVOICE_REGISTER, actions=[
        NewAction(
            subject=invoice,
            signer=seller_account,
            function="registerInvoice",
            args=[
                invoice.invoice_key,
                invoice.document_hash,
                invoice.supporting_documents_hash or ZERO_HASH,
                buyer_accounts[invoice.buyer_id].address,
                invoice.amount,
                invoice.currency,
                day_start(invoice.issue_date, seller),
                day_start(invoice.due_date, seller),
            ],
        )
        for invoice in invoices
    ])


def _accounts_of(organisations: set[Organisation]) -> dict[int, ChainAccount]:
    """The custodial accounts of `organisations` in one query (created for any that has none)."""
    found = {account.organisation_id: account
             for account in ChainAccount.objects.filter(organisation__in=[o.pk for o in organisations])}
    for organisation in organisations:
        if organisation.pk not in found:
            found[organisation.pk] = accounts.organisation_account(organisation)
    return found
