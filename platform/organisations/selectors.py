"""Reads about organisations."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import KycStatus, Organisation, Role

# The roles an organisation can address: buyers, suppliers to pay, lenders to ask.
COUNTERPARTY_ROLES = (Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER)


def beyond_the_name(relation: str) -> list[str]:
    """The columns of the organisation reached by `relation` (e.g. "seller") that a row showing
    only its name leaves unloaded, for `QuerySet.defer`: a list of 50 rows joins up to three
    organisations a row, and their three timestamps cost more to read than the row itself."""
    return [f"{relation}__{field.name}" for field in Organisation._meta.concrete_fields
            if field.name not in ("id", "name")]


def names_only(rows: QuerySet, *relations: str) -> QuerySet:
    """The rows with the organisations they reach by `relations` (already select_related) loaded
    by name alone: what a list shows of them."""
    return rows.defer(*(column for relation in relations for column in beyond_the_name(relation)))


def core_firm_by_legal_id(legal_id: str) -> Organisation | None:
    return Organisation.objects.filter(legal_id=legal_id.strip(), role=Role.CORE_FIRM).first()


def is_active(organisation: Organisation, *, at: datetime | None = None) -> bool:
    """Approved KYC that has not lapsed (now, or `at`) and a confirmed on-chain registration."""
    return (
        organisation.kyc_status == KycStatus.APPROVED
        and organisation.kyc_expires_at is not None
        and organisation.kyc_expires_at > (at or timezone.now())
        and organisation.onchain_id is not None
    )


def active_organisations(role: str) -> QuerySet[Organisation]:
    """Organisations of `role` that are active (as `is_active`, as a query), by name: the only
    counterparties the services accept."""
    return Organisation.objects.filter(
        role=role, kyc_status=KycStatus.APPROVED, kyc_expires_at__gt=timezone.now(), onchain_id__isnull=False
    ).order_by("name", "pk")


def kyc_refusal(organisation: Organisation, *, writes: bool) -> str | None:
    """Why a member of `organisation` may not use the platform's pages and API; None when it may.

    Pending and rejected organisations were never vetted: they may complete their profile and
    upload KYC documents (pages that say so), nothing else, reads included, since the directory,
    the pickers and every list would show them other organisations' business. A suspended one was
    vetted and holds receivables and debts: it keeps reading what it has, and changes nothing.
    A lapsed approval (past kyc_expires_at) is left to the rules of the chain and the directory."""
    status = organisation.kyc_status
    if status == KycStatus.PENDING:
        return _("Your organisation's KYC review is pending: until the platform approves it, you can complete "
                 "your organisation's profile (Team) and upload its KYC documents, nothing else.")
    if status == KycStatus.REJECTED:
        return _("Your organisation's KYC review was rejected: you can complete your organisation's profile "
                 "(Team) and upload new KYC documents for another review, nothing else.")
    if status == KycStatus.SUSPENDED and writes:
        return _("Your organisation is suspended: you can still see what it has, and upload KYC documents for "
                 "a renewal, but not change anything.")
    return None


def counterparties_of(organisation: Organisation) -> QuerySet[Organisation]:
    """The other organisations it may address, by name: active ones (as `is_active`) of the
    roles that trade."""
    return (
        Organisation.objects.filter(
            role__in=COUNTERPARTY_ROLES,
            kyc_status=KycStatus.APPROVED,
            kyc_expires_at__gt=timezone.now(),
            onchain_id__isnull=False,
        )
        .exclude(pk=organisation.pk)
        .order_by("name", "pk")
    )


def organisation_zone(organisation: Organisation) -> ZoneInfo:
    """The time zone its dates are judged in."""
    return ZoneInfo(organisation.time_zone)


def day_start(day: date, organisation: Organisation) -> int:
    """Unix seconds of the day's start where the organisation is, as the chain compares dates
    (an invoice's dates are its seller's)."""
    return int(datetime.combine(day, time(0), tzinfo=organisation_zone(organisation)).timestamp())


def local_today(organisation: Organisation) -> date:
    """Today's date where the organisation is: an invoice dated today is not in the future at
    07:00 in Shanghai, when it is still yesterday in UTC."""
    return timezone.now().astimezone(organisation_zone(organisation)).date()


def organisation_at(address: str) -> Organisation | None:
    """The organisation whose custodial account is `address`; None for an account we do not know."""
    return Organisation.objects.filter(chain_account__address=address).first()
