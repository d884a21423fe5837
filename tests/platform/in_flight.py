"""Helpers for tests of what queued actions are about to change: an action's transaction mined
and its events applied by the indexer (so the mirror shows it), as the chain app records them."""

import itertools

from chain.models import ActionStatus, ChainAction, ChainTransaction, TransactionAttempt, TransactionStatus
from factories import ChainEventFactory

_nonces = itertools.count(10_000)


def mined(action: ChainAction, *, indexed: bool) -> ChainAction:
    """Marks the action mined in a transaction of its own; with `indexed`, the indexer has applied
    the transaction's event too (the action is still mined: the indexer confirms it afterwards)."""
    nonce = next(_nonces)
    tx_hash = f"0x{nonce:064x}"
    transaction = ChainTransaction.objects.create(
        signer=action.signer, nonce=nonce, to_address="0x" + "5c" * 20, data="0x", gas=200_000,
        status=TransactionStatus.MINED, tx_hash=tx_hash, block_number=nonce,
    )
    TransactionAttempt.objects.create(transaction=transaction, tx_hash=tx_hash, raw=b"", max_fee_per_gas=1,
                                      max_priority_fee_per_gas=1)
    ChainAction.objects.filter(pk=action.pk).update(status=ActionStatus.MINED, transaction=transaction)
    if indexed:
        ChainEventFactory(name="Indexed", tx_hash=tx_hash)
    action.refresh_from_db()
    return action
