"""chain.halt: while the indexer is halted, on-chain actions are paused. New actions are refused
(and the caller's transaction stores nothing), the outbox's sender and reconciler send nothing
and never ask the node, and the halt is said in words with both heads. The chain here is a port
where nothing listens: a sender that tried to send would fail loudly."""

import logging

import pytest
from celery import current_app
from django.db import transaction
from requests.exceptions import ConnectionError as RpcConnectionError

from chain import halt, reconciler, sender
from chain.halt import ChainPaused, chain_halt, chain_halt_forget
from chain.models import (
    ActionPurpose, ActionStatus, ChainAction, ChainTransaction, HaltCause, IndexerState, TransactionAttempt,
    TransactionStatus,
)
from chain.services import action_enqueue, action_enqueue_next
from factories import ChainAccountFactory, ChainActionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

REPLACED = ("Chain replaced: expected chain 1337 genesis 0xaa, found chain 1337 genesis 0xbb "
            "(head block 5; block 63 was indexed).")


@pytest.fixture(autouse=True)
def _nothing_listens(settings, monkeypatch):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # the discard port: any call to the node fails
    monkeypatch.setattr(sender, "_pause_logged", None)
    chain_halt_forget()
    yield
    chain_halt_forget()


def _indexed(**halted) -> IndexerState:
    return IndexerState.objects.create(
        chain_id=1337, genesis_hash="0xaa", contract_address="0x" + "5c" * 20, last_block=63,
        last_block_hash="0x" + "63" * 32, **halted,
    )


@pytest.fixture
def replaced():
    return _indexed(halted_reason=REPLACED, halted_cause=HaltCause.REPLACED, halted_head=5)


def test_an_indexer_running_pauses_nothing():
    _indexed()

    assert chain_halt() is None


def test_a_replaced_chain_is_explained_with_both_heads(replaced):
    found = chain_halt()

    assert (found.cause, found.indexed_block, found.head, found.reason) == (HaltCause.REPLACED, 63, 5, REPLACED)
    assert found.explanation == "The chain was replaced: its head is block 5, the mirror had indexed block 63."


def test_a_deep_reorganisation_is_explained_with_the_depth(settings):
    settings.CHAIN_CONFIRMATIONS = 3
    _indexed(halted_reason="Reorganisation deeper than 3 blocks", halted_cause=HaltCause.REORGANISED, halted_head=70)

    assert chain_halt().explanation == (
        "A reorganisation deeper than 3 blocks replaced block 63, which the mirror had indexed."
    )


def test_the_halt_is_remembered_for_the_cache_time(settings):
    settings.CHAIN_HALTED_CACHE_SECONDS = 60
    state = _indexed()
    assert chain_halt() is None

    IndexerState.objects.filter(pk=state.pk).update(halted_reason=REPLACED, halted_cause=HaltCause.REPLACED)

    assert chain_halt() is None, "asked again within the cache time: the database is not asked"
    chain_halt_forget()
    assert chain_halt() is not None


def _register(subject, signer):
    return action_enqueue(
        purpose=ActionPurpose.PARTICIPANT_REGISTER, subject=subject, signer=signer, function="registerParticipant",
        args=[1, 2],
    )


def test_a_new_action_is_refused_while_halted_and_its_transaction_stores_nothing(replaced):
    signer = ChainAccountFactory(label="operator")

    with pytest.raises(ChainPaused) as refusal:
        with transaction.atomic():
            subject = ChainAccountFactory()
            _register(subject, signer)

    assert refusal.value.code == "chain_paused"
    assert "On-chain actions are paused" in refusal.value.messages[0]
    assert not ChainAction.objects.exists()
    assert not type(signer).objects.exclude(pk=signer.pk).exists(), "the business row rolled back with it"


def test_one_more_action_of_a_kind_is_refused_while_halted(replaced):
    signer = ChainAccountFactory(label="operator")

    with pytest.raises(ChainPaused):
        action_enqueue_next(
            purpose=ActionPurpose.TOKEN_MINT, subject=signer, signer=signer, function="mint", args=[1],
            request_key="mint-1",
        )
    assert not ChainAction.objects.exists()


def test_the_sender_sends_nothing_while_halted_and_says_so_once(replaced, caplog):
    queued = ChainActionFactory(signer=ChainAccountFactory(label="operator"), function="transfer",
                                to_address="0x" + "11" * 20, value_wei=1)

    with caplog.at_level(logging.ERROR, logger="chain.sender"):
        assert sender.action_send(queued.pk) is None
        assert sender.action_send(queued.pk) is None

    queued.refresh_from_db()
    assert (queued.status, queued.transaction) == (ActionStatus.QUEUED, None)
    paused = [record for record in caplog.records if "OUTBOX PAUSED" in record.message]
    assert len(paused) == 1 and REPLACED in paused[0].message


def test_the_reconciler_sends_and_queues_nothing_while_halted(replaced, settings, monkeypatch):
    settings.CHAIN_LOST_TASK_AFTER_SECONDS = 0
    ChainActionFactory(signer=ChainAccountFactory(label="operator"), function="transfer",
                       to_address="0x" + "11" * 20, value_wei=1)
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args=None, **kw: sent.append((name, args)))

    assert reconciler.transactions_reconcile() == {"paused": 1}
    assert sent == []


def test_the_sender_asks_the_database_fresh_not_the_pages_cache(settings):
    settings.CHAIN_HALTED_CACHE_SECONDS = 60
    state = _indexed()
    assert chain_halt() is None  # a page asked: remembered as not halted

    IndexerState.objects.filter(pk=state.pk).update(halted_reason=REPLACED, halted_cause=HaltCause.REPLACED)

    assert halt.chain_halt_now() is not None
    assert sender.outbox_paused() is True



def _sent_transaction() -> ChainTransaction:
    tx = ChainTransaction.objects.create(signer=ChainAccountFactory(label="operator"), nonce=0, to_address="0x" + "11" * 20,
                                         data="0x", gas=21_000, status=TransactionStatus.SENT)
    TransactionAttempt.objects.create(transaction=tx, tx_hash="0x" + "ab" * 32, raw=b"\x02", max_fee_per_gas=3 * 10**9,
                                      max_priority_fee_per_gas=10**9)
    return tx


def test_no_receipt_is_looked_for_while_halted(replaced):
    sent = _sent_transaction()

    assert sender.receipts_collect() == 0  # the node behind the discard port was not asked

    sent.refresh_from_db()
    assert sent.status == TransactionStatus.SENT


def test_receipts_are_looked_for_while_the_indexer_runs():
    _sent_transaction()

    with pytest.raises(RpcConnectionError):
        sender.receipts_collect()  # it asks the node: here, the discard port, which refuses
