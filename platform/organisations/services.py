"""Onboarding: organisations are registered in the platform, reviewed (KYC), and on approval become
participants on chain through the outbox: gas money first on a local chain, then the operator's
registerParticipant (or renewKyc for one already registered)."""

import zoneinfo
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chain import accounts, client
from chain.hashing import salted_hash
from chain.models import ActionPurpose
from chain.selectors import actions_about
from chain.services import action_enqueue, action_enqueue_next, gas_funding_enqueue

from .models import ONCHAIN_ROLE, KycStatus, Organisation, Role

LOCAL_GAS_FUNDING_WEI = 10 * 10**18
PARTICIPANT_CHANGES = (
    ActionPurpose.PARTICIPANT_REGISTER, ActionPurpose.PARTICIPANT_RENEW_KYC, ActionPurpose.PARTICIPANT_SUSPEND,
)


def organisation_hash(organisation: Organisation) -> str:
    """The organisation's identity on chain: a salted hash of its legal id, never the id itself."""
    return salted_hash("organisation", organisation.legal_id.strip().upper())


@transaction.atomic
def organisation_register(*, name: str, legal_id: str, role: str) -> Organisation:
    if role not in Role.values:
        raise ValidationError(
            {
                "role": _("Unknown role %(value)s; expected one of %(roles)s.")
                % {"value": repr(role), "roles": ", ".join(Role.values)}
            }
        )
    if not name.strip():
        raise ValidationError({"name": _("The organisation needs a name.")})
    legal_id = " ".join(legal_id.split()).upper()
    if not legal_id:
        raise ValidationError({"legal_id": _("The organisation needs its registration or tax number.")})
    if Organisation.objects.filter(legal_id__iexact=legal_id).exists():
        raise ValidationError(
            {"legal_id": _("An organisation with this registration number already exists.")}
        )
    organisation = Organisation.objects.create(name=name.strip(), legal_id=legal_id, role=role)
    if organisation.acts_on_chain:
        accounts.organisation_account(organisation)
    return organisation


def _require_admin(user) -> None:
    if user is None or user.role != Role.ADMIN:
        raise PermissionDenied(_("Only a platform admin can review KYC."))


@transaction.atomic
def organisation_approve_kyc(*, organisation: Organisation, approved_by, valid_until: datetime) -> Organisation:
    """Approves (or renews) KYC until `valid_until`, and queues the matching on-chain change."""
    _require_admin(approved_by)
    if valid_until <= timezone.now():
        raise ValidationError({"valid_until": _("KYC must be valid until a date in the future.")})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.kyc_status = KycStatus.APPROVED
    organisation.kyc_expires_at = valid_until
    organisation.save(update_fields=["kyc_status", "kyc_expires_at"])
    if organisation.acts_on_chain:
        _queue_participant(organisation, int(valid_until.timestamp()))
    return organisation


def _queue_participant(organisation: Organisation, kyc_expires_at: int) -> None:
    """Registration the first time; afterwards a renewal, unless the last queued change already
    set this very expiry (a replayed approval)."""
    operator = accounts.operator_account()
    account = accounts.organisation_account(organisation)
    if client.is_local_chain():
        gas_funding_enqueue(operator=operator, account=account, amount_wei=LOCAL_GAS_FUNDING_WEI)
    earlier = actions_about(organisation, *PARTICIPANT_CHANGES).order_by("-created_at", "-pk")
    if not earlier.exists():
        action_enqueue(
            purpose=ActionPurpose.PARTICIPANT_REGISTER,
            subject=organisation,
            signer=operator,
            function="registerParticipant",
            args=[account.address, ONCHAIN_ROLE[organisation.role], organisation_hash(organisation), kyc_expires_at],
        )
    elif earlier.first().args[-1] != kyc_expires_at:
        action_enqueue_next(
            purpose=ActionPurpose.PARTICIPANT_RENEW_KYC,
            subject=organisation,
            signer=operator,
            function="renewKyc",
            args=[account.address, kyc_expires_at],
        )


@transaction.atomic
def organisation_reject_kyc(*, organisation: Organisation, rejected_by) -> Organisation:
    """Rejects an organisation's pending KYC review. It never reached the chain: nothing is queued."""
    _require_admin(rejected_by)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.kyc_status != KycStatus.PENDING:
        raise ValidationError(
            {
                "kyc_status": _("Only a pending review can be rejected; this one is %(status)s.")
                % {"status": organisation.get_kyc_status_display()}
            }
        )
    organisation.kyc_status = KycStatus.REJECTED
    organisation.save(update_fields=["kyc_status"])
    return organisation


FOUNDING_ADMIN_ID = 1  # the contract never suspends its founding admin


@transaction.atomic
def organisation_suspend(*, organisation: Organisation, suspended_by) -> Organisation:
    """Suspends an approved organisation at once; on chain too (suspendParticipant) if it was
    registered there. A later approval renews its KYC on chain."""
    _require_admin(suspended_by)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.kyc_status != KycStatus.APPROVED:
        raise ValidationError(
            {
                "kyc_status": _("Only an approved organisation can be suspended; this one is %(status)s.")
                % {"status": organisation.get_kyc_status_display()}
            }
        )
    if organisation.pk == suspended_by.organisation_id or organisation.onchain_id == FOUNDING_ADMIN_ID:
        raise ValidationError({"kyc_status": _("The platform's own organisation cannot be suspended.")})
    organisation.kyc_status = KycStatus.SUSPENDED
    organisation.save(update_fields=["kyc_status"])
    if organisation.acts_on_chain and actions_about(organisation, *PARTICIPANT_CHANGES).exists():
        action_enqueue_next(
            purpose=ActionPurpose.PARTICIPANT_SUSPEND,
            subject=organisation,
            signer=accounts.operator_account(),
            function="suspendParticipant",
            args=[accounts.organisation_account(organisation).address],
        )
    return organisation


def organisation_set_time_zone(*, organisation: Organisation, time_zone: str, changed_by) -> Organisation:
    """Sets the IANA time zone in which the organisation's dates are judged and its pages show
    times; any of its users may, and a platform admin for any organisation."""
    if changed_by is None or (changed_by.organisation_id != organisation.pk and changed_by.role != Role.ADMIN):
        raise PermissionDenied(_("Only a user of the organisation or a platform admin can change its time zone."))
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError(
            {"time_zone": _("%(value)s is not a time zone; use an IANA name such as Asia/Shanghai.") % {"value": repr(time_zone)}}
        )
    organisation.time_zone = time_zone
    organisation.save(update_fields=["time_zone"])
    return organisation
