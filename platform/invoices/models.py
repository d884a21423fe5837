"""Invoices and the receivable pieces they become, mirrored from the chain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceStatus(models.TextChoices):
    # Before the chain: submitted, then registered once the indexer has seen it.
    SUBMITTED = "submitted", _("Submitted")
    REGISTERED = "registered", _("Registered on chain")
    CONFIRMED = "confirmed", _("Confirmed by the buyer")
    DISPUTED = "disputed", _("Disputed by the buyer")
    REPAID = "repaid", _("Repaid")
    OVERDUE = "overdue", _("Overdue")
    DEFAULTED = "defaulted", _("Defaulted")
    FAILED = "failed", _("Rejected by the chain")


class Currency(models.IntegerChoices):
    """The contract's currency ids, in the order the deploy script registers them."""

    USDC = 1, _("USDC")
    EURT = 2, _("EURT")


class Invoice(models.Model):
    seller = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="invoices_sold")
    buyer = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="invoices_bought")
    number = models.CharField(max_length=64)
    amount = models.PositiveBigIntegerField(help_text="Micro-units (6 decimals) of the currency.")
    currency = models.PositiveSmallIntegerField(choices=Currency.choices)
    issue_date = models.DateField()
    due_date = models.DateField()
    fingerprint = models.CharField(max_length=66, unique=True)
    document_hash = models.CharField(max_length=66)
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.SUBMITTED)
    repaid = models.PositiveBigIntegerField(default=0)
    repaid_at = models.DateTimeField(null=True, blank=True, help_text="When the indexer saw full repayment.")
    registered_block = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.seller} -> {self.buyer})"


class Piece(models.Model):
    """A piece of a receivable, as the chain holds it: index 0 is the whole invoice at first."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="pieces")
    index = models.PositiveIntegerField()
    parent_index = models.PositiveIntegerField(null=True, blank=True)
    holder = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="pieces")
    amount = models.PositiveBigIntegerField()
    financed = models.BooleanField(default=False)
    claimed = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["invoice", "index"]
        constraints = [models.UniqueConstraint(fields=["invoice", "index"], name="piece_unique_index")]
