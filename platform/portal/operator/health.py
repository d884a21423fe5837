"""The chain's health as the operator sees it: how far the indexer is behind the chain's head, the
outbox's backlog, transactions stuck unmined, actions the chain refused, the workers' heartbeat
and the gas money of the signing accounts (/healthz reports the same in brief, for monitors). The chain is asked with a short timeout and no retries, once for the head and
once (a JSON-RPC batch) for the balances; when it does not answer, the page says so and shows
what the database knows."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from web3 import Web3

from chain import accounts
from chain.health import HEARTBEAT_STALE_AFTER, WORKER
from chain.models import (
    ActionStatus,
    ChainAccount,
    ChainAction,
    ChainTransaction,
    Heartbeat,
    IndexerState,
    TransactionAttempt,
    TransactionStatus,
)
from api.redaction import redacted_text, redacted_url

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2
LISTED = 20  # stuck transactions, failed actions and signer balances shown at most
RECENT_SIGNERS_SCANNED = 500  # latest actions whose signers are candidates for the balance list
LOW_GAS_WEI = 10**17  # 0.1 of the chain's coin: enough for a few hundred transactions locally


@dataclass
class Balance:
    account: ChainAccount
    wei: int | None

    @property
    def low(self) -> bool:
        return self.wei is not None and self.wei < LOW_GAS_WEI

    @property
    def coins(self) -> str:
        return "–" if self.wei is None else f"{self.wei / 10**18:,.4f}"


@dataclass
class ChainHealth:
    head: int | None
    unreachable: str
    indexer: IndexerState | None
    backlog: list[tuple[str, str, int]]  # (status, label, actions) for every status
    stuck_count: int
    stuck: list[ChainTransaction]
    failed: list[ChainAction]
    worker_beat: Heartbeat | None
    balances: list[Balance] = field(default_factory=list)

    @property
    def worker_stale(self) -> bool:
        return self.worker_beat is None or timezone.now() - self.worker_beat.beat_at > HEARTBEAT_STALE_AFTER

    @property
    def lag(self) -> int | None:
        if self.head is None or self.indexer is None:
            return None
        return max(self.head - self.indexer.last_block, 0)


def _probe() -> Web3:
    return Web3(Web3.HTTPProvider(
        settings.CHAIN_RPC_URL, request_kwargs={"timeout": PROBE_TIMEOUT_SECONDS}, exception_retry_configuration=None
    ))


def _signers() -> list[ChainAccount]:
    """The operator, the risk oracle and the accounts that signed the latest actions."""
    recent = ChainAction.objects.order_by("-created_at").values_list("signer_id", flat=True)[:RECENT_SIGNERS_SCANNED]
    recent_ids = list(dict.fromkeys(recent))[:LISTED]
    platform_accounts = ChainAccount.objects.filter(label__in=[accounts.OPERATOR, accounts.RISK_ORACLE])
    platform = {account.pk: account for account in platform_accounts}
    others = ChainAccount.objects.filter(pk__in=recent_ids).exclude(pk__in=platform).select_related("organisation")
    return (list(platform.values()) + list(others))[:LISTED]


def _balances(w3: Web3, signers: list[ChainAccount]) -> list[Balance]:
    if not signers:
        return []
    with w3.batch_requests() as batch:
        for account in signers:
            batch.add(w3.eth.get_balance(account.address))
        results = batch.execute()
    return [Balance(account, int(wei) if isinstance(wei, int) else None) for account, wei in zip(signers, results)]


def _backlog() -> list[tuple[str, str, int]]:
    counts = dict(ChainAction.objects.order_by().values_list("status").annotate(Count("pk")))
    return [(status, label, counts.get(status, 0)) for status, label in ActionStatus.choices]


def chain_health() -> ChainHealth:
    stuck_since = timezone.now() - timedelta(seconds=settings.CHAIN_STUCK_AFTER_SECONDS)
    stuck = ChainTransaction.objects.filter(
        status__in=[TransactionStatus.SIGNED, TransactionStatus.SENT], updated_at__lt=stuck_since
    )
    latest_attempt = TransactionAttempt.objects.filter(transaction=OuterRef("pk")).order_by("-created_at", "-pk")
    health = ChainHealth(
        head=None,
        unreachable="",
        indexer=IndexerState.objects.order_by("-updated_at").first(),
        backlog=_backlog(),
        stuck_count=stuck.count(),
        stuck=list(
            stuck.select_related("signer__organisation")
            .annotate(latest_hash=Subquery(latest_attempt.values("tx_hash")[:1]))
            .order_by("updated_at")[:LISTED]
        ),
        failed=list(
            ChainAction.objects.filter(status=ActionStatus.FAILED)
            .select_related("signer__organisation", "transaction")
            .order_by("-updated_at")[:LISTED]
        ),
        worker_beat=Heartbeat.objects.filter(name=WORKER).first(),
    )
    signers = _signers()
    health.balances = [Balance(account, None) for account in signers]
    try:
        w3 = _probe()
        health.head = w3.eth.block_number
        health.balances = _balances(w3, signers)
    except Exception as error:  # whatever stops the node from answering is shown, never raised
        message = redacted_text(f"{type(error).__name__}: {error}", url=settings.CHAIN_RPC_URL)
        log.warning("chain health: the node at %s did not answer: %s", redacted_url(settings.CHAIN_RPC_URL), message)
        health.unreachable = message
    return health
