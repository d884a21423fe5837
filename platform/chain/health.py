"""The platform's health, as /healthz and `make smoke` report it: the database, the chain, the
indexer's distance to the chain head, the outbox backlog and the workers' heartbeat."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from api.redaction import redacted_text

from . import client
from .models import ActionStatus, ChainAction, ChainTransaction, Heartbeat, IndexerState, TransactionStatus

WORKER = "worker"
HEARTBEAT_STALE_AFTER = timedelta(seconds=60)
INDEXER_LAG_LIMIT_BLOCKS = 50


def heartbeat_record() -> None:
    Heartbeat.objects.update_or_create(name=WORKER, defaults={"beat_at": timezone.now()})


def _chain_head() -> dict:
    try:
        return {"ok": True, "head": client.web3().eth.block_number}
    except Exception as error:  # any failure to reach the node is the finding itself
        # Redacted before it is cut short, so no part of a node key in the URL survives the cut.
        message = redacted_text(f"{type(error).__name__}: {error}", url=settings.CHAIN_RPC_URL)
        return {"ok": False, "error": message[:200]}


def _indexer(head: int | None) -> dict:
    state = IndexerState.objects.order_by("-pk").first()
    if state is None:
        return {"ok": False, "error": "The indexer has not started: run the platform's bootstrap."}
    lag = None if head is None else max(0, head - state.last_block)
    ok = not state.halted_reason and (lag is None or lag <= INDEXER_LAG_LIMIT_BLOCKS)
    return {"ok": ok, "last_block": state.last_block, "lag_blocks": lag, "halted": state.halted_reason or None}


def _outbox(now) -> dict:
    stuck_before = now - timedelta(seconds=settings.CHAIN_STUCK_AFTER_SECONDS)
    actions = ChainAction.objects.aggregate(
        queued=Count("pk", filter=Q(status=ActionStatus.QUEUED)),
        in_flight=Count("pk", filter=Q(status__in=[ActionStatus.SENT, ActionStatus.MINED])),
        failed_last_hour=Count("pk", filter=Q(status=ActionStatus.FAILED, updated_at__gte=now - timedelta(hours=1))),
    )
    stuck = ChainTransaction.objects.filter(
        status__in=[TransactionStatus.SIGNED, TransactionStatus.SENT], updated_at__lt=stuck_before
    ).count()
    return {"ok": stuck == 0, **actions, "stuck_transactions": stuck}


def _worker(now) -> dict:
    beat = Heartbeat.objects.filter(name=WORKER).first()
    if beat is None:
        return {"ok": False, "error": "No worker heartbeat yet: are the Celery worker and beat running?"}
    age = (now - beat.beat_at).total_seconds()
    return {"ok": age <= HEARTBEAT_STALE_AFTER.total_seconds(), "heartbeat_age_seconds": round(age, 1)}


def health_report() -> dict:
    now = timezone.now()
    chain = _chain_head()
    checks = {
        "database": {"ok": True},
        "chain": chain,
        "indexer": _indexer(chain.get("head")),
        "outbox": _outbox(now),
        "worker": _worker(now),
    }
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}
