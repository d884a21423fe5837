"""The outbox's send side. Exactly-once rests on three rules:
1. A nonce is allocated under a lock on the signer's row, in the same database transaction that
   stores the signed transaction and its hash: two workers can never share a nonce.
2. Nothing is broadcast before that transaction commits, so a worker that dies after sending
   leaves a row that knows the hash; the reconciler finds the receipt or re-broadcasts the very
   same bytes. Broadcasts happen under the signer's lock in nonce order, because nodes (Ganache
   among them) refuse a nonce that leaves a gap.
3. Every re-send of a nonce (a stuck transaction with a higher fee) carries the same call, so
   whichever attempt is mined, the action happens once.
While the indexer is halted (the chain is not the one the database mirrors), nothing is sent:
actions stay queued until the halt is resolved, and the reconciler queues them again then.
"""

import logging
import os
import random
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError

from . import client, dispatch, halt, handlers, indexer, keys
from .errors import ChainRevert, revert_from
from .locks import signer_locked
from .models import (
    ActionStatus,
    AttemptStatus,
    ChainAccount,
    ChainAction,
    ChainTransaction,
    TransactionAttempt,
    TransactionStatus,
)

log = logging.getLogger(__name__)

# Actions that the contract can take many at a time, and the batch function that takes them.
BATCHES = {"registerInvoice": "registerInvoices"}
# Gas for actions sent without a simulation: (per transaction, per action), measured with
# headroom (registerInvoice: about 107,000 alone, +78.5k per extra invoice in a batch). Invoices are fully
# checked in the database before they are queued, so a refusal is rare; when one happens the
# receipt says so, and a refused batch is re-sent invoice by invoice. Simulating every batch
# would execute it twice, which halves a local chain's throughput.
GAS_BUDGETS = {"registerInvoice": (40_000, 100_000)}
GAS_HEADROOM = 1.25
FEE_BUMP = 1.125  # nodes refuse a replacement that raises the fees by less than 10%
# Answers meaning the node has this transaction already, or its nonce is used (by it or another).
ALREADY_KNOWN = ("already known", "known transaction", "nonce too low", "already imported", "correct nonce")
UNDERPRICED = "underpriced"  # Ganache's answer both to a re-sent pending tx and to a nonce gap
# Answers meaning the fee cap is below the base fee of the next block (anvil, geth, Besu): the same
# bytes will not be taken until the base fee falls again, so the nonce is re-signed above it.
BELOW_BASE_FEE = ("less than block base fee", "below base fee", "fee cap less than")


def _call(actions: list[ChainAction]) -> tuple[str, str, int]:
    """(to, call data, value) of one transaction carrying `actions`."""
    first = actions[0]
    if first.function == "transfer":
        return first.to_address, "0x", int(first.value_wei)
    if first.to_address:  # a call to a settlement token (approve, or mint on a local chain)
        token = client.token_contract(first.to_address)
        return token.address, getattr(token.functions, first.function)(*first.args)._encode_transaction_data(), 0
    contract = client.platform_contract()
    if len(actions) > 1:
        function = getattr(contract.functions, BATCHES[first.function])([action.args for action in actions])
    else:
        function = getattr(contract.functions, first.function)(*first.args)
    return contract.address, function._encode_transaction_data(), 0


def _estimate_gas(signer: ChainAccount, to: str, data: str, value: int) -> int:
    """The gas for the call, simulated against the latest state; a refusal raises ChainRevert."""
    try:
        gas = client.web3().eth.estimate_gas({"from": signer.address, "to": to, "data": data, "value": value})
    except ContractLogicError as error:
        raise revert_from(error) from error
    return int(gas * GAS_HEADROOM)


def _batched(action: ChainAction) -> bool:
    return action.function in BATCHES and not action.send_alone


def _batch(lead: ChainAction) -> list[ChainAction]:
    """The lead action and, if it batches, the queued peers of its signer, oldest first. Called
    under the signer's lock, so the peers cannot be taken by another worker meanwhile."""
    if not _batched(lead):
        return [lead]
    peers = ChainAction.objects.select_for_update().filter(
        signer_id=lead.signer_id, function=lead.function, status=ActionStatus.QUEUED, send_alone=False
    ).exclude(pk=lead.pk).order_by("created_at", "pk")[: settings.CHAIN_BATCH_MAX - 1]
    return [lead, *peers]


def next_fees(previous: TransactionAttempt | None = None) -> tuple[int, int]:
    base_fee = client.web3().eth.get_block("latest").get("baseFeePerGas", 0)
    priority = settings.CHAIN_PRIORITY_FEE_WEI
    max_fee = 2 * base_fee + priority
    if previous is not None:
        priority = max(priority, int(int(previous.max_priority_fee_per_gas) * FEE_BUMP) + 1)
        max_fee = max(max_fee, int(int(previous.max_fee_per_gas) * FEE_BUMP) + 1)
    return max_fee, priority


def attempt_sign(tx: ChainTransaction, max_fee: int, priority: int) -> TransactionAttempt:
    signed = keys.unlock(tx.signer.encrypted_key).sign_transaction(
        {
            "type": 2,
            "chainId": client.manifest()["chain_id"],
            "nonce": tx.nonce,
            "to": tx.to_address,
            "data": tx.data,
            "value": int(tx.value_wei),
            "gas": tx.gas,
            "maxFeePerGas": max_fee,
            "maxPriorityFeePerGas": priority,
        }
    )
    return TransactionAttempt.objects.create(
        transaction=tx,
        tx_hash="0x" + signed.hash.hex().removeprefix("0x"),
        raw=bytes(signed.raw_transaction),
        max_fee_per_gas=max_fee,
        max_priority_fee_per_gas=priority,
    )


def _allocate(lead: ChainAction, simulated_gas: int | None) -> ChainTransaction | None:
    """Locks the signer, gathers the batch, takes a nonce and stores the signed transaction.
    None if another worker already took the lead action."""
    max_fee, priority = next_fees()
    with transaction.atomic():
        signer = ChainAccount.objects.select_for_update().get(pk=lead.signer_id)
        lead = ChainAction.objects.select_for_update().filter(pk=lead.pk, status=ActionStatus.QUEUED).first()
        if lead is None:
            return None
        batch = _batch(lead)
        to, data, value = _call(batch)
        if simulated_gas is None:
            per_transaction, per_action = GAS_BUDGETS[lead.function]
            gas = per_transaction + per_action * len(batch)
        else:
            gas = simulated_gas
        if signer.next_nonce is None:
            signer.next_nonce = client.web3().eth.get_transaction_count(signer.address, "pending")
        tx = ChainTransaction.objects.create(
            signer=signer, nonce=signer.next_nonce, to_address=to, data=data, value_wei=value, gas=gas
        )
        signer.next_nonce += 1
        signer.save(update_fields=["next_nonce"])
        attempt_sign(tx, max_fee, priority)
        ChainAction.objects.filter(pk__in=[action.pk for action in batch]).update(
            status=ActionStatus.SENT, transaction=tx, updated_at=timezone.now()
        )
    return tx


_pause_logged: str | None = None


def outbox_paused() -> bool:
    """True while the indexer is halted, or once the node turns out to be another chain (which
    halts it). The first time in a process for a halt, the log says so."""
    global _pause_logged
    halted = halt.chain_halt_now()
    if halted is None:
        try:
            indexer.chain_identity_check()
        except indexer.ChainDiverged:
            halted = halt.chain_halt_now()
    if halted is None:
        return False
    if _pause_logged != halted.reason:
        _pause_logged = halted.reason
        log.error("OUTBOX PAUSED: nothing is sent while the indexer is halted: %s", halted.reason)
    return True


def action_send(action_id: int) -> ChainTransaction | None:
    """Turns a queued action (with any queued peers it can batch with) into a signed, stored and
    broadcast transaction, then waits for its receipt. Safe to call any number of times. While
    the outbox is paused it does nothing: the action stays as it is."""
    action = ChainAction.objects.select_related("signer", "transaction").get(pk=action_id)
    if action.status == ActionStatus.SENT:
        # Sent in a batch by another task, or by a worker that died before recording: make sure
        # it is out, but leave its receipt to whoever sent it (or to the indexer's task). Most
        # tasks of a batch's invoices end here, without a word to the node.
        if action.transaction.status == TransactionStatus.SIGNED and not outbox_paused():
            signer_broadcast(action.signer_id)
        return action.transaction
    if action.status != ActionStatus.QUEUED or outbox_paused():
        return None
    if _batched(action) and action.function in GAS_BUDGETS:
        # A short window lets the invoices submitted right after this one travel with it.
        time.sleep(settings.CHAIN_BATCH_WINDOW_SECONDS)
        simulated_gas = None
    else:
        # Asked before the simulation, which sees only what was mined when it started: asked
        # after, another worker could have recorded them mined meanwhile (a flaky refusal).
        earlier_in_flight = _earlier_in_flight(action)
        to, data, value = _call([action])
        try:
            simulated_gas = _estimate_gas(action.signer, to, data, value)
        except ChainRevert as revert:
            if earlier_in_flight:
                # It may depend on them (terms before a deposit): judge it once they are mined.
                raise EarlierActionsInFlight(action.idempotency_key) from revert
            return _refuse(action, revert)
    tx = _allocate(action, simulated_gas)
    return transaction_push(tx.pk) if tx else None


class EarlierActionsInFlight(Exception):
    """The simulation refused an action while earlier actions of its signer were not yet mined;
    the task retries it later (and the reconciler, should the retries run out)."""


def _earlier_in_flight(action: ChainAction) -> bool:
    return ChainAction.objects.filter(
        signer_id=action.signer_id, pk__lt=action.pk, status__in=[ActionStatus.QUEUED, ActionStatus.SENT]
    ).exists()


def _refuse(action: ChainAction, revert: ChainRevert) -> None:
    """The simulation says the chain would refuse: fail the action without spending a nonce."""
    ChainAction.objects.filter(pk=action.pk, status=ActionStatus.QUEUED).update(
        status=ActionStatus.FAILED, error=revert.message, updated_at=timezone.now()
    )
    _after_failure([action.pk])
    log.info("action %s refused by simulation: %s", action.idempotency_key, revert.name)
    return None


def _after_failure(action_ids: list[int]) -> None:
    """The floors above react to a refusal (an invoice marked failed) through their handlers."""
    handlers.actions_settled(ChainAction.objects.filter(pk__in=action_ids, status=ActionStatus.FAILED))


def _failpoint(name: str) -> None:
    """Dies here, as a killed worker would, when the fault tests ask for it (CHAIN_FAILPOINT)."""
    point, _, probability = settings.CHAIN_FAILPOINT.partition(":")
    if point == name and random.random() < float(probability or 1):
        os._exit(137)


class FeeBelowBaseFee(Exception):
    """The node refuses the attempt: its fee cap is below the base fee of the next block."""


def _node_accepts(attempt: TransactionAttempt) -> bool:
    """Sends the signed bytes; True if the node now has them (or already had them)."""
    try:
        client.web3().eth.send_raw_transaction(bytes(attempt.raw))
    except Web3RPCError as error:
        message = str(error).lower()
        if any(marker in message for marker in ALREADY_KNOWN):
            return True
        if any(marker in message for marker in BELOW_BASE_FEE):
            raise FeeBelowBaseFee(message) from error
        if UNDERPRICED in message:
            return known_to_node(attempt.tx_hash)
        raise
    return True


def attempt_replace(tx: ChainTransaction, latest: TransactionAttempt) -> TransactionAttempt:
    """Re-signs the transaction's nonce and call with fees above the chain's base fee and at least
    FEE_BUMP above the latest attempt's, which it replaces. Whichever attempt is mined, the
    actions happen once: they share the nonce."""
    max_fee, priority = next_fees(previous=latest)
    with transaction.atomic():
        TransactionAttempt.objects.filter(pk=latest.pk).update(status=AttemptStatus.REPLACED)
        ChainTransaction.objects.filter(pk=tx.pk).update(status=TransactionStatus.SIGNED)
        attempt = attempt_sign(tx, max_fee, priority)
    log.info("transaction %s nonce %s re-signed with max fee %s", tx.pk, tx.nonce, max_fee)
    return attempt


def known_to_node(tx_hash: str) -> bool:
    try:
        client.web3().eth.get_transaction(tx_hash)
    except TransactionNotFound:
        return False
    return True


def signer_broadcast(signer_id: int) -> int:
    """Broadcasts every signed, not yet accepted transaction of a signer, in nonce order, under
    the signer's lock. Stops at the first the node refuses: later nonces would leave a gap."""
    accepted = 0
    with signer_locked(signer_id):
        waiting = ChainTransaction.objects.filter(signer_id=signer_id, status=TransactionStatus.SIGNED).order_by("nonce")
        for tx in waiting:
            latest = tx.attempts.order_by("-pk").first()
            try:
                accepted_now = _node_accepts(latest)
            except FeeBelowBaseFee:  # the base fee rose past it since it was signed
                latest = attempt_replace(tx, latest)
                accepted_now = _node_accepts(latest)
            if not accepted_now:
                log.warning("node refused nonce %s of signer %s; the reconciler will retry", tx.nonce, signer_id)
                break
            _failpoint("after-broadcast")
            with transaction.atomic():
                TransactionAttempt.objects.filter(pk=latest.pk).update(broadcast_at=timezone.now())
                ChainTransaction.objects.filter(pk=tx.pk).update(status=TransactionStatus.SENT)
            accepted += 1
    return accepted


def transaction_push(tx_id: int, wait_seconds: float | None = None) -> ChainTransaction:
    """Broadcasts the transaction if it is not out yet (with its signer's earlier ones) and waits
    for the receipt of any of its attempts."""
    tx = ChainTransaction.objects.select_related("signer").get(pk=tx_id)
    if tx.status == TransactionStatus.SIGNED:
        signer_broadcast(tx.signer_id)
    elif tx.status != TransactionStatus.SENT:
        return tx
    wait = settings.CHAIN_RECEIPT_WAIT_SECONDS if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        if receipt := receipt_of(tx):
            return transaction_record(tx, receipt)
        if time.monotonic() >= deadline:
            return tx
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


RECEIPTS_PER_PASS = 200


def receipts_collect() -> int:
    """Records the receipts that are out for sent transactions, oldest first; the indexer's task
    runs it before each pass. A sender waits for its receipt at most CHAIN_RECEIPT_WAIT_SECONDS (0
    where blocks come every few seconds, so that no worker is held for a block): this picks up
    the rest. Nothing while the indexer is halted; the pass that follows checks that the chain is
    still ours (and a replaced chain holds no receipt of our transactions anyway)."""
    if halt.chain_halt_now() is not None:
        return 0
    recorded = 0
    for tx in ChainTransaction.objects.filter(status=TransactionStatus.SENT).order_by("pk")[:RECEIPTS_PER_PASS]:
        if receipt := receipt_of(tx):
            transaction_record(tx, receipt)
            recorded += 1
    return recorded


def receipt_of(tx: ChainTransaction):
    for attempt_hash in tx.attempts.values_list("tx_hash", flat=True):
        try:
            return client.web3().eth.get_transaction_receipt(attempt_hash)
        except TransactionNotFound:
            continue
    return None


def _revert_reason(tx: ChainTransaction, block_number: int) -> str:
    call = {"from": tx.signer.address, "to": tx.to_address, "data": tx.data, "value": int(tx.value_wei)}
    try:
        client.web3().eth.call(call, block_identifier=block_number - 1)
    except ContractLogicError as error:
        return revert_from(error).message
    return "The transaction reverted on chain (it succeeds when replayed: state changed in between)."


def transaction_record(tx: ChainTransaction, receipt) -> ChainTransaction:
    """Stores a receipt: the transaction is mined (or reverted); its actions follow."""
    mined_hash = "0x" + bytes(receipt["transactionHash"]).hex()
    succeeded = receipt["status"] == 1
    reason = "" if succeeded else _revert_reason(tx, receipt["blockNumber"])
    with transaction.atomic():
        tx = ChainTransaction.objects.select_for_update().get(pk=tx.pk)
        if tx.status not in (TransactionStatus.SIGNED, TransactionStatus.SENT):
            return tx
        tx.status = TransactionStatus.MINED if succeeded else TransactionStatus.REVERTED
        tx.tx_hash = mined_hash
        tx.block_number = receipt["blockNumber"]
        tx.block_hash = "0x" + bytes(receipt["blockHash"]).hex()
        tx.gas_used = receipt["gasUsed"]
        tx.save()
        tx.attempts.filter(tx_hash=mined_hash).update(status=AttemptStatus.MINED)
        tx.attempts.exclude(tx_hash=mined_hash).update(status=AttemptStatus.REPLACED)
        actions = ChainAction.objects.filter(pk__in=list(tx.actions.values_list("pk", flat=True)))
        if succeeded:
            actions.update(status=ActionStatus.MINED, updated_at=timezone.now())
        elif actions.count() > 1:
            # One bad invoice reverts its whole batch: send each alone to find it.
            actions.update(status=ActionStatus.QUEUED, transaction=None, send_alone=True, updated_at=timezone.now())
            dispatch.actions_send_on_commit(actions.values_list("pk", flat=True))
        else:
            actions.update(status=ActionStatus.FAILED, error=reason, updated_at=timezone.now())
            _after_failure(actions.values_list("pk", flat=True))
    return tx

