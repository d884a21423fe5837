"""Uploaded documents, validated by content and hashed exactly as the chain holds them: an
invoice's documents, and an organisation's KYC documents for the platform's review."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from api.choices import ChoiceLabels


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    PURCHASE_ORDER = "purchase_order", _("Purchase order")
    DELIVERY_NOTE = "delivery_note", _("Delivery note")
    # Never attached to an invoice; only the organisation and the platform's operator see it.
    KYC = "kyc", _("KYC document: registration certificate, ID of the signatories")


INVOICE_KINDS = (DocumentKind.INVOICE, DocumentKind.PURCHASE_ORDER, DocumentKind.DELIVERY_NOTE)


class DocumentFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    FACTURX = "facturx", _("Factur-X / ZUGFeRD PDF")
    UBL = "ubl", _("UBL 2.1 invoice XML")
    PNG = "png", _("PNG scan")
    JPEG = "jpeg", _("JPEG scan")


def document_path(document: "Document", filename: str) -> str:
    # The stored name is the content hash, never the uploader's file name.
    return f"documents/{document.organisation_id}/{document.keccak[2:4]}/{document.keccak[2:]}.{document.format}"


class Document(ChoiceLabels, models.Model):
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="documents")
    uploaded_by = models.ForeignKey("users.User", on_delete=models.PROTECT, null=True, related_name="+")
    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    format = models.CharField(max_length=8, choices=DocumentFormat.choices)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    keccak = models.CharField(max_length=66, help_text="keccak256 of the exact bytes, 0x-prefixed.")
    file = models.FileField(upload_to=document_path)
    extracted = models.JSONField(default=dict, blank=True, help_text="Fields read from UBL / Factur-X XML.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "keccak"], name="document_unique_per_org")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"
