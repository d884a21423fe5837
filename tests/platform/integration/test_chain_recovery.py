"""The chain misbehaving: a transaction stuck in the pool, a reorganisation deeper than the
confirmation depth, a chain replaced under the platform's feet."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from eth_account import Account

from chain import client, health, indexer, keys
from organisations.bootstrap import platform_bootstrap
from chain.models import (
    ActionPurpose, ActionStatus, AttemptStatus, ChainAction, ChainTransaction, HaltCause, IndexerState,
    TransactionStatus,
)
from chain.sender import FEE_BUMP
from chain.services import action_enqueue_next

from localnet import Ganache, rpc, wait_until
from world import wait_for_actions

VALUE = 123_456_789


def test_stuck_transaction_is_resent_with_a_higher_fee_and_the_same_nonce(platform):
    platform.worker(concurrency=2, CHAIN_STUCK_AFTER_SECONDS="2")
    operator = platform_bootstrap()
    wait_for_actions()
    recipient = Account.create().address

    rpc(platform.url, "miner_stop")
    try:
        with transaction.atomic():
            action = action_enqueue_next(
                purpose=ActionPurpose.GAS_FUNDING, subject=operator, request_key="stuck-transfer", signer=operator,
                function="transfer", args=[], to_address=recipient, value_wei=VALUE,
            )
        wait_until(lambda: ChainAction.objects.get(pk=action.pk).transaction_id
                   and ChainAction.objects.get(pk=action.pk).transaction.attempts.count() >= 2,
                   40, message="a replacement of the stuck transaction")
    finally:
        rpc(platform.url, "miner_start")

    wait_until(lambda: ChainAction.objects.get(pk=action.pk).status == ActionStatus.CONFIRMED, 40, message="confirmation")
    tx = ChainAction.objects.get(pk=action.pk).transaction
    attempts = list(tx.attempts.order_by("pk"))
    fees = [int(attempt.max_fee_per_gas) for attempt in attempts]
    assert all(later >= earlier * FEE_BUMP for earlier, later in zip(fees, fees[1:]))
    assert [attempt.status for attempt in attempts].count(AttemptStatus.MINED) == 1
    mined = next(attempt for attempt in attempts if attempt.status == AttemptStatus.MINED)
    assert mined.tx_hash == tx.tx_hash
    w3 = client.web3()
    assert w3.eth.get_transaction(tx.tx_hash)["nonce"] == tx.nonce
    assert w3.eth.get_balance(recipient) == VALUE, "the transfer happened other than once"


def test_reorganisation_deeper_than_the_confirmation_depth_halts_the_indexer(platform):
    snapshot = rpc(platform.url, "evm_snapshot")
    for _ in range(3):
        rpc(platform.url, "evm_mine")
    indexer.chain_index()
    indexed = IndexerState.objects.get()

    rpc(platform.url, "evm_revert", [snapshot])
    rpc(platform.url, "evm_increaseTime", [60])  # the new branch's blocks differ from the old ones
    for _ in range(4):
        rpc(platform.url, "evm_mine")

    with pytest.raises(indexer.ChainDiverged, match="Reorganisation deeper than 1 blocks"):
        indexer.chain_index()
    halted = IndexerState.objects.get()
    assert halted.last_block == indexed.last_block and halted.halted_reason
    assert halted.halted_cause == HaltCause.REORGANISED
    said = health.health_report()["checks"]["indexer"]
    assert said["problem"] == (
        f"A reorganisation deeper than 1 blocks replaced block {indexed.last_block}, which the mirror had indexed."
    )
    assert said["chain_head"] == client.web3().eth.block_number
    with pytest.raises(indexer.ChainDiverged):
        indexer.chain_index()  # it stays halted until someone looks


def test_a_replaced_chain_halts_the_indexer(platform, settings, tmp_path):
    indexer.chain_index()
    other = Ganache(8548, tmp_path / "other-chain")
    other.start()
    try:
        settings.CHAIN_RPC_URL = other.url
        with pytest.raises(indexer.ChainDiverged, match="Chain replaced"):
            indexer.chain_index()
    finally:
        other.stop()
    assert "Chain replaced" in IndexerState.objects.get().halted_reason


def test_nonce_taken_outside_the_platform_drops_the_transaction_and_resends_the_action(platform):
    platform.worker(concurrency=2, CHAIN_STUCK_AFTER_SECONDS="2")
    operator = platform_bootstrap()
    wait_for_actions()
    operator.refresh_from_db()
    w3 = client.web3()
    outside = keys.unlock(operator.encrypted_key).sign_transaction({
        "type": 2, "chainId": w3.eth.chain_id, "nonce": operator.next_nonce, "to": operator.address, "value": 0,
        "gas": 21_000, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9,
    })
    w3.eth.send_raw_transaction(outside.raw_transaction)  # the operator's key, used elsewhere
    recipient = Account.create().address

    with transaction.atomic():
        action = action_enqueue_next(
            purpose=ActionPurpose.GAS_FUNDING, subject=operator, request_key="transfer-after-outside-use",
            signer=operator, function="transfer", args=[], to_address=recipient, value_wei=VALUE,
        )

    wait_until(lambda: ChainAction.objects.get(pk=action.pk).status == ActionStatus.CONFIRMED, 60, message="confirmation")
    dropped = ChainTransaction.objects.get(signer=operator, nonce=operator.next_nonce)
    assert dropped.status == TransactionStatus.DROPPED
    assert ChainAction.objects.get(pk=action.pk).transaction.nonce > operator.next_nonce
    assert w3.eth.get_balance(recipient) == VALUE


def _mirror_check() -> tuple[int, str]:
    """`manage.py chain_mirror_check` as make run calls it: its exit status and what it says."""
    out = io.StringIO()
    try:
        call_command("chain_mirror_check", stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_the_mirror_check_refuses_another_chain_and_names_the_two_ways_out(platform, settings, tmp_path):
    assert _mirror_check()[0] == 0, "a database that mirrors nothing yet mirrors no other chain"
    indexer.chain_index()
    indexed = IndexerState.objects.get()
    assert _mirror_check() == (0, f"The database mirrors the chain at {platform.url} (or nothing yet).\n")

    other = Ganache(8548, tmp_path / "other-chain")
    other.start()
    try:
        settings.CHAIN_RPC_URL = other.url
        status, said = _mirror_check()
    finally:
        other.stop()

    assert status == 1
    assert f"The database mirrors another chain than the one at {other.url}:" in said
    assert f"indexed up to block {indexed.last_block}" in said and "another chain" in said
    assert "make reset" in said and "Point CHAIN_RPC_URL at the chain the database mirrors" in said
    assert "Nothing was deployed." in said


def test_pointed_back_at_the_mirrored_chain_the_halted_indexer_resumes(platform, settings, tmp_path):
    indexer.chain_index()
    other = Ganache(8548, tmp_path / "other-chain")
    other.start()
    try:
        settings.CHAIN_RPC_URL = other.url
        with pytest.raises(indexer.ChainDiverged):
            indexer.chain_index()
    finally:
        other.stop()
    assert IndexerState.objects.get().halted_cause == HaltCause.REPLACED

    settings.CHAIN_RPC_URL = platform.url
    status, said = _mirror_check()

    assert status == 0 and "resumed" in said
    resumed = IndexerState.objects.get()
    assert (resumed.halted_reason, resumed.halted_cause, resumed.halted_head) == ("", "", None)
    indexer.chain_index()  # indexes again
