"""Reads of the documents app."""

from django.db.models import QuerySet

from organisations.models import Organisation

from .extraction import ExtractedInvoice
from .models import Document, DocumentKind


def documents_for_organisation(organisation: Organisation) -> QuerySet[Document]:
    """The organisation's documents, newest first."""
    return Document.objects.filter(organisation=organisation).order_by("-created_at", "-pk")


def kyc_documents_of(organisation: Organisation) -> QuerySet[Document]:
    """The KYC documents it uploaded for the platform's review, newest first."""
    return documents_for_organisation(organisation).filter(kind=DocumentKind.KYC).select_related("uploaded_by")


def document_extracted_invoice(document: Document) -> ExtractedInvoice | None:
    """The invoice fields read from the document at upload, typed again, to pre-fill an invoice;
    None for documents that carry no structured invoice data (PDFs and scans)."""
    return ExtractedInvoice.from_json(document.extracted) if document.extracted else None
