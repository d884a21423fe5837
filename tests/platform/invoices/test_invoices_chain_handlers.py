"""invoices.chain_handlers: invoices registered, confirmed, disputed, overdue and defaulted, pieces
split, transferred and claimed, obligations repaid and lifecycle periods changed, as the indexer
reports them; applying one again changes nothing. And a registration the chain refused."""

import pytest
from django.utils import timezone
from eth_abi import encode
from eth_utils import event_abi_to_log_topic
from web3 import Web3
from web3._utils.events import get_event_data
from web3.datastructures import AttributeDict

from chain import indexer
from chain.handlers import event_apply
from chain.models import ActionPurpose
from chain_events import (
    a_world,
    address,
    apply_event,
    assert_replay_changes_nothing,
    mirrored_state,
    new_invoice,
    refused,
    registration_args,
)
from factories import GANACHE_ACCOUNT_0, ChainEventFactory, InvoiceFactory, platform_abi
from invoices import chain_handlers
from invoices.models import Invoice, InvoiceStatus, LifecyclePeriods, Piece

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return a_world()


def test_invoice_registered_creates_piece_zero_held_by_the_seller(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.SUBMITTED)

    apply_event("InvoiceRegistered", **registration_args(world, invoice))

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REGISTERED
    [piece] = invoice.pieces.all()
    assert (piece.index, piece.parent_index, piece.holder, piece.amount) == (0, None, world.supplier, invoice.amount)


def test_replayed_invoice_registered_creates_piece_zero_once(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.SUBMITTED)
    event = apply_event("InvoiceRegistered", **registration_args(world, invoice))

    event_apply(event)

    assert invoice.pieces.count() == 1


def test_invoice_marked_failed_becomes_registered_when_the_chain_registered_it(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.FAILED)

    apply_event("InvoiceRegistered", **registration_args(world, invoice))

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REGISTERED


def test_invoice_the_platform_does_not_know_stays_in_chain_events_only(world):
    stranger = InvoiceFactory.build(seller=world.supplier, buyer=world.buyer)

    apply_event("InvoiceRegistered", **registration_args(world, stranger))

    assert not Invoice.objects.filter(fingerprint=stranger.fingerprint).exists()
    assert Piece.objects.count() == 1


def test_confirmation_applies_only_to_a_registered_invoice(world):
    registered = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.REGISTERED)
    disputed = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.DISPUTED)

    for invoice in (registered, disputed):
        apply_event("InvoiceConfirmed", fingerprint=invoice.fingerprint, buyer=address(world.buyer))

    registered.refresh_from_db()
    disputed.refresh_from_db()
    assert (registered.status, disputed.status) == (InvoiceStatus.CONFIRMED, InvoiceStatus.DISPUTED)


# Lifecycle periods


def test_periods_changed_keeps_each_version():
    apply_event("PeriodsChanged", gracePeriod=5 * 86_400, defaultPeriod=30 * 86_400, admin=GANACHE_ACCOUNT_0, version=1)
    apply_event("PeriodsChanged", gracePeriod=2 * 86_400, defaultPeriod=10 * 86_400, admin=GANACHE_ACCOUNT_0, version=2)

    assert list(LifecyclePeriods.objects.values_list("version", "grace_period_seconds", "default_period_seconds")) == [
        (2, 2 * 86_400, 10 * 86_400), (1, 5 * 86_400, 30 * 86_400),
    ]


def test_confirmation_stamps_the_periods_in_force_on_the_obligation(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.REGISTERED)
    apply_event("PeriodsChanged", gracePeriod=5 * 86_400, defaultPeriod=30 * 86_400, admin=GANACHE_ACCOUNT_0, version=1)
    apply_event("PeriodsChanged", gracePeriod=2 * 86_400, defaultPeriod=10 * 86_400, admin=GANACHE_ACCOUNT_0, version=2)

    apply_event("InvoiceConfirmed", fingerprint=invoice.fingerprint, buyer=address(world.buyer))

    invoice.refresh_from_db()
    assert (invoice.periods_version, invoice.grace_period_seconds, invoice.default_period_seconds) == (
        2, 2 * 86_400, 10 * 86_400
    )


def test_later_periods_leave_a_confirmed_obligation_its_own(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.REGISTERED)
    apply_event("PeriodsChanged", gracePeriod=5 * 86_400, defaultPeriod=30 * 86_400, admin=GANACHE_ACCOUNT_0, version=1)
    apply_event("InvoiceConfirmed", fingerprint=invoice.fingerprint, buyer=address(world.buyer))

    apply_event("PeriodsChanged", gracePeriod=2 * 86_400, defaultPeriod=10 * 86_400, admin=GANACHE_ACCOUNT_0, version=2)

    invoice.refresh_from_db()
    assert (invoice.periods_version, invoice.grace_period_seconds) == (1, 5 * 86_400)


def test_confirmation_before_any_periods_were_mirrored_stamps_none(world):
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=InvoiceStatus.REGISTERED)

    apply_event("InvoiceConfirmed", fingerprint=invoice.fingerprint, buyer=address(world.buyer))

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

    apply_event("PeriodsChanged", **indexer._jsonable(dict(decoded["args"])))

    assert LifecyclePeriods.objects.get(version=3).default_period_seconds == 10 * 86_400


# Pieces and financing


def test_piece_split_moves_the_amount_from_the_parent_to_the_new_piece(world):
    apply_event("PieceSplit", fingerprint=world.invoice.fingerprint, parent=0, piece=1, to=address(world.tier2),
           amount=300_000_000)

    parent, child = world.invoice.pieces.order_by("index")
    assert (parent.holder, parent.amount) == (world.supplier, 700_000_000)
    assert (child.index, child.parent_index, child.holder, child.amount) == (1, 0, world.tier2, 300_000_000)


def test_replayed_piece_split_reduces_the_parent_once(world):
    event = apply_event("PieceSplit", fingerprint=world.invoice.fingerprint, parent=0, piece=1, to=address(world.tier2),
                   amount=300_000_000)

    event_apply(event)

    assert list(world.invoice.pieces.order_by("index").values_list("amount", flat=True)) == [700_000_000, 300_000_000]




def test_partial_repayment_is_recorded_without_changing_the_status(world):
    apply_event("ObligationRepaid", fingerprint=world.invoice.fingerprint, amount=400_000_000, totalRepaid=400_000_000)

    world.invoice.refresh_from_db()
    assert (world.invoice.repaid, world.invoice.status, world.invoice.repaid_at) == (
        400_000_000, InvoiceStatus.CONFIRMED, None
    )


def test_full_repayment_marks_the_invoice_repaid_and_when(world):
    before = timezone.now()

    apply_event("ObligationRepaid", fingerprint=world.invoice.fingerprint, amount=1_000_000_000, totalRepaid=1_000_000_000)

    world.invoice.refresh_from_db()
    assert (world.invoice.repaid, world.invoice.status) == (1_000_000_000, InvoiceStatus.REPAID)
    assert before <= world.invoice.repaid_at <= timezone.now()


def test_event_the_mirror_does_not_handle_is_ignored(world):
    apply_event("Paused", account=GANACHE_ACCOUNT_0)

    world.invoice.refresh_from_db()
    assert world.invoice.status == InvoiceStatus.CONFIRMED



# Replays


EVENTS = {
    "InvoiceRegistered": lambda w: registration_args(w, new_invoice(w, InvoiceStatus.SUBMITTED)),
    "PeriodsChanged": lambda w: {"gracePeriod": 2 * 86_400, "defaultPeriod": 10 * 86_400,
                                 "admin": GANACHE_ACCOUNT_0, "version": 2},
    "InvoiceConfirmed": lambda w: {"fingerprint": new_invoice(w, InvoiceStatus.REGISTERED).fingerprint,
                                   "buyer": address(w.buyer)},
    "InvoiceDisputed": lambda w: {"fingerprint": new_invoice(w, InvoiceStatus.REGISTERED).fingerprint,
                                  "buyer": address(w.buyer), "reasonHash": "0x" + "44" * 32},
    "ObligationOverdue": lambda w: {"fingerprint": w.invoice.fingerprint, "unpaid": w.invoice.amount},
    "RecourseRecorded": lambda w: {"fingerprint": w.invoice.fingerprint, "seller": address(w.supplier),
                                   "unpaid": w.invoice.amount},
    "PieceSplit": lambda w: {"fingerprint": w.invoice.fingerprint, "parent": 0, "piece": 1,
                             "to": address(w.tier2), "amount": 300_000_000},
    "PieceTransferred": lambda w: {"fingerprint": w.invoice.fingerprint, "piece": 0,
                                   "from": address(w.supplier), "to": address(w.tier2)},
    "ObligationRepaid(partial)": lambda w: {"fingerprint": w.invoice.fingerprint, "amount": 400_000_000,
                                            "totalRepaid": 400_000_000},
    "ObligationRepaid(full)": lambda w: {"fingerprint": w.invoice.fingerprint, "amount": 1_000_000_000,
                                         "totalRepaid": 1_000_000_000},
    "PieceClaimed": lambda w: {"fingerprint": w.invoice.fingerprint, "piece": 0, "holder": address(w.supplier),
                               "amount": 250_000_000},
}
# A claim adds its amount: the indexer's once-per-log rule (ChainEvent is unique per log and written in the
# same transaction) is what keeps it from counting twice, not the handler.
ADDITIVE = {"PieceClaimed"}


def test_every_handled_event_has_a_replay_case():
    assert {case.split("(")[0] for case in EVENTS} == set(chain_handlers.EVENT_HANDLERS)


@pytest.mark.parametrize("case", [case for case in EVENTS if case not in ADDITIVE])
def test_replayed_event_changes_nothing(world, case):
    assert_replay_changes_nothing(ChainEventFactory(name=case.split("(")[0], args=EVENTS[case](world)))


# Registrations the chain refused


def test_refused_registration_marks_the_submitted_invoice_failed(world):
    invoice = new_invoice(world, InvoiceStatus.SUBMITTED)
    bystander = new_invoice(world, InvoiceStatus.SUBMITTED)

    refused(ActionPurpose.INVOICE_REGISTER, invoice)

    invoice.refresh_from_db()
    bystander.refresh_from_db()
    assert (invoice.status, bystander.status) == (InvoiceStatus.FAILED, InvoiceStatus.SUBMITTED)


def test_refused_registration_of_an_invoice_the_chain_already_registered_changes_nothing(world):
    invoice = new_invoice(world, InvoiceStatus.REGISTERED)

    refused(ActionPurpose.INVOICE_REGISTER, invoice)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REGISTERED


def test_refused_action_of_another_purpose_changes_no_business_row(world):
    before = mirrored_state()

    refused(ActionPurpose.PARTICIPANT_REGISTER, world.supplier)
    refused(ActionPurpose.INVOICE_CONFIRM, world.invoice)

    assert mirrored_state() == before
