"""organisations.services, the admin's other KYC decisions: rejecting a pending review, and
suspending an approved organisation (on chain too once it was registered there); a later
approval renews its KYC on chain."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chain.models import ActionPurpose, ChainAction
from factories import OrganisationFactory, RegisteredOrganisationFactory, UserFactory
from organisations import services
from organisations.models import KycStatus, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]


@pytest.fixture
def admin():
    return UserFactory(organisation=OrganisationFactory(role=Role.ADMIN))


def _registered_through_the_platform(admin):
    organisation = services.organisation_register(name="Acme", legal_id="LEI-9", role=Role.SUPPLIER)
    return services.organisation_approve_kyc(
        organisation=organisation, approved_by=admin, valid_until=timezone.now() + timedelta(days=365)
    )


# Rejection


def test_pending_review_is_rejected_without_a_chain_action(admin):
    pending = OrganisationFactory(kyc_status=KycStatus.PENDING)

    services.organisation_reject_kyc(organisation=pending, rejected_by=admin)

    pending.refresh_from_db()
    assert pending.kyc_status == KycStatus.REJECTED
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize("status", [KycStatus.APPROVED, KycStatus.REJECTED, KycStatus.SUSPENDED])
def test_only_a_pending_review_can_be_rejected(admin, status):
    organisation = OrganisationFactory(kyc_status=status)

    with pytest.raises(ValidationError) as refusal:
        services.organisation_reject_kyc(organisation=organisation, rejected_by=admin)

    assert list(refusal.value.message_dict) == ["kyc_status"]
    organisation.refresh_from_db()
    assert organisation.kyc_status == status


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.LENDER])
def test_only_an_admin_decides(role):
    pending = OrganisationFactory(kyc_status=KycStatus.PENDING)
    approved = OrganisationFactory(kyc_status=KycStatus.APPROVED)
    reviewer = UserFactory(organisation=OrganisationFactory(role=role))

    with pytest.raises(PermissionDenied):
        services.organisation_reject_kyc(organisation=pending, rejected_by=reviewer)
    with pytest.raises(PermissionDenied):
        services.organisation_suspend(organisation=approved, suspended_by=reviewer)


# Suspension


def test_changes_queued_one_after_another_all_reach_the_chain_in_order(admin):
    """Suspend, approve again, suspend again, all still queued: three actions, none taken for a
    replay of an earlier one (else the renewal would lift the second suspension on chain)."""
    organisation = _registered_through_the_platform(admin)

    services.organisation_suspend(organisation=organisation, suspended_by=admin)
    services.organisation_approve_kyc(
        organisation=organisation, approved_by=admin, valid_until=timezone.now() + timedelta(days=90)
    )
    services.organisation_suspend(organisation=organisation, suspended_by=admin)

    changes = ChainAction.objects.exclude(function__in=["registerParticipant", "transfer"]).order_by("pk")
    assert [action.function for action in changes] == ["suspendParticipant", "renewKyc", "suspendParticipant"]


def test_suspension_of_an_organisation_registered_on_chain_queues_suspend_participant(admin):
    organisation = _registered_through_the_platform(admin)

    services.organisation_suspend(organisation=organisation, suspended_by=admin)

    organisation.refresh_from_db()
    assert organisation.kyc_status == KycStatus.SUSPENDED
    action = ChainAction.objects.get(function="suspendParticipant")
    assert action.args == [organisation.chain_account.address]
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.PARTICIPANT_SUSPEND, organisation, 0)


def test_approval_after_a_suspension_renews_kyc_on_chain(admin):
    organisation = _registered_through_the_platform(admin)
    services.organisation_suspend(organisation=organisation, suspended_by=admin)

    services.organisation_approve_kyc(
        organisation=organisation, approved_by=admin, valid_until=timezone.now() + timedelta(days=200)
    )

    assert ChainAction.objects.filter(function="renewKyc").count() == 1
    organisation.refresh_from_db()
    assert organisation.kyc_status == KycStatus.APPROVED


def test_suspension_of_an_organisation_never_sent_to_the_chain_queues_nothing(admin):
    organisation = OrganisationFactory(kyc_status=KycStatus.APPROVED)

    services.organisation_suspend(organisation=organisation, suspended_by=admin)

    organisation.refresh_from_db()
    assert organisation.kyc_status == KycStatus.SUSPENDED
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize("status", [KycStatus.PENDING, KycStatus.REJECTED, KycStatus.SUSPENDED])
def test_only_an_approved_organisation_can_be_suspended(admin, status):
    organisation = OrganisationFactory(kyc_status=status)

    with pytest.raises(ValidationError):
        services.organisation_suspend(organisation=organisation, suspended_by=admin)

    organisation.refresh_from_db()
    assert organisation.kyc_status == status


def test_the_platforms_own_organisation_cannot_be_suspended(admin):
    founding = RegisteredOrganisationFactory(role=Role.ADMIN, onchain_id=1)

    for organisation in (admin.organisation, founding):
        with pytest.raises(ValidationError):
            services.organisation_suspend(organisation=organisation, suspended_by=admin)

    assert not ChainAction.objects.exists()
