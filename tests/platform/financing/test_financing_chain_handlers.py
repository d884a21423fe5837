"""financing.chain_handlers: credit decisions, and a lender's terms, deposits and withdrawals, and
its book (exposure, liquidity) moving with financing, claims and write-offs exactly as CreditDesk
and Settlement move it, as the indexer reports them; applying one again changes nothing. And a
financing request the chain refused."""

from types import SimpleNamespace

import pytest
from django.utils import timezone
from eth_abi import encode
from eth_utils import event_abi_to_log_topic
from web3 import Web3
from web3._utils.events import get_event_data
from web3.datastructures import AttributeDict

from chain import indexer
from chain.handlers import event_apply
from chain.models import ActionPurpose, ChainAction
from chain_events import (
    a_world,
    address,
    apply_event,
    approval_args,
    approval_of_a_request,
    assert_replay_changes_nothing,
    refused,
)
from factories import (
    ChainEventFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    platform_abi,
)
from financing import chain_handlers
from financing.models import FinancingStatus, Programme
from invoices.models import Currency, Invoice, InvoiceStatus, Piece
from organisations.models import Role
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

TERMS = {"limit": 50_000_000_000, "advanceRateBps": 8_000, "baseRateBps": 500, "maxTenorDays": 120,
         "ratingSpreadBps": 25, "minRating": 6, "maxRatingAgeDays": 90}


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
    return {"lender": address(world.lender), "coreFirm": address(world.core_firm), "currency": int(currency)}


def _approve(world, advance=800_000_000, discount=8_000_000) -> dict:
    args = {"fingerprint": world.invoice.fingerprint, "piece": 0, "lender": address(world.lender),
            "holder": address(world.invoice.seller), "advance": advance, "discount": discount, "tenorDays": 50,
            "rating": 7, "reservePiece": 1}
    apply_event("FinancingApproved", **args)
    return args


@pytest.fixture
def trade():
    """A supplier's confirmed invoice of 1,000.00 to a core firm, whole (piece 0), and a lender."""
    return a_world()


# Decisions


def test_financing_approval_hands_the_advance_to_the_lender_and_keeps_a_reserve_piece(trade):
    request = FinancingRequestFactory(piece=trade.piece, lender=trade.lender)

    apply_event("FinancingApproved", **approval_args(trade, reserve_piece=1, advance=800_000_000))

    financed, reserve = trade.invoice.pieces.order_by("index")
    assert (financed.holder, financed.amount, financed.financed) == (trade.lender, 800_000_000, True)
    assert (reserve.index, reserve.parent_index) == (1, 0)
    assert (reserve.holder, reserve.amount, reserve.financed) == (trade.supplier, 200_000_000, False)
    request.refresh_from_db()
    assert request.status == FinancingStatus.APPROVED
    assert (request.advance, request.discount, request.tenor_days, request.rating) == (800_000_000, 8_000_000, 50, 7)
    assert request.decided_at is not None


def test_financing_approval_of_the_whole_piece_keeps_no_reserve(trade):
    apply_event("FinancingApproved", **approval_args(trade, reserve_piece=0, advance=1_000_000_000))

    [financed] = trade.invoice.pieces.all()
    assert (financed.holder, financed.amount, financed.financed) == (trade.lender, 1_000_000_000, True)


def test_refused_financing_request_is_marked_failed(trade):
    request = FinancingRequestFactory(piece=trade.piece, lender=trade.lender)

    refused(ActionPurpose.FINANCING_REQUEST, request)

    request.refresh_from_db()
    assert request.status == FinancingStatus.FAILED


# Terms


def test_terms_set_creates_the_programme_with_its_terms():
    lender = RegisteredOrganisationFactory(role=Role.LENDER)
    core_firm = RegisteredOrganisationFactory(role=Role.CORE_FIRM)

    apply_event("ProgrammeTermsSet", lender=address(lender), coreFirm=address(core_firm), currency=2, terms=TERMS)

    programme = Programme.objects.get(lender=lender, core_firm=core_firm, currency=Currency.EURT)
    assert (programme.limit, programme.advance_rate_bps, programme.base_rate_bps, programme.max_tenor_days,
            programme.rating_spread_bps, programme.min_rating, programme.max_rating_age_days) == (
        50_000_000_000, 8_000, 500, 120, 25, 6, 90
    )
    assert (programme.exposure, programme.liquidity) == (0, 0)


def test_new_terms_replace_the_old_and_keep_the_book(world):
    _approve(world)

    apply_event("ProgrammeTermsSet", **_keys(world), terms=TERMS | {"limit": 0, "minRating": 3})

    world.programme.refresh_from_db()
    assert (world.programme.limit, world.programme.min_rating) == (0, 3)
    assert _book(world) == (800_000_000, 10_000_000_000 - 792_000_000)
    assert Programme.objects.count() == 1


def test_terms_of_a_party_the_platform_does_not_know_are_ignored(world):
    stranger = "0x" + "7e" * 20

    apply_event("ProgrammeTermsSet", lender=stranger, coreFirm=address(world.core_firm), currency=1, terms=TERMS)

    assert Programme.objects.count() == 1


def test_terms_as_the_indexer_decodes_them_from_a_real_log(world):
    """web3 decodes the Terms struct as a nested AttributeDict; the indexer stores it as JSON."""
    event_abi = next(entry for entry in platform_abi() if entry.get("name") == "ProgrammeTermsSet")
    lender, core_firm = address(world.lender), address(world.core_firm)
    log = AttributeDict({
        "topics": [event_abi_to_log_topic(event_abi), bytes(12) + bytes.fromhex(lender[2:]),
                   bytes(12) + bytes.fromhex(core_firm[2:]), (1).to_bytes(32, "big")],
        "data": encode(["(uint64,uint16,uint16,uint16,uint8,uint8,uint16)"], [tuple(TERMS.values())]),
        "logIndex": 0, "transactionIndex": 0, "transactionHash": bytes(32), "address": "0x" + "5c" * 20,
        "blockHash": bytes(32), "blockNumber": 1,
    })
    decoded = get_event_data(Web3().codec, event_abi, log)

    apply_event("ProgrammeTermsSet", **indexer._jsonable(dict(decoded["args"])))

    world.programme.refresh_from_db()
    assert (world.programme.max_tenor_days, world.programme.min_rating, world.programme.max_rating_age_days) == (
        120, 6, 90
    )


# Liquidity


def test_funding_adds_to_the_liquidity(world):
    apply_event("ProgrammeFunded", **_keys(world), amount=2_500_000_000)

    assert _book(world) == (0, 12_500_000_000)


def test_withdrawal_takes_from_the_liquidity(world):
    apply_event("ProgrammeDefunded", **_keys(world), amount=4_000_000_000)

    assert _book(world) == (0, 6_000_000_000)


def test_funding_moves_only_the_programme_of_that_currency(world):
    eurt = Programme.objects.create(lender=world.lender, core_firm=world.core_firm, currency=Currency.EURT)

    apply_event("ProgrammeFunded", **_keys(world, Currency.EURT), amount=1_000_000)

    eurt.refresh_from_db()
    assert (eurt.liquidity, _book(world)) == (1_000_000, (0, 10_000_000_000))


# Financing and claims


def test_approval_adds_the_advance_to_exposure_and_takes_the_payout_from_liquidity(world):
    _approve(world, advance=800_000_000, discount=8_000_000)

    assert _book(world) == (800_000_000, 10_000_000_000 - 792_000_000)


def test_replayed_approval_moves_the_book_once(world):
    args = _approve(world)
    event = ChainEventFactory(name="FinancingApproved", args=args)

    event_apply(event)

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

    apply_event("PieceClaimed", fingerprint=world.invoice.fingerprint, piece=0, holder=address(world.lender),
           amount=300_000_000)

    assert _book(world)[0] == 500_000_000


def test_claim_on_a_piece_that_was_not_financed_leaves_the_book(world):
    _approve(world, advance=800_000_000)

    apply_event("PieceClaimed", fingerprint=world.invoice.fingerprint, piece=1, holder=address(world.invoice.seller),
           amount=200_000_000)

    assert _book(world)[0] == 800_000_000


# Claims queued as soon as a repayment is indexed


def _split_between_holder_and_lender(world) -> tuple[Piece, Piece]:
    """Piece 0 (600.00) kept by the supplier, piece 1 (400.00) financed by the lender."""
    Piece.objects.filter(pk=world.piece.pk).update(amount=600_000_000)
    world.piece.refresh_from_db()
    return world.piece, PieceFactory(invoice=world.invoice, index=1, parent_index=0, holder=world.lender,
                                     amount=400_000_000, financed=True)


def _repaid(world, total: int) -> None:
    apply_event("ObligationRepaid", fingerprint=world.invoice.fingerprint, amount=total, totalRepaid=total)


def _claims() -> list[tuple]:
    return [(action.subject, action.sequence, action.signer, action.args)
            for action in ChainAction.objects.filter(purpose=ActionPurpose.PIECE_CLAIM).order_by("pk")]


def test_a_repayment_queues_a_claim_for_every_holder_with_something_to_claim(world, django_capture_on_commit_callbacks):
    supplier_piece, lender_piece = _split_between_holder_and_lender(world)

    with django_capture_on_commit_callbacks() as callbacks:
        _repaid(world, 500_000_000)

    fingerprint = world.invoice.fingerprint
    assert _claims() == [
        (supplier_piece, 500_000_000, world.invoice.seller.chain_account, [fingerprint, 0]),
        (lender_piece, 500_000_000, world.lender.chain_account, [fingerprint, 1]),
    ]
    assert len(callbacks) == 2  # each sent once the indexer's transaction commits


def test_a_holder_that_claimed_its_share_is_not_asked_to_claim_again(world):
    supplier_piece, lender_piece = _split_between_holder_and_lender(world)
    Piece.objects.filter(pk=supplier_piece.pk).update(claimed=300_000_000)

    _repaid(world, 500_000_000)

    assert [claim[0] for claim in _claims()] == [lender_piece]


def test_a_replayed_repayment_queues_no_second_claim(world):
    event = ChainEventFactory(name="ObligationRepaid", args={
        "fingerprint": world.invoice.fingerprint, "amount": 500_000_000, "totalRepaid": 500_000_000,
    })

    event_apply(event)
    event_apply(event)

    assert len(_claims()) == 1


def test_each_repayment_queues_its_own_claim(world):
    _repaid(world, 500_000_000)
    _repaid(world, 1_000_000_000)

    assert [(claim[0], claim[1]) for claim in _claims()] == [(world.piece, 500_000_000), (world.piece, 1_000_000_000)]


def test_a_repayment_of_an_invoice_the_platform_does_not_know_queues_nothing(world):
    apply_event("ObligationRepaid", fingerprint="0x" + "77" * 32, amount=1, totalRepaid=1)

    assert _claims() == []


# Write-offs


def _default_and_write_off(world, released=800_000_000) -> dict:
    _approve(world, advance=800_000_000)
    world.invoice.status = InvoiceStatus.DEFAULTED
    world.invoice.save()
    args = {"fingerprint": world.invoice.fingerprint, "piece": 0, "lender": address(world.lender),
            "released": released}
    apply_event("PieceWrittenOff", **args)
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

    event_apply(ChainEventFactory(name="PieceWrittenOff", args=args))

    assert _book(world)[0] == 0


def test_recovery_claimed_on_a_written_off_piece_leaves_the_exposure(world):
    _default_and_write_off(world)

    apply_event("PieceClaimed", fingerprint=world.invoice.fingerprint, piece=0, holder=address(world.lender),
           amount=300_000_000)

    assert _book(world)[0] == 0
    assert Piece.objects.get(invoice=world.invoice, index=0).claimed == 300_000_000


def test_write_off_of_a_piece_the_platform_does_not_know_is_ignored(world):
    apply_event("PieceWrittenOff", fingerprint="0x" + "77" * 32, piece=0, lender=address(world.lender),
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


# Replays


def _rejection_of_a_request(trade) -> dict:
    FinancingRequestFactory(piece=trade.piece, lender=trade.lender)
    over_limit = 2
    return {"fingerprint": trade.invoice.fingerprint, "piece": 0, "lender": address(trade.lender),
            "holder": address(trade.supplier), "reason": over_limit}


def _written_off_piece(trade) -> Piece:
    Invoice.objects.filter(pk=trade.invoice.pk).update(status=InvoiceStatus.DEFAULTED)
    return PieceFactory(invoice=trade.invoice, index=1, holder=trade.lender, amount=800_000_000, financed=True)


def _programme(trade) -> dict:
    return {"lender": address(trade.lender), "coreFirm": address(trade.buyer), "currency": 1}


# Each case builds what its event acts on and returns the event's args.
EVENTS = {
    "FinancingApproved": approval_of_a_request,
    "FinancingRejected": _rejection_of_a_request,
    "PieceClaimed": lambda t: {"fingerprint": _written_off_piece(t).invoice.fingerprint, "piece": 1,
                               "holder": address(t.lender), "amount": 250_000_000},
    "PieceWrittenOff": lambda t: {"fingerprint": _written_off_piece(t).invoice.fingerprint, "piece": 1,
                                  "lender": address(t.lender), "released": 800_000_000},
    "ProgrammeTermsSet": lambda t: _programme(t) | {"terms": TERMS},
    "ProgrammeFunded": lambda t: _programme(t) | {"amount": 10**9},
    "ProgrammeDefunded": lambda t: _programme(t) | {"amount": 10**9},
    "ObligationRepaid": lambda t: {"fingerprint": t.invoice.fingerprint, "amount": 500_000_000,
                                   "totalRepaid": 500_000_000},
}
# A claim, a deposit and a withdrawal add their amount: the indexer's once-per-log rule (ChainEvent is
# unique per log and written in the same transaction) is what keeps it from counting twice, not the handler.
ADDITIVE = {"PieceClaimed", "ProgrammeFunded", "ProgrammeDefunded"}


def test_every_handled_event_has_a_replay_case():
    assert set(EVENTS) == set(chain_handlers.EVENT_HANDLERS)


@pytest.mark.parametrize("case", [case for case in EVENTS if case not in ADDITIVE])
def test_replayed_event_changes_nothing(trade, case):
    assert_replay_changes_nothing(ChainEventFactory(name=case, args=EVENTS[case](trade)))
