"""A production chain's conditions, on anvil mining a block every 2 s: its tip reorganised under a
running indexer and sender, and its base fee rising while a transaction waits. Each ends with every
action on chain exactly once and the database mirroring only the canonical chain.

Ganache cannot reorganise or move its fees, so these run with CHAIN_ENGINE=anvil only."""

import time

import pytest

from chain import client
from chain.models import ActionStatus, AttemptStatus, ChainAction, ChainEvent, ChainTransaction, IndexerState
from invoices.models import Invoice, InvoiceStatus
from organisations.models import Role

from localnet import rpc, wait_until
from test_faults import assert_exactly_once_and_mirrored, queue_transfers, wait_all_confirmed
from world import onboard, operator_admin, wait_for_actions, wait_for_registration
from test_invoice_pipeline import submit

pytestmark = pytest.mark.interval_mining

CONFIRMATIONS = 4
GWEI = 10**9


def _hex(value) -> str:
    return "0x" + bytes(value).hex()


def _parties(platform, settings, confirmations: int):
    settings.CHAIN_CONFIRMATIONS = confirmations
    platform.worker(CHAIN_CONFIRMATIONS=str(confirmations))
    admin = operator_admin()
    supplier, supplier_user = onboard(admin, "reorg-supplier", Role.SUPPLIER)
    buyer, _ = onboard(admin, "reorg-buyer", Role.CORE_FIRM)
    wait_for_registration(supplier, buyer, timeout=90)
    supplier.refresh_from_db()
    buyer.refresh_from_db()
    return supplier_user, buyer


def _mined_block(tx_hashes: list[str]) -> int | None:
    """The block holding any of the transactions, straight from the node."""
    w3 = client.web3()
    for tx_hash in tx_hashes:
        try:
            return w3.eth.get_transaction_receipt(tx_hash)["blockNumber"]
        except Exception:  # noqa: BLE001 - not mined yet
            continue
    return None


def _registration_hashes() -> list[str]:
    return list(ChainAction.objects.filter(function="registerInvoice", transaction__isnull=False)
                .values_list("transaction__attempts__tx_hash", flat=True))


def _assert_mirror_is_canonical() -> None:
    w3 = client.web3()
    for event in ChainEvent.objects.all():
        canonical = _hex(w3.eth.get_block(event.block_number)["hash"])
        assert event.block_hash == canonical, f"{event.name} of block {event.block_number} is from a replaced block"
    for tx in ChainTransaction.objects.filter(block_number__isnull=False):
        assert tx.block_hash == _hex(w3.eth.get_block(tx.block_number)["hash"]), f"tx {tx.nonce} in a replaced block"


def test_a_reorg_shallower_than_the_confirmation_depth_leaves_no_trace_and_each_action_lands_once(platform, settings):
    supplier_user, buyer = _parties(platform, settings, CONFIRMATIONS)
    invoices = [submit(supplier_user, buyer, f"REORG-{n}") for n in range(5)]
    expected = queue_transfers(40)

    block = wait_until(lambda: _mined_block(_registration_hashes()), 60, interval=0.05, message="the invoices mined")
    depth = client.web3().eth.block_number - block + 1
    assert depth < CONFIRMATIONS, "the registration was confirmed before the reorg could replace it"
    assert not Invoice.objects.filter(status=InvoiceStatus.REGISTERED).exists(), "mirrored before its confirmations"
    platform.node.reorg(depth)
    assert _mined_block(_registration_hashes()) is None, "the reorg did not take the registration out of the chain"

    wait_all_confirmed(40)
    wait_until(lambda: not ChainAction.objects.exclude(status=ActionStatus.CONFIRMED).exists(), 90,
               message="every action confirmed again")
    for invoice in invoices:
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.REGISTERED
    registered = [event.args["fingerprint"] for event in ChainEvent.objects.filter(name="InvoiceRegistered")]
    for invoice in invoices:  # the chain also holds earlier tests' invoices
        assert registered.count(invoice.fingerprint) == 1, f"{invoice.number} registered other than once"
    _assert_mirror_is_canonical()
    assert_exactly_once_and_mirrored(expected)
    assert IndexerState.objects.get().halted_reason == ""


def test_a_reorg_deeper_than_the_confirmation_depth_halts_the_indexer_loudly(platform, settings):
    supplier_user, buyer = _parties(platform, settings, 2)
    submit(supplier_user, buyer, "DEEP-REORG")
    wait_until(lambda: Invoice.objects.filter(status=InvoiceStatus.REGISTERED).exists(), 60, message="registration")
    indexed = IndexerState.objects.get().last_block

    platform.node.reorg(client.web3().eth.block_number - indexed + 2)

    state = wait_until(lambda: IndexerState.objects.filter(halted_reason__gt="").first(), 30, message="the halt")
    assert state.halted_reason.startswith("Reorganisation deeper than 2 blocks: block ")
    assert "CHAIN INDEXER HALTED: Reorganisation deeper than 2 blocks" in (platform.log_dir / "w1.log").read_text()


def _mining(seconds: int) -> None:
    rpc(client.web3().provider.endpoint_uri, "evm_setIntervalMining", [seconds])


def test_a_transaction_stuck_under_a_rising_base_fee_is_replaced_on_its_nonce_and_mined_once(platform):
    platform.worker(CHAIN_STUCK_AFTER_SECONDS="4")
    operator_admin()
    wait_for_actions()  # the bootstrap's own
    _mining(0)  # no block until the transfers wait in the mempool with the fees of a quiet chain
    try:
        expected = queue_transfers(3)
        wait_until(lambda: ChainTransaction.objects.filter(
            actions__in=ChainAction.objects.filter(to_address__in=expected), attempts__broadcast_at__isnull=False
        ).distinct().count() == 3, 30, message="the transfers broadcast")
        first_fees = {int(fee) for fee in ChainTransaction.objects.filter(
            actions__to_address__in=expected).values_list("attempts__max_fee_per_gas", flat=True)}
        platform.node.set_next_base_fee(100 * GWEI)
        assert max(first_fees) < 100 * GWEI, "the transfers were signed with fees for a busy chain already"
    finally:
        _mining(2)
    time.sleep(4)
    assert client.web3().eth.get_block("latest")["baseFeePerGas"] > max(first_fees), "the base fee did not rise"

    wait_all_confirmed(3, timeout=90)

    assert_exactly_once_and_mirrored(expected)
    for tx in ChainTransaction.objects.filter(actions__to_address__in=expected):
        attempts = list(tx.attempts.order_by("pk"))
        assert len(attempts) >= 2, f"nonce {tx.nonce} was never replaced"
        [mined] = [attempt for attempt in attempts if attempt.status == AttemptStatus.MINED]
        assert mined.tx_hash == tx.tx_hash and mined is attempts[-1]
        assert int(mined.max_fee_per_gas) > 100 * GWEI > int(attempts[0].max_fee_per_gas)
        assert {attempt.status for attempt in attempts[:-1]} == {AttemptStatus.REPLACED}
