"""Participants: registration, KYC renewal and expiry, suspension, role changes and ratings."""

import pytest
from brownie import ZERO_ADDRESS, accounts, chain

from errors import expire_kyc, reverts_with
from scripts.world import DAY, MODEL_VERSION, RATINGS, YEAR, ZERO_HASH, Role, fingerprint_of, units

UINT40_MAX = 2**40 - 1


@pytest.fixture(scope="module")
def newcomer():
    """An address no one registered, distinct from `outsider`."""
    return accounts[10]


def _register_invoice(scf, seller, buyer):
    """A registration attempt, the simplest business action gated by KYC."""
    now = chain.time()
    key = fingerprint_of("kyc-probe", seller, now)
    return scf.registerInvoice(
        key, fingerprint_of("docs", seller, now), ZERO_HASH, buyer, units(1_000), 1, now - DAY, now + 30 * DAY,
        {"from": seller},
    )


# --- registration -----------------------------------------------------------------------------


def test_deployer_is_admin_whose_kyc_never_expires(scf, admin):
    record = scf.participant(admin)
    assert record["role"] == Role.ADMIN
    assert record["kycExpiresAt"] == UINT40_MAX
    assert record["id"] == 1


def test_register_participant_emits_event(scf, admin, newcomer):
    expiry = chain.time() + YEAR
    org_hash = fingerprint_of("org", "newcomer")
    tx = scf.registerParticipant(newcomer, Role.SUPPLIER, org_hash, expiry, {"from": admin})
    event = tx.events["ParticipantRegistered"]
    assert event["account"] == newcomer
    assert event["id"] == 10  # the admin and the eight parties of the world came first
    assert event["role"] == Role.SUPPLIER
    assert event["orgHash"] == org_hash.to_0x_hex()
    assert event["kycExpiresAt"] == expiry


def test_register_participant_stores_unrated_record(scf, admin, newcomer):
    expiry = chain.time() + YEAR
    scf.registerParticipant(newcomer, Role.LENDER, fingerprint_of("org", "n"), expiry, {"from": admin})
    assert tuple(scf.participant(newcomer)) == (Role.LENDER, expiry, 0, 0, 0, 10)
    assert scf.accountOf(10) == newcomer
    assert scf.hasCurrentKyc(newcomer)


def test_ids_follow_registration_order(scf, supplier, tier2, oracle):
    ids = [scf.participant(account)["id"] for account in (supplier, tier2, oracle)]
    assert ids == [2, 3, 9]
    assert [scf.accountOf(i) for i in ids] == [supplier, tier2, oracle]


def test_unknown_account_has_empty_record(scf, outsider):
    assert tuple(scf.participant(outsider)) == (0, 0, 0, 0, 0, 0)
    assert scf.accountOf(0) == ZERO_ADDRESS
    assert scf.accountOf(999) == ZERO_ADDRESS
    assert not scf.hasCurrentKyc(outsider)


def test_register_participant_twice_reverts(scf, admin, supplier):
    with reverts_with("ParticipantAlreadyRegistered", supplier):
        scf.registerParticipant(supplier, Role.LENDER, fingerprint_of("again"), chain.time() + YEAR, {"from": admin})


def test_register_participant_with_role_none_reverts(scf, admin, newcomer):
    with reverts_with("ParticipantInvalidRegistration", newcomer, Role.NONE):
        scf.registerParticipant(newcomer, Role.NONE, fingerprint_of("none"), chain.time() + YEAR, {"from": admin})


def test_register_zero_address_reverts(scf, admin):
    with reverts_with("ParticipantInvalidRegistration", ZERO_ADDRESS, Role.SUPPLIER):
        scf.registerParticipant(ZERO_ADDRESS, Role.SUPPLIER, fingerprint_of("zero"), chain.time() + YEAR, {"from": admin})


def test_register_participant_with_past_kyc_expiry_reverts(scf, admin, newcomer):
    past = chain.time() - 1
    with reverts_with("ParticipantInvalidKycExpiry", past):
        scf.registerParticipant(newcomer, Role.SUPPLIER, fingerprint_of("late"), past, {"from": admin})


def test_register_participant_by_non_admin_reverts(scf, lender, newcomer):
    with reverts_with("ParticipantRoleRequired", lender, Role.ADMIN, Role.LENDER):
        scf.registerParticipant(newcomer, Role.SUPPLIER, fingerprint_of("x"), chain.time() + YEAR, {"from": lender})


def test_second_admin_can_register_participants(scf, admin, newcomer, outsider):
    scf.registerParticipant(newcomer, Role.ADMIN, fingerprint_of("admin2"), chain.time() + YEAR, {"from": admin})
    scf.registerParticipant(outsider, Role.SUPPLIER, fingerprint_of("o"), chain.time() + YEAR, {"from": newcomer})
    assert scf.participant(outsider)["role"] == Role.SUPPLIER


def test_admin_with_expired_kyc_cannot_register(scf, admin, newcomer, outsider):
    scf.registerParticipant(newcomer, Role.ADMIN, fingerprint_of("admin2"), chain.time() + YEAR, {"from": admin})
    expiry = expire_kyc(scf, admin, newcomer)
    with reverts_with("ParticipantKycExpired", newcomer, expiry):
        scf.registerParticipant(outsider, Role.SUPPLIER, fingerprint_of("o"), chain.time() + YEAR, {"from": newcomer})


# --- KYC renewal and expiry -------------------------------------------------------------------


def test_renew_kyc_sets_expiry_and_emits_event(scf, admin, supplier):
    expiry = chain.time() + 2 * YEAR
    tx = scf.renewKyc(supplier, expiry, {"from": admin})
    assert tx.events["KycRenewed"] == {"account": supplier, "kycExpiresAt": expiry, "admin": admin}
    assert scf.participant(supplier)["kycExpiresAt"] == expiry


def test_renew_kyc_may_shorten_expiry(scf, admin, supplier):
    expiry = chain.time() + DAY
    scf.renewKyc(supplier, expiry, {"from": admin})
    assert scf.participant(supplier)["kycExpiresAt"] == expiry
    assert scf.hasCurrentKyc(supplier)


def test_renew_kyc_in_the_past_reverts(scf, admin, supplier):
    past = chain.time() - 1
    with reverts_with("ParticipantInvalidKycExpiry", past):
        scf.renewKyc(supplier, past, {"from": admin})


def test_renew_kyc_of_unknown_account_reverts(scf, admin, outsider):
    with reverts_with("ParticipantUnknown", outsider):
        scf.renewKyc(outsider, chain.time() + YEAR, {"from": admin})


def test_renew_kyc_by_non_admin_reverts(scf, oracle, supplier):
    with reverts_with("ParticipantRoleRequired", oracle, Role.ADMIN, Role.RISK_ORACLE):
        scf.renewKyc(supplier, chain.time() + YEAR, {"from": oracle})


def test_kyc_lapses_at_its_expiry(scf, admin, supplier):
    expiry = chain.time() + DAY
    scf.renewKyc(supplier, expiry, {"from": admin})
    chain.mine(timestamp=expiry - 10)
    assert scf.hasCurrentKyc(supplier)
    chain.mine(timestamp=expiry)
    assert not scf.hasCurrentKyc(supplier)


def test_expired_kyc_blocks_business(scf, admin, supplier, core_firm):
    expiry = expire_kyc(scf, admin, supplier)
    with reverts_with("ParticipantKycExpired", supplier, expiry):
        _register_invoice(scf, supplier, core_firm)


def test_kyc_expires_a_year_after_registration(scf, supplier):
    chain.mine(timedelta=YEAR + DAY)
    assert not scf.hasCurrentKyc(supplier)


def test_renewed_kyc_restores_business(scf, admin, supplier, core_firm):
    expire_kyc(scf, admin, supplier)
    scf.renewKyc(supplier, chain.time() + YEAR, {"from": admin})
    assert "InvoiceRegistered" in _register_invoice(scf, supplier, core_firm).events


# --- suspension -------------------------------------------------------------------------------


def test_suspend_participant_emits_event_and_zeroes_kyc(scf, admin, supplier):
    tx = scf.suspendParticipant(supplier, {"from": admin})
    assert tx.events["ParticipantSuspended"] == {"account": supplier, "admin": admin}
    assert scf.participant(supplier)["kycExpiresAt"] == 0
    assert not scf.hasCurrentKyc(supplier)


def test_suspended_participant_cannot_act(scf, admin, supplier, core_firm):
    scf.suspendParticipant(supplier, {"from": admin})
    with reverts_with("ParticipantKycExpired", supplier, 0):
        _register_invoice(scf, supplier, core_firm)


def test_suspended_participant_is_restored_by_renewal(scf, admin, supplier):
    scf.suspendParticipant(supplier, {"from": admin})
    scf.renewKyc(supplier, chain.time() + YEAR, {"from": admin})
    assert scf.hasCurrentKyc(supplier)


def test_admin_suspending_itself_reverts(scf, admin):
    with reverts_with("ParticipantLockout", admin):
        scf.suspendParticipant(admin, {"from": admin})


def test_suspend_unknown_account_reverts(scf, admin, outsider):
    with reverts_with("ParticipantUnknown", outsider):
        scf.suspendParticipant(outsider, {"from": admin})


def test_suspend_by_non_admin_reverts(scf, core_firm, supplier):
    with reverts_with("ParticipantRoleRequired", core_firm, Role.ADMIN, Role.CORE_FIRM):
        scf.suspendParticipant(supplier, {"from": core_firm})


def test_second_admin_cannot_suspend_the_founding_admin(scf, admin, newcomer):
    """The founding admin's KYC never expires and nobody can suspend or demote it, so the
    platform keeps an admin even when every other admin's KYC lapses."""
    scf.registerParticipant(newcomer, Role.ADMIN, fingerprint_of("admin2"), chain.time() + YEAR, {"from": admin})
    with reverts_with("ParticipantLockout", admin):
        scf.suspendParticipant(admin, {"from": newcomer})


def test_second_admin_cannot_demote_the_founding_admin(scf, admin, newcomer):
    scf.registerParticipant(newcomer, Role.ADMIN, fingerprint_of("admin2"), chain.time() + YEAR, {"from": admin})
    with reverts_with("ParticipantLockout", admin):
        scf.changeRole(admin, Role.SUPPLIER, {"from": newcomer})


def test_second_admin_cannot_shorten_the_founding_admin_kyc(scf, admin, newcomer):
    """A shortened expiry is a suspension on a timer: refused like one, so the founding admin's
    KYC stays current for good."""
    scf.registerParticipant(newcomer, Role.ADMIN, fingerprint_of("admin2"), chain.time() + YEAR, {"from": admin})
    with reverts_with("ParticipantLockout", admin):
        scf.renewKyc(admin, chain.time() + 60, {"from": newcomer})
    assert scf.participant(admin)["kycExpiresAt"] == UINT40_MAX


def test_founding_admin_renewing_own_kyc_reverts(scf, admin):
    with reverts_with("ParticipantLockout", admin):
        scf.renewKyc(admin, chain.time() + 60, {"from": admin})


def test_second_admin_renewing_own_kyc_reverts(scf, admin, newcomer):
    """An admin's review is someone else's decision: it can neither extend nor shorten its own."""
    scf.registerParticipant(newcomer, Role.ADMIN, fingerprint_of("admin2"), chain.time() + YEAR, {"from": admin})
    with reverts_with("ParticipantLockout", newcomer):
        scf.renewKyc(newcomer, chain.time() + 2 * YEAR, {"from": newcomer})


def test_founding_admin_can_renew_a_second_admin(scf, admin, newcomer):
    scf.registerParticipant(newcomer, Role.ADMIN, fingerprint_of("admin2"), chain.time() + YEAR, {"from": admin})
    expiry = chain.time() + 2 * YEAR
    scf.renewKyc(newcomer, expiry, {"from": admin})
    assert scf.participant(newcomer)["kycExpiresAt"] == expiry


def test_founding_admin_can_suspend_a_second_admin(scf, admin, newcomer):
    scf.registerParticipant(newcomer, Role.ADMIN, fingerprint_of("admin2"), chain.time() + YEAR, {"from": admin})
    scf.suspendParticipant(newcomer, {"from": admin})
    assert not scf.hasCurrentKyc(newcomer)


# --- role changes -----------------------------------------------------------------------------


def test_change_role_emits_event_and_sets_role(scf, admin, tier3):
    tx = scf.changeRole(tier3, Role.LENDER, {"from": admin})
    assert tx.events["RoleChanged"] == {
        "account": tier3,
        "previousRole": Role.SUPPLIER,
        "newRole": Role.LENDER,
        "admin": admin,
    }
    assert scf.participant(tier3)["role"] == Role.LENDER


def test_change_role_keeps_id_kyc_and_rating(scf, admin, tier3):
    before = scf.participant(tier3)
    scf.changeRole(tier3, Role.CORE_FIRM, {"from": admin})
    after = scf.participant(tier3)
    assert (after["id"], after["kycExpiresAt"], after["rating"]) == (before["id"], before["kycExpiresAt"], before["rating"])


def test_change_role_to_none_reverts(scf, admin, tier3):
    with reverts_with("ParticipantInvalidRegistration", tier3, Role.NONE):
        scf.changeRole(tier3, Role.NONE, {"from": admin})


def test_admin_changing_own_role_reverts(scf, admin):
    with reverts_with("ParticipantLockout", admin):
        scf.changeRole(admin, Role.SUPPLIER, {"from": admin})


def test_change_role_of_unknown_account_reverts(scf, admin, outsider):
    with reverts_with("ParticipantUnknown", outsider):
        scf.changeRole(outsider, Role.SUPPLIER, {"from": admin})


def test_change_role_by_non_admin_reverts(scf, supplier, tier3):
    with reverts_with("ParticipantRoleRequired", supplier, Role.ADMIN, Role.SUPPLIER):
        scf.changeRole(tier3, Role.LENDER, {"from": supplier})


def test_demoted_admin_loses_admin_rights(scf, admin, newcomer, outsider):
    scf.registerParticipant(newcomer, Role.ADMIN, fingerprint_of("admin2"), chain.time() + YEAR, {"from": admin})
    scf.changeRole(newcomer, Role.SUPPLIER, {"from": admin})
    with reverts_with("ParticipantRoleRequired", newcomer, Role.ADMIN, Role.SUPPLIER):
        scf.registerParticipant(outsider, Role.SUPPLIER, fingerprint_of("o"), chain.time() + YEAR, {"from": newcomer})


# --- ratings ----------------------------------------------------------------------------------


def test_world_ratings_are_posted(scf, supplier, tier2, tier3):
    assert [scf.participant(a)["rating"] for a in (supplier, tier2, tier3)] == list(RATINGS.values())
    assert scf.participant(supplier)["ratingModel"] == MODEL_VERSION


def test_post_rating_emits_event(scf, oracle, supplier):
    tx = scf.postRating(supplier, 10, 7, {"from": oracle})
    assert tx.events["RatingPosted"] == {"supplier": supplier, "rating": 10, "modelVersion": 7, "oracle": oracle}


def test_post_rating_stores_rating_model_and_time(scf, oracle, supplier):
    tx = scf.postRating(supplier, 1, 42, {"from": oracle})
    record = scf.participant(supplier)
    assert (record["rating"], record["ratingModel"], record["ratedAt"]) == (1, 42, tx.timestamp)


@pytest.mark.parametrize("rating", [0, 11, 255])
def test_post_invalid_rating_reverts(scf, oracle, supplier, rating):
    with reverts_with("ParticipantInvalidRating", rating):
        scf.postRating(supplier, rating, MODEL_VERSION, {"from": oracle})


def test_post_rating_for_non_supplier_reverts(scf, oracle, core_firm):
    with reverts_with("ParticipantRoleRequired", core_firm, Role.SUPPLIER, Role.CORE_FIRM):
        scf.postRating(core_firm, 5, MODEL_VERSION, {"from": oracle})


def test_post_rating_for_unknown_account_reverts(scf, oracle, outsider):
    with reverts_with("ParticipantUnknown", outsider):
        scf.postRating(outsider, 5, MODEL_VERSION, {"from": oracle})


def test_post_rating_by_non_oracle_reverts(scf, admin, supplier):
    with reverts_with("ParticipantRoleRequired", admin, Role.RISK_ORACLE, Role.ADMIN):
        scf.postRating(supplier, 5, MODEL_VERSION, {"from": admin})


def test_oracle_with_expired_kyc_cannot_post_rating(scf, admin, oracle, supplier):
    expiry = expire_kyc(scf, admin, oracle)
    with reverts_with("ParticipantKycExpired", oracle, expiry):
        scf.postRating(supplier, 5, MODEL_VERSION, {"from": oracle})
