"""Celery tasks of the chain app: thin, idempotent, acks_late; each loads ids and calls a service."""

from celery import shared_task
from requests.exceptions import ConnectionError as RpcConnectionError, Timeout as RpcTimeout
from web3.exceptions import Web3RPCError

from . import health, indexer, reconciler, sender

CHAIN_UNREACHABLE = (RpcConnectionError, RpcTimeout, ConnectionError, Web3RPCError)
# Worth retrying: the chain away, or earlier actions of the same signer still in flight.
RETRIABLE = (*CHAIN_UNREACHABLE, sender.EarlierActionsInFlight)


@shared_task(
    acks_late=True,
    autoretry_for=RETRIABLE,
    retry_backoff=1,
    retry_backoff_max=30,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def action_send_task(action_id: int) -> None:
    sender.action_send(action_id)


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def transactions_reconcile() -> dict:
    return reconciler.transactions_reconcile()


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def chain_index() -> dict:
    receipts = sender.receipts_collect()  # first: the pass then confirms what they show mined
    return indexer.chain_index() | {"receipts": receipts}


@shared_task(acks_late=True, soft_time_limit=10, time_limit=20)
def heartbeat() -> None:
    health.heartbeat_record()
