"""organisations.chain_handlers: participants registered and renewed, ratings posted, as the
indexer reports them; applying one again changes nothing."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from chain.handlers import event_apply
from chain_events import a_world, address, apply_event, assert_replay_changes_nothing

pytestmark = pytest.mark.django_db

UINT40_MAX = 2**40 - 1
IN_A_YEAR = int((timezone.now() + timedelta(days=365)).timestamp())


@pytest.fixture
def world():
    return a_world()
from factories import GANACHE_ACCOUNT_0, ChainEventFactory, RegisteredOrganisationFactory
from organisations import chain_handlers
from organisations.models import Organisation, Role


def test_participant_registered_records_the_onchain_id_and_kyc_expiry():
    organisation = RegisteredOrganisationFactory(onchain_id=None, kyc_expires_at=None)

    apply_event("ParticipantRegistered", account=address(organisation), id=900_042, role=1, orgHash="0x" + "11" * 32,
           kycExpiresAt=IN_A_YEAR)

    organisation.refresh_from_db()
    assert organisation.onchain_id == 900_042
    assert organisation.kyc_expires_at == datetime.fromtimestamp(IN_A_YEAR, dt_timezone.utc)


def test_founding_admins_kyc_that_never_expires_is_stored_as_none():
    operator = RegisteredOrganisationFactory(role=Role.ADMIN, onchain_id=None)

    apply_event("ParticipantRegistered", account=address(operator), id=1, role=5, orgHash="0x" + "22" * 32,
           kycExpiresAt=UINT40_MAX)

    operator.refresh_from_db()
    assert (operator.onchain_id, operator.kyc_expires_at) == (1, None)


def test_participant_the_platform_does_not_know_is_ignored():
    apply_event("ParticipantRegistered", account=GANACHE_ACCOUNT_0, id=1, role=5, orgHash="0x" + "22" * 32,
           kycExpiresAt=UINT40_MAX)

    assert not Organisation.objects.exclude(onchain_id=None).exists()


def test_rating_posted_records_the_rating_with_its_blocks_time(world):
    posted_at = datetime(2026, 11, 3, 9, 30, tzinfo=dt_timezone.utc)
    event = ChainEventFactory(name="RatingPosted", mined_at=posted_at, args={
        "supplier": address(world.supplier), "rating": 8, "modelVersion": 2, "oracle": GANACHE_ACCOUNT_0,
    })

    event_apply(event)

    world.supplier.refresh_from_db()
    assert (world.supplier.rating, world.supplier.rating_model_version, world.supplier.rated_at) == (8, 2, posted_at)


# Invoices

# Replays


EVENTS = {
    "ParticipantRegistered": lambda w: {
        "account": address(RegisteredOrganisationFactory(onchain_id=None)), "id": 900_077, "role": 1,
        "orgHash": "0x" + "33" * 32, "kycExpiresAt": IN_A_YEAR,
    },
    "KycRenewed": lambda w: {"account": address(w.supplier), "kycExpiresAt": IN_A_YEAR + 86_400,
                             "admin": GANACHE_ACCOUNT_0},
    "RatingPosted": lambda w: {"supplier": address(w.supplier), "rating": 7, "modelVersion": 1,
                               "oracle": GANACHE_ACCOUNT_0},
}


def test_every_handled_event_has_a_replay_case():
    assert set(EVENTS) == set(chain_handlers.EVENT_HANDLERS)


@pytest.mark.parametrize("case", EVENTS)
def test_replayed_event_changes_nothing(world, case):
    assert_replay_changes_nothing(ChainEventFactory(name=case, args=EVENTS[case](world)))
