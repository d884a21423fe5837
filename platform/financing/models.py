"""Financing requests and their automated decisions, credit programmes, and supplier ratings."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from api.choices import ChoiceLabels
from invoices.models import Currency


class FinancingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved and disbursed")
    REJECTED = "rejected", _("Rejected by the credit decision")
    FAILED = "failed", _("Rejected by the chain")


class FinancingRequest(ChoiceLabels, models.Model):
    piece = models.ForeignKey("invoices.Piece", on_delete=models.PROTECT, related_name="financing_requests")
    holder = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    lender = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=FinancingStatus.choices, default=FinancingStatus.REQUESTED)
    advance = models.PositiveBigIntegerField(null=True, blank=True)
    discount = models.PositiveBigIntegerField(null=True, blank=True)
    tenor_days = models.PositiveIntegerField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    reject_reason = models.CharField(max_length=64, blank=True)
    # The holder's price bound, sent with the request: the chain pays at least the quoted payout
    # before the deadline, or rejects (PayoutBelowMinimum, QuoteExpired) and nothing moves.
    quoted_payout = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Micro-units: the payout (advance - discount) the holder was quoted."
    )
    deadline = models.DateTimeField(null=True, blank=True, help_text="The chain rejects the request mined after it.")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)


class RatingRecord(models.Model):
    """One computed rating with its inputs, as posted through the risk-oracle role."""

    supplier = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="rating_records")
    rating = models.PositiveSmallIntegerField()
    model_version = models.PositiveIntegerField()
    inputs = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at"]


class Programme(ChoiceLabels, models.Model):
    """A lender's credit programme for one core firm and currency, mirrored from the chain's
    ProgrammeTermsSet / Funded / Defunded and financing events. Amounts in micro-units."""

    lender = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="programmes")
    core_firm = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="programmes_as_core_firm")
    currency = models.PositiveSmallIntegerField(choices=Currency.choices)
    limit = models.PositiveBigIntegerField(default=0, help_text="Maximum exposure; 0 closes the programme.")
    advance_rate_bps = models.PositiveIntegerField(default=0)
    base_rate_bps = models.PositiveIntegerField(default=0)
    max_tenor_days = models.PositiveIntegerField(default=0)
    rating_spread_bps = models.PositiveIntegerField(default=0)
    min_rating = models.PositiveSmallIntegerField(default=0)
    max_rating_age_days = models.PositiveIntegerField(
        default=365, help_text="A holder's rating posted longer ago than this is stale: the chain refuses it."
    )
    liquidity = models.PositiveBigIntegerField(default=0, help_text="Deposited and not yet advanced.")
    exposure = models.PositiveBigIntegerField(default=0, help_text="Face value financed and not yet repaid to the lender.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["core_firm__name", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["lender", "core_firm", "currency"], name="programme_unique_per_lender_core_firm_currency")
        ]
