"""Organisations: the legal entities that act on the platform, one role each."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from api.choices import ChoiceLabels


class Role(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    CORE_FIRM = "core_firm", _("Core firm")
    LENDER = "lender", _("Lender")
    ADMIN = "admin", _("Platform operator")
    AUDITOR = "auditor", _("Auditor")


# The contract's Participants.Role enum for the roles that act on chain.
ONCHAIN_ROLE = {Role.SUPPLIER: 1, Role.CORE_FIRM: 2, Role.LENDER: 3, Role.ADMIN: 5}


class KycStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


def default_time_zone() -> str:
    return settings.ORGANISATION_TIME_ZONE


class Organisation(ChoiceLabels, models.Model):
    name = models.CharField(max_length=200)
    legal_id = models.CharField(max_length=64, unique=True, help_text="Registration or tax number.")
    role = models.CharField(max_length=16, choices=Role.choices)
    kyc_status = models.CharField(max_length=16, choices=KycStatus.choices, default=KycStatus.PENDING)
    kyc_expires_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(
        max_length=64, default=default_time_zone, help_text="IANA zone in which its dates (issue dates, today) are judged."
    )
    # Mirrored from the chain by the indexer: the participant id and the latest posted rating,
    # with the time of the block that posted it (the chain judges a rating's age by it).
    onchain_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_model_version = models.PositiveIntegerField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def acts_on_chain(self) -> bool:
        return self.role in ONCHAIN_ROLE


class ApiToken(models.Model):
    """An organisation's key to the REST API, for its ERP. Only a SHA-256 of the key is stored;
    the key itself is shown once, when it is created. It acts for its organisation until it
    expires or is revoked, and only while its creator still belongs to that organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey("users.User", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Written at most once a minute (organisations.tokens), so that a busy ERP costs no write per call.
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    def has_expired(self, at) -> bool:
        return at >= self.expires_at


class IdempotentRequest(models.Model):
    """The first answer to a POST carrying an Idempotency-Key, replayed for any retry of it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="idempotency_key_per_org")]
