"""Fault tests: 200 actions in flight, then a fault. Each must end with every action confirmed on
chain exactly once and every database row matching the chain. And the one fault that must end
with nothing sent at all: the chain replaced under a running platform.

The actions are plain value transfers from the operator to 200 fresh addresses, each with its own
amount: a transfer sent twice would show as a doubled balance, which no contract check hides."""

import os
import re
import shutil
import time

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from eth_account import Account

from chain import accounts, client, reconciler, sender
from chain.halt import ChainPaused
from organisations.bootstrap import platform_bootstrap
from chain.models import ActionPurpose, ActionStatus, ChainAction, ChainTransaction, HaltCause, IndexerState, TransactionStatus
from chain.services import action_enqueue_next
from organisations.models import Role
from factories import RegisteredOrganisationFactory, UserFactory
from signin import verified

from localnet import Redis, deploy, wait_until

IN_FLIGHT = 200
BASE_WEI = 10**15
KEY = "fault-transfer:"  # the request key of each transfer: KEY and its number

pytestmark = pytest.mark.faults


def queue_transfers(count: int = IN_FLIGHT) -> dict[str, int]:
    """Queues `count` transfers in one database transaction; returns recipient -> amount."""
    operator = platform_bootstrap()
    expected = {}
    with transaction.atomic():
        for n in range(count):
            recipient = Account.create().address
            expected[recipient] = BASE_WEI + n
            action_enqueue_next(
                purpose=ActionPurpose.GAS_FUNDING, subject=operator, request_key=f"{KEY}{n}",
                signer=operator, function="transfer", args=[], to_address=recipient, value_wei=BASE_WEI + n,
            )
    return expected


def fault_transfers():
    """The transfers queue_transfers queued (not the bootstrap's gas money for the risk oracle)."""
    return ChainAction.objects.filter(purpose=ActionPurpose.GAS_FUNDING, request_key__startswith=KEY)


def confirmed_count() -> int:
    return fault_transfers().filter(status=ActionStatus.CONFIRMED).count()


def outbox_summary() -> str:
    """What the outbox holds, for a failure message."""
    actions = ChainAction.objects.values_list("status").annotate(n=Count("pk"))
    transactions = ChainTransaction.objects.values_list("status").annotate(n=Count("pk"))
    operator = accounts.operator_account()
    unfinished = [
        (tx.nonce, tx.status, [(a.status, a.broadcast_at is not None) for a in tx.attempts.all()])
        for tx in ChainTransaction.objects.filter(signer=operator).exclude(status=TransactionStatus.CONFIRMED)
    ]
    chain_nonce = client.web3().eth.get_transaction_count(operator.address)
    return (f"actions {dict(actions)}, transactions {dict(transactions)}; operator nonce on chain {chain_nonce}, "
            f"in the database {operator.next_nonce}; unfinished {unfinished}")


def wait_all_confirmed(count: int = IN_FLIGHT, timeout: float = 180) -> None:
    try:
        wait_until(lambda: confirmed_count() == count, timeout, interval=0.5, message=f"{count} confirmed transfers")
    except AssertionError as timeout_error:
        raise AssertionError(f"{timeout_error}; {outbox_summary()}") from None


def assert_exactly_once_and_mirrored(expected: dict[str, int]) -> None:
    w3 = client.web3()
    for recipient, amount in expected.items():
        action = ChainAction.objects.select_related("transaction").get(to_address=recipient)
        assert w3.eth.get_balance(recipient) == amount, (
            f"{recipient} received a transfer other than once: action {action.status}, tx "
            f"{action.transaction and (action.transaction.nonce, action.transaction.status, action.transaction.tx_hash)}"
        )
    operator = accounts.operator_account()
    sent = ChainTransaction.objects.filter(signer=operator, actions__in=fault_transfers()).distinct()
    assert sent.count() == len(expected)
    for tx in sent:
        assert tx.status == TransactionStatus.CONFIRMED
        receipt = w3.eth.get_transaction_receipt(tx.tx_hash)
        assert receipt["status"] == 1
        assert (receipt["blockNumber"], "0x" + bytes(receipt["blockHash"]).hex()) == (tx.block_number, tx.block_hash)
        onchain = w3.eth.get_transaction(tx.tx_hash)
        assert onchain["nonce"] == tx.nonce and onchain["to"] == tx.actions.get().to_address
    nonces = sorted(ChainTransaction.objects.filter(signer=operator).exclude(
        status=TransactionStatus.DROPPED).values_list("nonce", flat=True))
    assert nonces == list(range(nonces[0], nonces[0] + len(nonces))), "nonces must be unique and gap-free"
    assert w3.eth.get_transaction_count(operator.address) == nonces[-1] + 1


def test_worker_killed_between_send_and_record(platform):
    platform.worker(concurrency=2, CHAIN_FAILPOINT="after-broadcast:0.1")
    expected = queue_transfers()

    wait_all_confirmed()

    assert_exactly_once_and_mirrored(expected)
    killed = (platform.log_dir / "w1.log").read_text().count("WorkerLostError")
    assert killed > 0, "the failpoint never fired: the test proved nothing"


def test_whole_worker_killed_mid_pipeline_and_replaced(platform):
    first = platform.worker(concurrency=2)
    expected = queue_transfers()
    wait_until(lambda: confirmed_count() >= 40, 60, message="some progress before the kill")

    first.kill()
    platform.worker(concurrency=2, CHAIN_LOST_TASK_AFTER_SECONDS="3")

    wait_all_confirmed()
    assert_exactly_once_and_mirrored(expected)


def test_chain_stopped_and_restarted_mid_pipeline(platform):
    platform.worker(concurrency=2, CHAIN_LOST_TASK_AFTER_SECONDS="3")
    expected = queue_transfers()
    wait_until(lambda: confirmed_count() >= 40, 60, message="some progress before the chain stops")

    platform.node.stop()
    time.sleep(3)
    platform.node.start()

    wait_all_confirmed()
    assert_exactly_once_and_mirrored(expected)


def use_broker(app, url: str) -> None:
    """Points the Celery app at another broker. Its pools come from kombu's registry, keyed by
    broker: forget the cached ones (closing them would close the registry's)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_broker():
    """A redis-server of the test's own, which it may restart, with this process's Celery app
    pointed at it (and back afterwards)."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: the broker restart needs a broker that can restart")
    from config.celery import app

    redis = Redis(int(os.environ.get("PRIVATE_REDIS_PORT", "6391")))  # another for the run beside
    redis.start()
    previous = app.conf.broker_url
    use_broker(app, redis.url)
    try:
        yield redis
    finally:
        use_broker(app, previous)
        redis.stop()


def test_broker_restarted_mid_pipeline(platform, private_broker):
    platform.worker(concurrency=2, CELERY_BROKER_URL=private_broker.url, CHAIN_LOST_TASK_AFTER_SECONDS="3")
    expected = queue_transfers()
    wait_until(lambda: confirmed_count() >= 40, 60, message="some progress before the broker restarts")

    private_broker.stop()  # no persistence: every queued and unacknowledged message is gone
    time.sleep(3)
    private_broker.start()

    wait_all_confirmed()
    assert_exactly_once_and_mirrored(expected)


def test_two_workers_racing_on_one_signer(platform):
    platform.worker(concurrency=2, beat=True)
    platform.worker(concurrency=2, beat=False)
    expected = queue_transfers()

    wait_all_confirmed()

    assert_exactly_once_and_mirrored(expected)


def _transfer(operator, key: str, recipient: str):
    with transaction.atomic():
        return action_enqueue_next(
            purpose=ActionPurpose.GAS_FUNDING, subject=operator, request_key=key, signer=operator,
            function="transfer", args=[], to_address=recipient, value_wei=BASE_WEI,
        )


def test_chain_replaced_under_a_running_platform_pauses_every_on_chain_action(platform, settings):
    platform.worker(concurrency=2)
    operator = platform_bootstrap()
    wait_until(lambda: not ChainAction.objects.exclude(status=ActionStatus.CONFIRMED).exists(), 60,
               message="the bootstrap's actions confirmed")
    indexed = wait_until(lambda: IndexerState.objects.exclude(last_block_hash="").first(), 30, message="indexing")
    sent_before = ChainTransaction.objects.count()

    platform.node.stop()
    waiting_recipient = Account.create().address
    waiting = _transfer(operator, "queued-before-the-wipe", waiting_recipient)  # its send fails: no chain
    platform.node.wipe()
    platform.node.start()  # a new chain on the same port, with the same accounts
    deploy(platform.node.manifest, network=platform.node.network)  # make run's redeploy: the same address on the new chain

    halted = wait_until(lambda: IndexerState.objects.exclude(halted_reason="").first(), 30, message="the halt")
    assert halted.halted_cause == HaltCause.REPLACED and halted.last_block == indexed.last_block
    assert sender.action_send(waiting.pk) is None, "asked to send it now, as a retry would: nothing goes out"
    assert reconciler.transactions_reconcile() == {"paused": 1}
    time.sleep(3)  # the worker's retries of the waiting transfer and its reconciler had their turns too
    assert ChainAction.objects.get(pk=waiting.pk).status == ActionStatus.QUEUED
    assert ChainTransaction.objects.count() == sent_before, "nothing is signed or sent to the new chain"
    assert client.web3().eth.get_balance(waiting_recipient) == 0
    with pytest.raises(ChainPaused):
        _transfer(operator, "queued-after-the-halt", Account.create().address)
    assert not ChainAction.objects.filter(request_key="queued-after-the-halt").exists()
    set_aside = list(platform.node.manifest.parent.glob("1337.replaced-*.json"))
    assert set_aside, "the replaced chain's manifest was kept aside, not overwritten"

    settings.HEALTH_MONITORING_TOKEN = "monitor"
    # On anvil blocks keep coming: the head shown lies between the heads read before and after.
    head_before = client.web3().eth.block_number
    report = Client().get("/healthz", HTTP_AUTHORIZATION="Bearer monitor").json()
    head = client.web3().eth.block_number
    assert head_before <= report["checks"]["indexer"]["chain_head"] <= head < indexed.last_block
    assert report["checks"]["indexer"]["problem"] == (
        f"The chain was replaced: its head is block {halted.halted_head}, the mirror had indexed block "
        f"{indexed.last_block}."
    )
    assert report["checks"]["indexer"]["lag_blocks"] is None and report["checks"]["outbox"]["paused"] is True

    admin = verified(Client(), UserFactory(organisation=RegisteredOrganisationFactory(role=Role.ADMIN)))
    page = admin.get(reverse("portal:operator:chain")).content.decode()
    shown = re.search(r'data-testid="chain-head">(\d+)<', page)
    assert shown and head <= int(shown[1]) <= client.web3().eth.block_number, "the page shows the chain's head"
    assert f'data-testid="indexer-block">{indexed.last_block}<' in page
    assert 'data-testid="mirror-problem"' in page and "The chain was replaced" in page
    assert 'data-testid="chain-paused"' in admin.get(reverse("portal:operator:dashboard")).content.decode()
