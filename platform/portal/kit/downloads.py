"""An invoice's documents, served to the parties of the invoice only: the seller (which uploaded
them) and the buyer. The supplier's and the core firm's pages both serve them through here, and
the operator's participant page an organisation's KYC documents."""

from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from documents.models import Document, DocumentFormat

CONTENT_TYPES = {
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.FACTURX: "application/pdf",
    DocumentFormat.PNG: "image/png",
    DocumentFormat.JPEG: "image/jpeg",
    DocumentFormat.UBL: "application/xml",
}
# Shown in the browser; XML is downloaded, as a browser would run scripts an XML file carries.
INLINE = (DocumentFormat.PDF, DocumentFormat.FACTURX, DocumentFormat.PNG, DocumentFormat.JPEG)


def documents_visible_to(organisation) -> QuerySet[Document]:
    return Document.objects.filter(
        Q(organisation=organisation) | Q(invoice__seller=organisation) | Q(invoice__buyer=organisation)
    )


def document_response(document: Document) -> FileResponse:
    try:
        content = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The document's file is missing from the store.")) from None
    response = FileResponse(
        content,
        as_attachment=document.format not in INLINE,
        filename=document.original_name,
        content_type=CONTENT_TYPES.get(document.format, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
