"""organisations.services at the database level: registration and its custodial account, and KYC
approval with the on-chain registration (or renewal) it queues through the outbox."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from eth_account import Account

from chain import accounts, keys
from chain.hashing import salted_hash
from chain.models import ActionPurpose, ChainAccount, ChainAction
from factories import GANACHE_ACCOUNT_0, OrganisationFactory, UserFactory, deployment_manifest
from organisations import services
from organisations.models import KycStatus, Organisation, Role

pytestmark = pytest.mark.django_db


def _refused_field(**fields) -> str:
    registration = {"name": "Acme Supplies Ltd", "legal_id": "LEI-1", "role": "supplier"} | fields
    with pytest.raises(ValidationError) as refusal:
        services.organisation_register(**registration)
    [field] = refusal.value.message_dict
    return field


# Registration


def test_registration_stores_the_organisation_with_trimmed_fields():
    organisation = services.organisation_register(name="  Acme Supplies Ltd ", legal_id=" LEI-1 ", role=Role.SUPPLIER)

    organisation.refresh_from_db()
    assert (organisation.name, organisation.legal_id) == ("Acme Supplies Ltd", "LEI-1")
    assert organisation.role == Role.SUPPLIER
    assert organisation.kyc_status == KycStatus.PENDING


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER, Role.ADMIN])
def test_organisation_acting_on_chain_gets_a_custodial_account(role):
    organisation = services.organisation_register(name="Acme", legal_id="LEI-1", role=role)

    account = ChainAccount.objects.get(organisation=organisation)
    assert account.label == f"org-{organisation.pk}"
    assert keys.unlock(account.encrypted_key).address == account.address


def test_auditor_gets_no_custodial_account():
    services.organisation_register(name="Audit & Co", legal_id="LEI-1", role=Role.AUDITOR)

    assert not ChainAccount.objects.exists()


@pytest.mark.parametrize("role", ["bank", "", "SUPPLIER"])
def test_unknown_role_is_refused(role):
    assert _refused_field(role=role) == "role"
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("name", ["", "   "])
def test_organisation_needs_a_name(name):
    assert _refused_field(name=name) == "name"
    assert not Organisation.objects.exists()


def test_duplicate_legal_id_is_refused():
    existing = OrganisationFactory(legal_id="LEI-1")

    assert _refused_field(legal_id="  LEI-1 ") == "legal_id"
    assert list(Organisation.objects.all()) == [existing]
    assert not ChainAccount.objects.exists()


def test_legal_id_differing_only_in_case_is_a_duplicate():
    OrganisationFactory(legal_id="LEI-1")

    assert _refused_field(legal_id="lei-1") == "legal_id"


@pytest.mark.parametrize("legal_id", ["", "   "])
def test_organisation_needs_a_legal_id(legal_id):
    assert _refused_field(legal_id=legal_id) == "legal_id"
    assert not Organisation.objects.exists()


# KYC approval


@pytest.fixture
def applicant():
    return services.organisation_register(name="Acme Supplies Ltd", legal_id="LEI-ACME", role=Role.SUPPLIER)


@pytest.fixture
def reviewer(manifest):
    operator = accounts.operator_account()
    admin_org = OrganisationFactory(role=Role.ADMIN)
    operator.organisation = admin_org
    operator.save()
    return UserFactory(organisation=admin_org)


def _in_days(days: int):
    return timezone.now() + timedelta(days=days)


def _approve(organisation, user, valid_until):
    return services.organisation_approve_kyc(organisation=organisation, approved_by=user, valid_until=valid_until)


def _actions() -> list[tuple]:
    """Each action's function, purpose, subject and sequence, in the order queued."""
    return [
        (action.function, action.purpose, action.subject, action.sequence)
        for action in ChainAction.objects.order_by("pk")
    ]


def test_approval_on_a_local_chain_funds_gas_then_registers_the_participant(manifest, applicant, reviewer):
    valid_until = _in_days(365)

    _approve(applicant, reviewer, valid_until)

    account = ChainAccount.objects.get(organisation=applicant)
    assert _actions() == [
        ("transfer", ActionPurpose.GAS_FUNDING, account, 0),
        ("registerParticipant", ActionPurpose.PARTICIPANT_REGISTER, applicant, 0),
    ]
    registration = ChainAction.objects.get(function="registerParticipant")
    assert registration.signer.address == GANACHE_ACCOUNT_0
    assert registration.args == [account.address, 1, services.organisation_hash(applicant), int(valid_until.timestamp())]
    applicant.refresh_from_db()
    assert (applicant.kyc_status, applicant.kyc_expires_at) == (KycStatus.APPROVED, valid_until)


@pytest.mark.parametrize("role, onchain_role", [(Role.SUPPLIER, 1), (Role.CORE_FIRM, 2), (Role.LENDER, 3)])
def test_registration_carries_the_contract_role(manifest, reviewer, role, onchain_role):
    organisation = services.organisation_register(name="Party", legal_id="LEI-PARTY", role=role)

    _approve(organisation, reviewer, _in_days(30))

    assert ChainAction.objects.get(function="registerParticipant").args[1] == onchain_role


def test_the_chain_sees_a_salted_hash_of_the_legal_id_never_the_id(manifest, applicant, reviewer):
    _approve(applicant, reviewer, _in_days(365))

    registration = ChainAction.objects.get(function="registerParticipant")
    assert registration.args[2] == salted_hash("organisation", "LEI-ACME")
    assert "LEI-ACME" not in str(registration.args)


def test_second_approval_renews_the_kyc_instead_of_registering_again(manifest, applicant, reviewer):
    first, second = _in_days(365), _in_days(730)
    _approve(applicant, reviewer, first)

    _approve(applicant, reviewer, second)

    assert ChainAction.objects.filter(function="registerParticipant").count() == 1
    renewal = ChainAction.objects.get(function="renewKyc")
    assert renewal.args == [ChainAccount.objects.get(organisation=applicant).address, int(second.timestamp())]


def test_replayed_approval_queues_nothing_new(manifest, applicant, reviewer):
    valid_until = _in_days(365)
    _approve(applicant, reviewer, valid_until)
    before = _actions()

    _approve(applicant, reviewer, valid_until)

    assert _actions() == before


def test_approval_back_to_the_first_expiry_after_a_renewal_is_sent(manifest, applicant, reviewer):
    first, second = _in_days(365), _in_days(730)
    _approve(applicant, reviewer, first)
    _approve(applicant, reviewer, second)

    _approve(applicant, reviewer, first)

    assert _actions()[-1] == ("renewKyc", ActionPurpose.PARTICIPANT_RENEW_KYC, applicant, 1)
    assert ChainAction.objects.order_by("pk").last().args[-1] == int(first.timestamp())


def _not_admins(applicant):
    return {
        "supplier": UserFactory(organisation=applicant),
        "lender": UserFactory(organisation=OrganisationFactory(role=Role.LENDER)),
        "auditor": UserFactory(organisation=OrganisationFactory(role=Role.AUDITOR)),
        "no-organisation": UserFactory(organisation=None, is_staff=True, is_superuser=True),
        "anonymous": None,
    }


@pytest.mark.parametrize("who", ["supplier", "lender", "auditor", "no-organisation", "anonymous"])
def test_only_a_user_of_the_platform_admin_can_approve(manifest, applicant, who):
    with pytest.raises(PermissionDenied):
        _approve(applicant, _not_admins(applicant)[who], _in_days(365))

    applicant.refresh_from_db()
    assert applicant.kyc_status == KycStatus.PENDING
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize("days", [0, -1], ids=["now", "yesterday"])
def test_kyc_must_be_valid_until_a_future_date(manifest, applicant, reviewer, days):
    with pytest.raises(ValidationError) as refusal:
        _approve(applicant, reviewer, timezone.now() + timedelta(days=days))

    assert list(refusal.value.message_dict) == ["valid_until"]
    applicant.refresh_from_db()
    assert (applicant.kyc_status, applicant.kyc_expires_at) == (KycStatus.PENDING, None)
    assert not ChainAction.objects.exists()


# The time zone in which an organisation's dates are judged and its pages show times


def test_a_user_of_the_organisation_sets_its_time_zone():
    organisation = OrganisationFactory(role=Role.SUPPLIER, time_zone="UTC")

    services.organisation_set_time_zone(
        organisation=organisation, time_zone="Asia/Shanghai", changed_by=UserFactory(organisation=organisation)
    )

    assert Organisation.objects.get(pk=organisation.pk).time_zone == "Asia/Shanghai"


def test_a_platform_admin_sets_any_organisations_time_zone():
    organisation = OrganisationFactory(role=Role.LENDER, time_zone="UTC")
    admin = UserFactory(organisation=OrganisationFactory(role=Role.ADMIN))

    services.organisation_set_time_zone(organisation=organisation, time_zone="Europe/Paris", changed_by=admin)

    assert Organisation.objects.get(pk=organisation.pk).time_zone == "Europe/Paris"


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER, Role.AUDITOR])
def test_no_one_else_sets_an_organisations_time_zone(role):
    organisation = OrganisationFactory(role=Role.SUPPLIER, time_zone="UTC")
    outsider = UserFactory(organisation=OrganisationFactory(role=role))

    with pytest.raises(PermissionDenied):
        services.organisation_set_time_zone(organisation=organisation, time_zone="Asia/Shanghai", changed_by=outsider)
    assert Organisation.objects.get(pk=organisation.pk).time_zone == "UTC"


@pytest.mark.parametrize("zone", ["CST", "UTC+8", "Asia/Beijing", ""])
def test_a_time_zone_must_be_an_iana_name(zone):
    organisation = OrganisationFactory(role=Role.SUPPLIER, time_zone="UTC")

    with pytest.raises(ValidationError) as refusal:
        services.organisation_set_time_zone(
            organisation=organisation, time_zone=zone, changed_by=UserFactory(organisation=organisation)
        )
    assert list(refusal.value.message_dict) == ["time_zone"]
