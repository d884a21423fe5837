"""Reads about organisations."""

from django.utils import timezone

from .models import KycStatus, Organisation, Role


def core_firm_by_legal_id(legal_id: str) -> Organisation | None:
    return Organisation.objects.filter(legal_id=legal_id.strip(), role=Role.CORE_FIRM).first()


def is_active(organisation: Organisation) -> bool:
    """Approved KYC that has not lapsed and a confirmed on-chain registration."""
    return (
        organisation.kyc_status == KycStatus.APPROVED
        and organisation.kyc_expires_at is not None
        and organisation.kyc_expires_at > timezone.now()
        and organisation.onchain_id is not None
    )
