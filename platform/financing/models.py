"""Financing requests and their automated decisions, credit programmes, and supplier ratings."""

from django.db import models


class FinancingStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved and disbursed"
    REJECTED = "rejected", "Rejected by the credit decision"
    FAILED = "failed", "Rejected by the chain"


class FinancingRequest(models.Model):
    piece = models.ForeignKey("invoices.Piece", on_delete=models.PROTECT, related_name="financing_requests")
    holder = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    lender = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=FinancingStatus.choices, default=FinancingStatus.REQUESTED)
    advance = models.PositiveBigIntegerField(null=True, blank=True)
    discount = models.PositiveBigIntegerField(null=True, blank=True)
    tenor_days = models.PositiveIntegerField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    reject_reason = models.CharField(max_length=64, blank=True)
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
