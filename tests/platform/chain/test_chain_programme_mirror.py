"""chain.mirror, programmes: a lender's terms, deposits and withdrawals, and its book (exposure,
liquidity) moving with financing, claims and write-offs exactly as CreditDesk and Settlement move
it."""

from types import SimpleNamespace

import pytest
from django.utils import timezone
from eth_abi import encode
from eth_utils import event_abi_to_log_topic
from web3 import Web3
from web3._utils.events import get_event_data
from web3.datastructures import AttributeDict

from chain import indexer, mirror
from factories import (
    ChainEventFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    platform_abi,
)
from financing.models import Programme
from invoices.models import Currency, InvoiceStatus, Piece
from organisations.models import Role
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

TERMS = {"limit": 50_000_000_000, "advanceRateBps": 8_000, "baseRateBps": 500, "maxTenorDays": 120,
         "ratingSpreadBps": 25, "minRating": 6, "maxRatingAgeDays": 90}


def _apply(name: str, **args) -> None:
    mirror.apply(ChainEventFactory(name=name, args=args))


def _address(organisation) -> str:
    return organisation.chain_account.address


@pytest.fixture
def world():
    """A lender with a USDC programme for a core firm (limit 50,000, 10,000 deposited), and the
    core firm's confirmed invoice of 1,000.00 held whole by its supplier."""
    lender = RegisteredOrganisationFactory(role=Role.LENDER)
    core_firm = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    invoice = InvoiceFactory(buyer=core_firm, status=InvoiceStatus.CONFIRMED)
    programme = Programme.objects.create(
        lender=lender, core_firm=core_firm, currency=Currency.USDC, limit=50_000_000_000, advance_rate_bps=8_000,
        liquidity=10_000_000_000,
    )
    return SimpleNamespace(lender=lender, core_firm=core_firm, invoice=invoice, piece=PieceFactory(invoice=invoice),
                           programme=programme)


def _book(world) -> tuple[int, int]:
    world.programme.refresh_from_db()
    return world.programme.exposure, world.programme.liquidity


def _keys(world, currency=Currency.USDC) -> dict:
    return {"lender": _address(world.lender), "coreFirm": _address(world.core_firm), "currency": int(currency)}


def _approve(world, advance=800_000_000, discount=8_000_000) -> dict:
    args = {"fingerprint": world.invoice.fingerprint, "piece": 0, "lender": _address(world.lender),
            "holder": _address(world.invoice.seller), "advance": advance, "discount": discount, "tenorDays": 50,
            "rating": 7, "reservePiece": 1}
    _apply("FinancingApproved", **args)
    return args


# Terms


def test_terms_set_creates_the_programme_with_its_terms():
    lender = RegisteredOrganisationFactory(role=Role.LENDER)
    core_firm = RegisteredOrganisationFactory(role=Role.CORE_FIRM)

    _apply("ProgrammeTermsSet", lender=_address(lender), coreFirm=_address(core_firm), currency=2, terms=TERMS)

    programme = Programme.objects.get(lender=lender, core_firm=core_firm, currency=Currency.EURT)
    assert (programme.limit, programme.advance_rate_bps, programme.base_rate_bps, programme.max_tenor_days,
            programme.rating_spread_bps, programme.min_rating, programme.max_rating_age_days) == (
        50_000_000_000, 8_000, 500, 120, 25, 6, 90
    )
    assert (programme.exposure, programme.liquidity) == (0, 0)


def test_new_terms_replace_the_old_and_keep_the_book(world):
    _approve(world)

    _apply("ProgrammeTermsSet", **_keys(world), terms=TERMS | {"limit": 0, "minRating": 3})

    world.programme.refresh_from_db()
    assert (world.programme.limit, world.programme.min_rating) == (0, 3)
    assert _book(world) == (800_000_000, 10_000_000_000 - 792_000_000)
    assert Programme.objects.count() == 1


def test_terms_of_a_party_the_platform_does_not_know_are_ignored(world):
    stranger = "0x" + "7e" * 20

    _apply("ProgrammeTermsSet", lender=stranger, coreFirm=_address(world.core_firm), currency=1, terms=TERMS)

    assert Programme.objects.count() == 1


def test_terms_as_the_indexer_decodes_them_from_a_real_log(world):
    """web3 decodes the Terms struct as a nested AttributeDict; the indexer stores it as JSON."""
    event_abi = next(entry for entry in platform_abi() if entry.get("name") == "ProgrammeTermsSet")
    lender, core_firm = _address(world.lender), _address(world.core_firm)
    log = AttributeDict({
        "topics": [event_abi_to_log_topic(event_abi), bytes(12) + bytes.fromhex(lender[2:]),
                   bytes(12) + bytes.fromhex(core_firm[2:]), (1).to_bytes(32, "big")],
        "data": encode(["(uint64,uint16,uint16,uint16,uint8,uint8,uint16)"], [tuple(TERMS.values())]),
        "logIndex": 0, "transactionIndex": 0, "transactionHash": bytes(32), "address": "0x" + "5c" * 20,
        "blockHash": bytes(32), "blockNumber": 1,
    })
    decoded = get_event_data(Web3().codec, event_abi, log)

    _apply("ProgrammeTermsSet", **indexer._jsonable(dict(decoded["args"])))

    world.programme.refresh_from_db()
    assert (world.programme.max_tenor_days, world.programme.min_rating, world.programme.max_rating_age_days) == (
        120, 6, 90
    )


# Liquidity


def test_funding_adds_to_the_liquidity(world):
    _apply("ProgrammeFunded", **_keys(world), amount=2_500_000_000)

    assert _book(world) == (0, 12_500_000_000)


def test_withdrawal_takes_from_the_liquidity(world):
    _apply("ProgrammeDefunded", **_keys(world), amount=4_000_000_000)

    assert _book(world) == (0, 6_000_000_000)


def test_funding_moves_only_the_programme_of_that_currency(world):
    eurt = Programme.objects.create(lender=world.lender, core_firm=world.core_firm, currency=Currency.EURT)

    _apply("ProgrammeFunded", **_keys(world, Currency.EURT), amount=1_000_000)

    eurt.refresh_from_db()
    assert (eurt.liquidity, _book(world)) == (1_000_000, (0, 10_000_000_000))


# Financing and claims


def test_approval_adds_the_advance_to_exposure_and_takes_the_payout_from_liquidity(world):
    _approve(world, advance=800_000_000, discount=8_000_000)

    assert _book(world) == (800_000_000, 10_000_000_000 - 792_000_000)


def test_replayed_approval_moves_the_book_once(world):
    args = _approve(world)
    event = ChainEventFactory(name="FinancingApproved", args=args)

    mirror.apply(event)

    assert _book(world) == (800_000_000, 9_208_000_000)


def test_approval_moves_only_the_programme_for_the_invoices_buyer(world):
    other_buyer = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    other = Programme.objects.create(lender=world.lender, core_firm=other_buyer, currency=Currency.USDC,
                                     liquidity=5_000_000_000)

    _approve(world)

    other.refresh_from_db()
    assert (other.exposure, other.liquidity) == (0, 5_000_000_000)


def test_lenders_claim_on_a_financed_piece_releases_exposure(world):
    _approve(world, advance=800_000_000)

    _apply("PieceClaimed", fingerprint=world.invoice.fingerprint, piece=0, holder=_address(world.lender),
           amount=300_000_000)

    assert _book(world)[0] == 500_000_000


def test_claim_on_a_piece_that_was_not_financed_leaves_the_book(world):
    _approve(world, advance=800_000_000)

    _apply("PieceClaimed", fingerprint=world.invoice.fingerprint, piece=1, holder=_address(world.invoice.seller),
           amount=200_000_000)

    assert _book(world)[0] == 800_000_000


# Write-offs


def _default_and_write_off(world, released=800_000_000) -> dict:
    _approve(world, advance=800_000_000)
    world.invoice.status = InvoiceStatus.DEFAULTED
    world.invoice.save()
    args = {"fingerprint": world.invoice.fingerprint, "piece": 0, "lender": _address(world.lender),
            "released": released}
    _apply("PieceWrittenOff", **args)
    return args


def test_write_off_records_when_and_what_it_released(world):
    before = timezone.now()

    _default_and_write_off(world, released=700_000_000)

    piece = Piece.objects.get(invoice=world.invoice, index=0)
    assert before <= piece.written_off_at <= timezone.now()
    assert piece.written_off_amount == 700_000_000


def test_write_off_releases_what_it_released_from_the_exposure(world):
    _default_and_write_off(world, released=700_000_000)

    assert _book(world) == (100_000_000, 9_208_000_000)


def test_replayed_write_off_releases_the_exposure_once(world):
    args = _default_and_write_off(world)

    mirror.apply(ChainEventFactory(name="PieceWrittenOff", args=args))

    assert _book(world)[0] == 0


def test_recovery_claimed_on_a_written_off_piece_leaves_the_exposure(world):
    _default_and_write_off(world)

    _apply("PieceClaimed", fingerprint=world.invoice.fingerprint, piece=0, holder=_address(world.lender),
           amount=300_000_000)

    assert _book(world)[0] == 0
    assert Piece.objects.get(invoice=world.invoice, index=0).claimed == 300_000_000


def test_write_off_of_a_piece_the_platform_does_not_know_is_ignored(world):
    _apply("PieceWrittenOff", fingerprint="0x" + "77" * 32, piece=0, lender=_address(world.lender),
           released=800_000_000)

    assert not Piece.objects.exclude(written_off_at=None).exists()
    assert _book(world)[0] == 0


def test_write_off_is_sent_to_the_lenders_webhooks(world):
    WebhookEndpoint.objects.create(organisation=world.lender, url="https://erp.example.com/hook",
                                   encrypted_secret=b"secret")
    WebhookEndpoint.objects.create(organisation=world.core_firm, url="https://buyer.example.com/hook",
                                   encrypted_secret=b"secret")

    _default_and_write_off(world, released=700_000_000)

    [delivery] = WebhookDelivery.objects.filter(event="piece.written_off")
    assert delivery.endpoint.organisation == world.lender
    assert delivery.payload == {"invoice": world.invoice.pk, "number": world.invoice.number,
                                "fingerprint": world.invoice.fingerprint, "piece": 0, "released": 700_000_000}
