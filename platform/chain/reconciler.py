"""Heals the outbox after crashes and outages; run by beat every few seconds.

- A queued action whose task was lost (broker restart, worker killed) is queued to a worker again.
- A sent transaction with a receipt is recorded; one the node has forgotten (a restarted chain,
  a worker killed before broadcasting) is broadcast again, byte for byte; one stuck longer than
  CHAIN_STUCK_AFTER_SECONDS is re-signed with higher fees and the same nonce.
- A nonce that some other transaction of the same account took (a key used outside the
  platform) drops ours, once none of our attempts is known to the node for longer than
  CHAIN_STUCK_AFTER_SECONDS; its actions are queued again for a new nonce.
While the outbox is paused (the indexer halted), it does nothing: no broadcast, no new fee, no
task queued; the queued actions go out once the halt is resolved.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import client, dispatch, sender
from .models import (
    ActionStatus,
    ChainAccount,
    ChainAction,
    ChainTransaction,
    TransactionStatus,
)

log = logging.getLogger(__name__)


def lost_actions_redispatch() -> int:
    lost = ChainAction.objects.filter(
        status=ActionStatus.QUEUED, updated_at__lt=timezone.now() - timedelta(seconds=settings.CHAIN_LOST_TASK_AFTER_SECONDS)
    ).values_list("pk", flat=True)
    dispatch.actions_send(lost)
    return len(lost)


def _drop(tx: ChainTransaction, chain_nonce: int) -> None:
    with transaction.atomic():
        signer = ChainAccount.objects.select_for_update().get(pk=tx.signer_id)
        signer.next_nonce = max(signer.next_nonce or 0, chain_nonce)
        signer.save(update_fields=["next_nonce"])
        ChainTransaction.objects.filter(pk=tx.pk).update(status=TransactionStatus.DROPPED)
        action_ids = list(tx.actions.values_list("pk", flat=True))
        tx.actions.update(status=ActionStatus.QUEUED, transaction=None, updated_at=timezone.now())
        dispatch.actions_send_on_commit(action_ids)
    log.warning("nonce %s of %s was taken by a transaction outside the platform", tx.nonce, tx.signer.address)


def _long_unexplained(tx: ChainTransaction, latest, stuck_before) -> bool:
    if any(sender.known_to_node(attempt.tx_hash) for attempt in tx.attempts.all()):
        return False
    return (latest.broadcast_at or tx.created_at) < stuck_before


def _replace(tx: ChainTransaction, latest) -> None:
    with transaction.atomic():
        ChainAccount.objects.select_for_update().get(pk=tx.signer_id)
        sender.attempt_replace(tx, latest)
    sender.signer_broadcast(tx.signer_id)
    log.info("transaction %s nonce %s was stuck: re-sent", tx.pk, tx.nonce)


def pending_transactions_heal() -> dict[str, int]:
    counts = {"recorded": 0, "rebroadcast": 0, "replaced": 0, "dropped": 0}
    stuck_before = timezone.now() - timedelta(seconds=settings.CHAIN_STUCK_AFTER_SECONDS)
    pending = ChainTransaction.objects.filter(
        status__in=[TransactionStatus.SIGNED, TransactionStatus.SENT]
    ).select_related("signer").order_by("signer_id", "nonce")
    to_broadcast = set()
    for tx in pending:
        # Read the nonce before the receipts: if ours took the nonce, its receipt is there by then.
        chain_nonce = client.web3().eth.get_transaction_count(tx.signer.address, "latest")
        if receipt := sender.receipt_of(tx):
            sender.transaction_record(tx, receipt)
            counts["recorded"] += 1
            continue
        latest = tx.attempts.order_by("-pk").first()
        if chain_nonce > tx.nonce:
            # Ours, mined, with the receipt not served yet (Ganache moves the nonce first), or
            # truly another transaction's: only time tells. Drop only what stays unexplained.
            if _long_unexplained(tx, latest, stuck_before):
                _drop(tx, chain_nonce)
                counts["dropped"] += 1
            continue
        if tx.status == TransactionStatus.SIGNED or not sender.known_to_node(latest.tx_hash):
            # Never accepted, or forgotten by a restarted node: the same bytes go out again.
            ChainTransaction.objects.filter(pk=tx.pk).update(status=TransactionStatus.SIGNED)
            to_broadcast.add(tx.signer_id)
            counts["rebroadcast"] += 1
        elif latest.broadcast_at and latest.broadcast_at < stuck_before:
            _replace(tx, latest)
            counts["replaced"] += 1
    for signer_id in to_broadcast:
        sender.signer_broadcast(signer_id)
    return counts


def transactions_reconcile() -> dict[str, int]:
    if sender.outbox_paused():
        return {"paused": 1}
    counts = pending_transactions_heal()
    counts["redispatched"] = lost_actions_redispatch()
    return counts
