"""Organisations: the legal entities that act on the platform, one role each."""

from django.db import models


class Role(models.TextChoices):
    SUPPLIER = "supplier", "Supplier"
    CORE_FIRM = "core_firm", "Core firm"
    LENDER = "lender", "Lender"
    ADMIN = "admin", "Platform operator"
    AUDITOR = "auditor", "Auditor"


# The contract's Participants.Role enum for the roles that act on chain.
ONCHAIN_ROLE = {Role.SUPPLIER: 1, Role.CORE_FIRM: 2, Role.LENDER: 3, Role.ADMIN: 5}


class KycStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    legal_id = models.CharField(max_length=64, unique=True, help_text="Registration or tax number.")
    role = models.CharField(max_length=16, choices=Role.choices)
    kyc_status = models.CharField(max_length=16, choices=KycStatus.choices, default=KycStatus.PENDING)
    kyc_expires_at = models.DateTimeField(null=True, blank=True)
    # Mirrored from the chain by the indexer: the participant id and the latest posted rating.
    onchain_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_model_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def acts_on_chain(self) -> bool:
        return self.role in ONCHAIN_ROLE
