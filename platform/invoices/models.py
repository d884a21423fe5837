"""Invoices and the receivable pieces they become, mirrored from the chain."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from api.choices import ChoiceLabels


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


class Invoice(ChoiceLabels, models.Model):
    """An invoice is identified by its seller and its canonical number (`invoices.identity`); the
    buyer, amount, currency and dates are attributes, checked against the e-invoice when there is one."""

    seller = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="invoices_sold")
    buyer = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="invoices_bought")
    number = models.CharField(max_length=64)
    canonical_number = models.CharField(max_length=64, help_text="The number as identity: see invoices.identity.")
    amount = models.PositiveBigIntegerField(help_text="Micro-units (6 decimals) of the currency.")
    currency = models.PositiveSmallIntegerField(choices=Currency.choices)
    issue_date = models.DateField()
    due_date = models.DateField()
    invoice_key = models.CharField(
        max_length=66, unique=True, help_text="Salted hash of seller and canonical number, registered on chain."
    )
    fingerprint = models.CharField(
        max_length=66, unique=True, help_text="The chain's id: keccak256 of the seller's participant id and the key."
    )
    document_hash = models.CharField(
        max_length=66, unique=True, help_text="keccak256 of the invoice document's bytes: it backs this invoice only."
    )
    supporting_documents_hash = models.CharField(
        max_length=66, blank=True, help_text="keccak256 of the sorted hashes of the other documents; empty if none."
    )
    verified_from_einvoice = models.BooleanField(
        default=False, help_text="Every field was checked against the UBL or Factur-X invoice it came with."
    )
    possible_duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="possible_duplicates",
        help_text="An earlier invoice with the same seller, buyer, amount and issue date under another number.",
    )
    duplicate_acknowledged_by = models.ForeignKey(
        "users.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duplicate_acknowledged_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.SUBMITTED)
    # The buyer's dispute. Its reason is business text the buyer writes about the goods or the
    # invoice, kept here for the seller and the operator to read; only its salted hash goes on chain.
    dispute_reason = models.TextField(
        max_length=2000, blank=True,
        help_text="Why the buyer disputes the invoice, as typed: business text about the goods or services, not "
        "personal data. It stays off chain; the chain holds only dispute_reason_hash.",
    )
    dispute_reason_hash = models.CharField(
        max_length=66, blank=True, help_text="The salted keccak256 of dispute_reason sent to disputeInvoice."
    )
    disputed_by = models.ForeignKey("users.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    disputed_at = models.DateTimeField(null=True, blank=True, help_text="When the buyer sent the dispute.")
    repaid = models.PositiveBigIntegerField(default=0)
    repaid_at = models.DateTimeField(null=True, blank=True, help_text="When the indexer saw full repayment.")
    # The lifecycle periods in force when the buyer confirmed it, which the chain keeps for it
    # (Invoice.periodsVersion): a later change of the platform's periods never moves its dates.
    periods_version = models.PositiveIntegerField(null=True, blank=True)
    grace_period_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="From the due date to overdue; empty if confirmed before periods were kept."
    )
    default_period_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="From the end of the grace period to default."
    )
    registered_block = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # the near-duplicate look-up at submission
            models.Index(fields=["seller", "buyer", "amount", "issue_date"], name="invoice_lookalike"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["seller", "canonical_number"], name="invoice_unique_per_seller"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.seller} -> {self.buyer})"


class Piece(ChoiceLabels, models.Model):
    """A piece of a receivable, as the chain holds it: index 0 is the whole invoice at first."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="pieces")
    index = models.PositiveIntegerField()
    parent_index = models.PositiveIntegerField(null=True, blank=True)
    holder = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="pieces")
    amount = models.PositiveBigIntegerField()
    financed = models.BooleanField(default=False)
    claimed = models.PositiveBigIntegerField(default=0)
    written_off_at = models.DateTimeField(
        null=True, blank=True, help_text="When the indexer saw the lender write this financed piece off."
    )
    written_off_amount = models.PositiveBigIntegerField(
        null=True, blank=True,
        help_text="Face value not yet collected at the write-off: what left the programme's exposure.",
    )

    class Meta:
        ordering = ["invoice", "index"]
        constraints = [models.UniqueConstraint(fields=["invoice", "index"], name="piece_unique_index")]


class LifecyclePeriods(models.Model):
    """One version of the platform's grace and default periods, mirrored from PeriodsChanged. The
    highest version is in force: obligations confirmed from then on keep its periods."""

    version = models.PositiveIntegerField(unique=True)
    grace_period_seconds = models.PositiveIntegerField()
    default_period_seconds = models.PositiveIntegerField()
    changed_at = models.DateTimeField(auto_now_add=True, help_text="When the indexer saw the change.")

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "lifecycle periods"

    def __str__(self) -> str:
        return f"v{self.version}: grace {self.grace_period_seconds}s, default {self.default_period_seconds}s"
