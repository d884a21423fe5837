"""The supplier's invoice intake: upload the invoice's documents, then review the fields read from
a UBL or Factur-X invoice, correct them, and submit the invoice for registration on chain."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from documents.extraction import ExtractedInvoice
from documents.models import Document
from documents.selectors import document_extracted_invoice
from documents.services import DocumentFile, documents_upload
from invoices.models import Invoice
from invoices.einvoice import same_registration_id
from invoices.services import invoice_submit
from invoices.validation import settlement_token_for
from organisations.models import Organisation, Role
from organisations.selectors import active_organisations
from portal.access import organisation, role_required
from portal.kit.currencies import CURRENCY_CODES
from portal.kit.forms import run_service

from .forms import InvoiceReviewForm, UploadForm
from .selectors import unattached_invoice_documents

ROLES = (Role.SUPPLIER,)


@role_required(*ROLES)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        stored = _store_uploads(request, form)
        if stored is not None:
            invoice_document, *attachments = stored
            messages.success(request, _("Documents stored. Check the invoice's fields, then submit it."))
            return redirect(_review_url(invoice_document, attachments))
    return render(request, "portal/supplier/upload.html", {
        "form": form,
        "waiting": unattached_invoice_documents(organisation(request))[:10],
    })


def _store_uploads(request, form: UploadForm) -> list[Document] | None:
    """Stores every uploaded file, the invoice first; or none of them, with each refusal next to
    its file, when any is refused."""
    files = {
        field: DocumentFile(kind=kind, name=upload.name, content=upload)
        for field, kind in UploadForm.KINDS.items()
        if (upload := form.cleaned_data.get(field))
    }
    try:
        return documents_upload(organisation=organisation(request), uploaded_by=request.user, files=files)
    except ValidationError as refusal:
        for field, messages in refusal.message_dict.items():
            form.add_error(field, messages)
    return None


def _review_url(document: Document, attachments: list[Document]) -> str:
    url = reverse("portal:supplier:review", args=[document.pk])
    return f"{url}?{urlencode({'attach': [a.pk for a in attachments]}, doseq=True)}" if attachments else url


@role_required(*ROLES)
def review(request, document_id: int):
    """The invoice's fields, read from the document where it carries them, for the supplier to
    check and submit. The other documents to attach travel as `attach` ids."""
    seller = organisation(request)
    unattached = Document.objects.filter(organisation=seller, invoice=None)
    document = get_object_or_404(unattached_invoice_documents(seller), pk=document_id)
    source = request.POST if request.method == "POST" else request.GET
    attach_ids = [int(pk) for pk in source.getlist("attach") if pk.isdigit()]
    attachments = list(unattached.filter(pk__in=attach_ids).exclude(pk=document.pk).order_by("pk"))
    extracted = document_extracted_invoice(document)
    buyers = active_organisations(Role.CORE_FIRM)
    initial, notes = prefill(extracted, buyers) if extracted else ({}, {})
    if request.method == "POST":
        form = InvoiceReviewForm(request.POST, buyers=buyers, notes=notes)
        invoice = _submit(request, form, [document, *attachments])
        if invoice is not None:
            messages.success(request, _("Invoice %(number)s submitted: its registration on chain is queued.")
                             % {"number": invoice.number})
            return redirect("portal:supplier:invoice", invoice_id=invoice.pk)
    else:
        form = InvoiceReviewForm(initial=initial, buyers=buyers, notes=notes)
    return render(request, "portal/supplier/review.html", {
        "form": form, "document": document, "attachments": attachments, "extracted": extracted,
        "seller_mismatch": extracted is not None and not same_registration_id(extracted.seller_id, seller.legal_id),
    })


def _submit(request, form: InvoiceReviewForm, documents: list[Document]) -> Invoice | None:
    return run_service(form, lambda fields: invoice_submit(
        submitted_by=request.user, buyer_id=fields["buyer"].pk, number=fields["number"],
        amount=fields["amount"], currency=fields["currency"], issue_date=fields["issue_date"],
        due_date=fields["due_date"], document_ids=[document.pk for document in documents],
    ))


def prefill(extracted: ExtractedInvoice, buyers) -> tuple[dict, dict[str, str]]:
    """The form's initial values from the document, and a note for each field the supplier must
    look at: a buyer the platform does not know, a currency it does not settle, a missing date."""
    notes = {}
    buyer = _matching_buyer(extracted, buyers)
    if buyer is None:
        notes["buyer"] = _("The invoice names the buyer %(name)s (%(id)s), which is not a core firm with a current "
                           "KYC approval here: choose the buyer.") % {"name": extracted.buyer_name,
                                                                       "id": extracted.buyer_id}
    currency = settlement_token_for(extracted.currency)
    if currency is None:
        notes["currency"] = _("The invoice is in %(code)s, which no settlement currency of the platform (%(codes)s) "
                              "pays: it cannot be submitted.") % {
            "code": extracted.currency, "codes": ", ".join(CURRENCY_CODES)}
    else:
        notes["currency"] = _("The invoice is in %(code)s, settled on the platform in %(currency)s.") % {
            "code": extracted.currency, "currency": currency}
    if extracted.due_date is None:
        notes["due_date"] = _("The invoice states no due date: enter it.")
    return {
        "buyer": buyer, "number": extracted.number, "amount": format(extracted.amount, "f"), "currency": currency,
        "issue_date": extracted.issue_date, "due_date": extracted.due_date,
    }, notes


def _matching_buyer(extracted: ExtractedInvoice, buyers) -> Organisation | None:
    return (buyers.filter(legal_id=extracted.buyer_id.strip()).first()
            or buyers.filter(name__iexact=extracted.buyer_name.strip()).first())


