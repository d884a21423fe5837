"""The supplier's bulk upload: a sheet of invoice lines (invoices.sheets) and a ZIP of their
documents (documents.archives). Each line's documents are stored through the same upload service
as a single upload (sniffed, UBL and Factur-X read), then all the lines are submitted as one batch
(invoices_submit). A refused line leaves nothing: the documents it stored are discarded."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _

from documents.archives import SafeArchive
from documents.models import Document, DocumentKind
from documents.services import DocumentFile, documents_discard, documents_upload
from organisations.models import Organisation, Role
from organisations.selectors import active_organisations

from ..models import Invoice
from ..sheets import SheetRow, sheet_rows
from .submission import InvoiceLine, invoices_submit, submitting_supplier

KINDS = {
    "invoice_file": DocumentKind.INVOICE,
    "purchase_order_file": DocumentKind.PURCHASE_ORDER,
    "delivery_note_file": DocumentKind.DELIVERY_NOTE,
}


@dataclass
class UploadedRow:
    """The outcome of one line of the sheet: the invoice created, or the refusals by column."""

    row: int
    number: str
    invoice: Invoice | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def invoices_upload(*, submitted_by, sheet: File | bytes, archive: File | bytes) -> list[UploadedRow]:
    """Submits every line of `sheet` with its documents from `archive`; one outcome per line, in
    the sheet's order. Refused whole (ValidationError on `sheet` or `archive`, nothing stored)
    when either cannot be read safely, and (PermissionDenied) when the user may not submit."""
    seller = submitting_supplier(submitted_by)
    rows = sheet_rows(sheet)
    outcomes = {row.row: UploadedRow(row=row.row, number=row.number, errors=dict(row.errors)) for row in rows}
    buyers = _buyers_by_reference()
    stored: dict[int, list[Document]] = {}
    lines: dict[int, InvoiceLine] = {}
    try:
        with SafeArchive(archive) as members:
            lookup, first_use = _member_lookup(members.names), {}
            for row in rows:
                outcome = outcomes[row.row]
                buyer = _buyer(buyers, row.buyer)
                if buyer is None and row.buyer:
                    outcome.errors.setdefault("buyer", []).append(_(
                        "No core firm with a current KYC approval has the registration number or name %(value)s."
                    ) % {"value": row.buyer})
                files = _row_files(row, outcome, lookup, first_use)
                if outcome.errors:
                    continue
                documents = _store_documents(seller, submitted_by, members, files, outcome)
                if documents:
                    stored[row.row] = documents
                    lines[row.row] = _line(row, buyer, documents)
        if lines:
            for number, submitted in zip(lines, invoices_submit(submitted_by=submitted_by, lines=list(lines.values()))):
                outcomes[number].invoice = submitted.invoice
                outcomes[number].errors.update(submitted.errors)
    except BaseException:
        documents_discard(document for documents in stored.values() for document in documents)
        raise
    documents_discard(document for number, documents in stored.items() if outcomes[number].invoice is None
                      for document in documents)
    return list(outcomes.values())


def _buyers_by_reference() -> dict[str, Organisation]:
    """The core firms a line may name, by registration number and by name (case aside)."""
    buyers = {}
    for buyer in active_organisations(Role.CORE_FIRM):
        buyers.setdefault(buyer.name.strip().casefold(), buyer)
        buyers[buyer.legal_id.strip().casefold()] = buyer
    return buyers


def _buyer(buyers: dict[str, Organisation], reference: str) -> Organisation | None:
    return buyers.get(reference.strip().casefold()) if reference else None


def _member_lookup(names: list[str]) -> dict[str, str]:
    """A line names a document by its path in the ZIP or, when no other member has it, by its file name."""
    lookup = {name: name for name in names}
    by_file_name: dict[str, list[str]] = {}
    for name in names:
        by_file_name.setdefault(name.rsplit("/", 1)[-1], []).append(name)
    for file_name, paths in by_file_name.items():
        if len(paths) == 1:
            lookup.setdefault(file_name, paths[0])
    return lookup


def _row_files(row: SheetRow, outcome: UploadedRow, lookup: dict[str, str], first_use: dict[str, int]) -> dict[str, str]:
    """The ZIP member of each file column of the row; a refusal on the column for one that the
    ZIP lacks or that an earlier line already took."""
    files = {}
    for column, name in row.files.items():
        member = lookup.get(name.replace("\\", "/").removeprefix("./"))
        if member is None:
            outcome.errors.setdefault(column, []).append(_("%(name)s is not in the ZIP.") % {"name": name})
        elif member in first_use and first_use[member] != row.row:
            outcome.errors.setdefault(column, []).append(
                _("%(name)s is already the document of row %(row)s.") % {"name": name, "row": first_use[member]}
            )
        else:
            first_use[member] = row.row
            files[column] = member
    return files


def _store_documents(
    seller: Organisation, submitted_by, members: SafeArchive, files: dict[str, str], outcome: UploadedRow
) -> list[Document]:
    """The row's documents, stored as one upload; none (and the refusals on the row) if any is refused."""
    uploads = {}
    for column, member in files.items():
        try:
            uploads[column] = DocumentFile(kind=KINDS[column], name=member, content=members.read(member))
        except ValidationError as refusal:
            outcome.errors.setdefault(column, []).extend(refusal.messages)
    if outcome.errors:
        return []
    try:
        return documents_upload(organisation=seller, uploaded_by=submitted_by, files=uploads)
    except ValidationError as refusal:
        for column, messages in refusal.message_dict.items():
            outcome.errors.setdefault(column, []).extend(messages)
        return []


def _line(row: SheetRow, buyer: Organisation, documents: list[Document]) -> InvoiceLine:
    return InvoiceLine(
        buyer_id=buyer.pk, number=row.number, amount=row.amount, currency=row.currency,
        issue_date=row.issue_date, due_date=row.due_date, document_ids=[document.pk for document in documents],
        reference=_("row %(row)s") % {"row": row.row},
    )
