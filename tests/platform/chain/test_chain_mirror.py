"""chain.mirror: contract events as the indexer stores them (ChainEvent rows), applied to the domain
tables; applying one again changes nothing. And the domain side of actions the chain refused."""

from datetime import datetime, timedelta, timezone as dt_timezone
from types import SimpleNamespace

import pytest
from django.utils import timezone
from eth_abi import encode
from eth_utils import event_abi_to_log_topic
from web3 import Web3
from web3._utils.events import get_event_data
from web3.datastructures import AttributeDict

from chain import indexer, mirror
from chain.services import action_enqueue
from factories import (
    GANACHE_ACCOUNT_0,
    ChainAccountFactory,
    ChainEventFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    platform_abi,
)
from financing.models import FinancingRequest, FinancingStatus, Programme
from invoices.models import Invoice, InvoiceStatus, LifecyclePeriods, Piece
from organisations.models import Organisation, Role

pytestmark = pytest.mark.django_db

UINT40_MAX = 2**40 - 1
IN_A_YEAR = int((timezone.now() + timedelta(days=365)).timestamp())


def _address(organisation: Organisation) -> str:
    return organisation.chain_account.address


def _apply(name: str, **args):
    event = ChainEventFactory(name=name, args=args)
    mirror.apply(event)
    return event


@pytest.fixture
def world():
    """A supplier's confirmed invoice of 1,000.00 to a core firm, whole (piece 0), and a lender."""
    supplier = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    buyer = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    invoice = InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.CONFIRMED, amount=1_000_000_000)
    return SimpleNamespace(
        supplier=supplier,
        tier2=RegisteredOrganisationFactory(role=Role.SUPPLIER),
        buyer=buyer,
        lender=RegisteredOrganisationFactory(role=Role.LENDER),
        invoice=invoice,
        piece=PieceFactory(invoice=invoice),
    )


def _registration(world, invoice: Invoice) -> dict:
    return {
        "fingerprint": invoice.fingerprint,
        "seller": _address(world.supplier),
        "buyer": _address(world.buyer),
        "documentHash": invoice.document_hash,
        "amount": invoice.amount,
        "currency": invoice.currency,
        "issueDate": 1_767_225_600,
        "dueDate": 1_772_323_200,
    }


def _financing_approval(world, reserve_piece: int = 1, advance: int = 800_000_000) -> dict:
    return {
        "fingerprint": world.invoice.fingerprint,
        "piece": 0,
        "lender": _address(world.lender),
        "holder": _address(world.supplier),
        "advance": advance,
        "discount": 8_000_000,
        "tenorDays": 50,
        "rating": 7,
        "reservePiece": reserve_piece,
    }


# Participants


def test_participant_registered_records_the_onchain_id_and_kyc_expiry():
    organisation = RegisteredOrganisationFactory(onchain_id=None, kyc_expires_at=None)

    _apply("ParticipantRegistered", account=_address(organisation), id=900_042, role=1, orgHash="0x" + "11" * 32,
           kycExpiresAt=IN_A_YEAR)

    organisation.refresh_from_db()
    assert organisation.onchain_id == 900_042
    assert organisation.kyc_expires_at == datetime.fromtimestamp(IN_A_YEAR, dt_timezone.utc)


def test_founding_admins_kyc_that_never_expires_is_stored_as_none():
    operator = RegisteredOrganisationFactory(role=Role.ADMIN, onchain_id=None)

    _apply("ParticipantRegistered", account=_address(operator), id=1, role=5, orgHash="0x" + "22" * 32,
           kycExpiresAt=UINT40_MAX)

    operator.refresh_from_db()
    assert (operator.onchain_id, operator.kyc_expires_at) == (1, None)


def test_participant_the_platform_does_not_know_is_ignored():
    _apply("ParticipantRegistered", account=GANACHE_ACCOUNT_0, id=1, role=5, orgHash="0x" + "22" * 32,
           kycExpiresAt=UINT40_MAX)

    assert not Organisation.objects.exclude(onchain_id=None).exists()


def test_rating_posted_records_the_rating_with_its_blocks_time(world):
    posted_at = datetime(2026, 11, 3, 9, 30, tzinfo=dt_timezone.utc)
    event = ChainEventFactory(name="RatingPosted", mined_at=posted_at, args={
        "supplier": _address(world.supplier), "rating": 8, "modelVersion": 2, "oracle": GANACHE_ACCOUNT_0,
    })

    mirror.apply(event)

    world.supplier.refresh_from_db()
    assert (world.supplier.rating, world.supplier.rating_model_version, world.supplier.rated_at) == (8, 2, posted_at)


# Invoices


def test_invoice_registered_creates_piece_zero_held_by_the_seller(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.SUBMITTED)

    _apply("InvoiceRegistered", **_registration(world, invoice))

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REGISTERED
    [piece] = invoice.pieces.all()
    assert (piece.index, piece.parent_index, piece.holder, piece.amount) == (0, None, world.supplier, invoice.amount)


def test_replayed_invoice_registered_creates_piece_zero_once(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.SUBMITTED)
    event = _apply("InvoiceRegistered", **_registration(world, invoice))

    mirror.apply(event)

    assert invoice.pieces.count() == 1


def test_invoice_marked_failed_becomes_registered_when_the_chain_registered_it(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.FAILED)

    _apply("InvoiceRegistered", **_registration(world, invoice))

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REGISTERED


def test_invoice_the_platform_does_not_know_stays_in_chain_events_only(world):
    stranger = InvoiceFactory.build(seller=world.supplier, buyer=world.buyer)

    _apply("InvoiceRegistered", **_registration(world, stranger))

    assert not Invoice.objects.filter(fingerprint=stranger.fingerprint).exists()
    assert Piece.objects.count() == 1


def test_confirmation_applies_only_to_a_registered_invoice(world):
    registered = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.REGISTERED)
    disputed = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.DISPUTED)

    for invoice in (registered, disputed):
        _apply("InvoiceConfirmed", fingerprint=invoice.fingerprint, buyer=_address(world.buyer))

    registered.refresh_from_db()
    disputed.refresh_from_db()
    assert (registered.status, disputed.status) == (InvoiceStatus.CONFIRMED, InvoiceStatus.DISPUTED)


# Lifecycle periods


def test_periods_changed_keeps_each_version():
    _apply("PeriodsChanged", gracePeriod=5 * 86_400, defaultPeriod=30 * 86_400, admin=GANACHE_ACCOUNT_0, version=1)
    _apply("PeriodsChanged", gracePeriod=2 * 86_400, defaultPeriod=10 * 86_400, admin=GANACHE_ACCOUNT_0, version=2)

    assert list(LifecyclePeriods.objects.values_list("version", "grace_period_seconds", "default_period_seconds")) == [
        (2, 2 * 86_400, 10 * 86_400), (1, 5 * 86_400, 30 * 86_400),
    ]


def test_confirmation_stamps_the_periods_in_force_on_the_obligation(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.REGISTERED)
    _apply("PeriodsChanged", gracePeriod=5 * 86_400, defaultPeriod=30 * 86_400, admin=GANACHE_ACCOUNT_0, version=1)
    _apply("PeriodsChanged", gracePeriod=2 * 86_400, defaultPeriod=10 * 86_400, admin=GANACHE_ACCOUNT_0, version=2)

    _apply("InvoiceConfirmed", fingerprint=invoice.fingerprint, buyer=_address(world.buyer))

    invoice.refresh_from_db()
    assert (invoice.periods_version, invoice.grace_period_seconds, invoice.default_period_seconds) == (
        2, 2 * 86_400, 10 * 86_400
    )


def test_later_periods_leave_a_confirmed_obligation_its_own(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.REGISTERED)
    _apply("PeriodsChanged", gracePeriod=5 * 86_400, defaultPeriod=30 * 86_400, admin=GANACHE_ACCOUNT_0, version=1)
    _apply("InvoiceConfirmed", fingerprint=invoice.fingerprint, buyer=_address(world.buyer))

    _apply("PeriodsChanged", gracePeriod=2 * 86_400, defaultPeriod=10 * 86_400, admin=GANACHE_ACCOUNT_0, version=2)

    invoice.refresh_from_db()
    assert (invoice.periods_version, invoice.grace_period_seconds) == (1, 5 * 86_400)


def test_confirmation_before_any_periods_were_mirrored_stamps_none(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.REGISTERED)

    _apply("InvoiceConfirmed", fingerprint=invoice.fingerprint, buyer=_address(world.buyer))

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CONFIRMED
    assert (invoice.periods_version, invoice.grace_period_seconds, invoice.default_period_seconds) == (None, None, None)


def test_periods_changed_as_the_indexer_decodes_it_from_a_real_log():
    event_abi = next(entry for entry in platform_abi() if entry.get("name") == "PeriodsChanged")
    log = AttributeDict({
        "topics": [event_abi_to_log_topic(event_abi), bytes(12) + bytes.fromhex(GANACHE_ACCOUNT_0[2:])],
        "data": encode(["uint32", "uint32", "uint16"], [2 * 86_400, 10 * 86_400, 3]),
        "logIndex": 0, "transactionIndex": 0, "transactionHash": bytes(32), "address": "0x" + "5c" * 20,
        "blockHash": bytes(32), "blockNumber": 1,
    })
    decoded = get_event_data(Web3().codec, event_abi, log)

    _apply("PeriodsChanged", **indexer._jsonable(dict(decoded["args"])))

    assert LifecyclePeriods.objects.get(version=3).default_period_seconds == 10 * 86_400


# Pieces and financing


def test_piece_split_moves_the_amount_from_the_parent_to_the_new_piece(world):
    _apply("PieceSplit", fingerprint=world.invoice.fingerprint, parent=0, piece=1, to=_address(world.tier2),
           amount=300_000_000)

    parent, child = world.invoice.pieces.order_by("index")
    assert (parent.holder, parent.amount) == (world.supplier, 700_000_000)
    assert (child.index, child.parent_index, child.holder, child.amount) == (1, 0, world.tier2, 300_000_000)


def test_replayed_piece_split_reduces_the_parent_once(world):
    event = _apply("PieceSplit", fingerprint=world.invoice.fingerprint, parent=0, piece=1, to=_address(world.tier2),
                   amount=300_000_000)

    mirror.apply(event)

    assert list(world.invoice.pieces.order_by("index").values_list("amount", flat=True)) == [700_000_000, 300_000_000]


def test_financing_approval_hands_the_advance_to_the_lender_and_keeps_a_reserve_piece(world):
    request = FinancingRequestFactory(piece=world.piece, lender=world.lender)

    _apply("FinancingApproved", **_financing_approval(world, reserve_piece=1, advance=800_000_000))

    financed, reserve = world.invoice.pieces.order_by("index")
    assert (financed.holder, financed.amount, financed.financed) == (world.lender, 800_000_000, True)
    assert (reserve.index, reserve.parent_index) == (1, 0)
    assert (reserve.holder, reserve.amount, reserve.financed) == (world.supplier, 200_000_000, False)
    request.refresh_from_db()
    assert request.status == FinancingStatus.APPROVED
    assert (request.advance, request.discount, request.tenor_days, request.rating) == (800_000_000, 8_000_000, 50, 7)
    assert request.decided_at is not None


def test_financing_approval_of_the_whole_piece_keeps_no_reserve(world):
    _apply("FinancingApproved", **_financing_approval(world, reserve_piece=0, advance=1_000_000_000))

    [financed] = world.invoice.pieces.all()
    assert (financed.holder, financed.amount, financed.financed) == (world.lender, 1_000_000_000, True)


# Repayment


def test_partial_repayment_is_recorded_without_changing_the_status(world):
    _apply("ObligationRepaid", fingerprint=world.invoice.fingerprint, amount=400_000_000, totalRepaid=400_000_000)

    world.invoice.refresh_from_db()
    assert (world.invoice.repaid, world.invoice.status, world.invoice.repaid_at) == (
        400_000_000, InvoiceStatus.CONFIRMED, None
    )


def test_full_repayment_marks_the_invoice_repaid_and_when(world):
    before = timezone.now()

    _apply("ObligationRepaid", fingerprint=world.invoice.fingerprint, amount=1_000_000_000, totalRepaid=1_000_000_000)

    world.invoice.refresh_from_db()
    assert (world.invoice.repaid, world.invoice.status) == (1_000_000_000, InvoiceStatus.REPAID)
    assert before <= world.invoice.repaid_at <= timezone.now()


def test_event_the_mirror_does_not_handle_is_ignored(world):
    _apply("Paused", account=GANACHE_ACCOUNT_0)

    world.invoice.refresh_from_db()
    assert world.invoice.status == InvoiceStatus.CONFIRMED


# Replays: every handler, applied twice


def _state() -> dict:
    """The mirrored rows, without the bookkeeping `updated_at`."""

    def rows(model):
        return [{k: v for k, v in row.items() if k != "updated_at"} for row in model.objects.order_by("pk").values()]

    models = (Organisation, Invoice, Piece, FinancingRequest, Programme, LifecyclePeriods)
    return {model.__name__: rows(model) for model in models}


def _new_invoice(world, status):
    return InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=status)


def _approval_of_a_request(world) -> dict:
    FinancingRequestFactory(piece=world.piece, lender=world.lender)
    return _financing_approval(world)


def _rejection_of_a_request(world) -> dict:
    FinancingRequestFactory(piece=world.piece, lender=world.lender)
    over_limit = 2
    return {"fingerprint": world.invoice.fingerprint, "piece": 0, "lender": _address(world.lender),
            "holder": _address(world.supplier), "reason": over_limit}


def _written_off_piece(world) -> Piece:
    Invoice.objects.filter(pk=world.invoice.pk).update(status=InvoiceStatus.DEFAULTED)
    return PieceFactory(invoice=world.invoice, index=1, holder=world.lender, amount=800_000_000, financed=True)


# Each case builds what its event acts on and returns the event's args.
EVENTS = {
    "ParticipantRegistered": lambda w: {
        "account": _address(RegisteredOrganisationFactory(onchain_id=None)), "id": 900_077, "role": 1,
        "orgHash": "0x" + "33" * 32, "kycExpiresAt": IN_A_YEAR,
    },
    "KycRenewed": lambda w: {"account": _address(w.supplier), "kycExpiresAt": IN_A_YEAR + 86_400,
                             "admin": GANACHE_ACCOUNT_0},
    "RatingPosted": lambda w: {"supplier": _address(w.supplier), "rating": 7, "modelVersion": 1,
                               "oracle": GANACHE_ACCOUNT_0},
    "InvoiceRegistered": lambda w: _registration(w, _new_invoice(w, InvoiceStatus.SUBMITTED)),
    "PeriodsChanged": lambda w: {"gracePeriod": 2 * 86_400, "defaultPeriod": 10 * 86_400,
                                 "admin": GANACHE_ACCOUNT_0, "version": 2},
    "InvoiceConfirmed": lambda w: {"fingerprint": _new_invoice(w, InvoiceStatus.REGISTERED).fingerprint,
                                   "buyer": _address(w.buyer)},
    "InvoiceDisputed": lambda w: {"fingerprint": _new_invoice(w, InvoiceStatus.REGISTERED).fingerprint,
                                  "buyer": _address(w.buyer), "reasonHash": "0x" + "44" * 32},
    "ObligationOverdue": lambda w: {"fingerprint": w.invoice.fingerprint, "unpaid": w.invoice.amount},
    "RecourseRecorded": lambda w: {"fingerprint": w.invoice.fingerprint, "seller": _address(w.supplier),
                                   "unpaid": w.invoice.amount},
    "PieceSplit": lambda w: {"fingerprint": w.invoice.fingerprint, "parent": 0, "piece": 1,
                             "to": _address(w.tier2), "amount": 300_000_000},
    "PieceTransferred": lambda w: {"fingerprint": w.invoice.fingerprint, "piece": 0,
                                   "from": _address(w.supplier), "to": _address(w.tier2)},
    "FinancingApproved": _approval_of_a_request,
    "FinancingRejected": _rejection_of_a_request,
    "ObligationRepaid(partial)": lambda w: {"fingerprint": w.invoice.fingerprint, "amount": 400_000_000,
                                            "totalRepaid": 400_000_000},
    "ObligationRepaid(full)": lambda w: {"fingerprint": w.invoice.fingerprint, "amount": 1_000_000_000,
                                         "totalRepaid": 1_000_000_000},
    "PieceClaimed": lambda w: {"fingerprint": w.invoice.fingerprint, "piece": 0, "holder": _address(w.supplier),
                               "amount": 250_000_000},
    "PieceWrittenOff": lambda w: {"fingerprint": _written_off_piece(w).invoice.fingerprint, "piece": 1,
                                  "lender": _address(w.lender), "released": 800_000_000},
    "ProgrammeTermsSet": lambda w: {"lender": _address(w.lender), "coreFirm": _address(w.buyer), "currency": 1,
                                    "terms": {"limit": 10**10, "advanceRateBps": 8_000, "baseRateBps": 500,
                                              "maxTenorDays": 90, "ratingSpreadBps": 25, "minRating": 5,
                                              "maxRatingAgeDays": 180}},
    "ProgrammeFunded": lambda w: {"lender": _address(w.lender), "coreFirm": _address(w.buyer), "currency": 1,
                                  "amount": 10**9},
    "ProgrammeDefunded": lambda w: {"lender": _address(w.lender), "coreFirm": _address(w.buyer), "currency": 1,
                                    "amount": 10**9},
}
# A claim, a deposit and a withdrawal add their amount: the indexer's once-per-log rule (ChainEvent is unique per log and written
# in the same transaction) is what keeps it from counting twice, not the handler.
ADDITIVE = {"PieceClaimed", "ProgrammeFunded", "ProgrammeDefunded"}


def test_every_handled_event_has_a_replay_case():
    assert {case.split("(")[0] for case in EVENTS} == set(mirror.HANDLERS) | set(mirror.TIMED_HANDLERS)


@pytest.mark.parametrize("case", [case for case in EVENTS if case not in ADDITIVE])
def test_replayed_event_changes_nothing(world, case):
    event = ChainEventFactory(name=case.split("(")[0], args=EVENTS[case](world))
    before = _state()
    mirror.apply(event)
    after_first = _state()
    assert after_first != before, "the case should exercise its handler"

    mirror.apply(event)

    assert _state() == after_first


# Actions the chain refused


def _refused(key: str):
    return action_enqueue(signer=ChainAccountFactory(), function="anything", args=[], idempotency_key=key)


def test_refused_registration_marks_the_submitted_invoice_failed(world):
    invoice = _new_invoice(world, InvoiceStatus.SUBMITTED)
    bystander = _new_invoice(world, InvoiceStatus.SUBMITTED)

    mirror.actions_failed([_refused(f"invoice-register:{invoice.pk}").pk])

    invoice.refresh_from_db()
    bystander.refresh_from_db()
    assert (invoice.status, bystander.status) == (InvoiceStatus.FAILED, InvoiceStatus.SUBMITTED)


def test_refused_registration_of_an_invoice_the_chain_already_registered_changes_nothing(world):
    invoice = _new_invoice(world, InvoiceStatus.REGISTERED)

    mirror.actions_failed([_refused(f"invoice-register:{invoice.pk}").pk])

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REGISTERED


def test_refused_financing_request_is_marked_failed(world):
    request = FinancingRequestFactory(piece=world.piece, lender=world.lender)

    mirror.actions_failed([_refused(f"financing-request:{request.pk}").pk])

    request.refresh_from_db()
    assert request.status == FinancingStatus.FAILED


def test_refused_action_of_another_kind_changes_no_business_row(world):
    before = _state()

    mirror.actions_failed([_refused(f"participant-register:{world.supplier.pk}").pk, _refused("rating:1:1:x").pk])

    assert _state() == before
