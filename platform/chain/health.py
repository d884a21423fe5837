"""The platform's health, one source for /healthz (in brief, for monitors, load balancers and
`make smoke`) and the operator's chain-health page (in full): the database, the chain's head, how
far the indexer is behind it, the outbox's backlog, transactions stuck unmined, actions the chain
refused, the workers' heartbeat and the gas money of the signing accounts. The chain is asked with
a short timeout and no retries, for the head, for the block the indexer reached (is it still the
one indexed?) and once (a JSON-RPC batch) for the balances; when it does not answer, the report
says so and shows what the database knows. A chain behind the mirror (rewound, replaced) or
without the block the mirror indexed, and the indexer's halt, are said in words, never as a lag."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from web3 import Web3

from api.redaction import redacted_line, redacted_text, redacted_url

from . import accounts
from .halt import ChainHalt, chain_halt_now
from .models import (
    ActionStatus,
    ChainAccount,
    ChainAction,
    ChainTransaction,
    Heartbeat,
    IndexerState,
    TransactionAttempt,
    TransactionStatus,
)

log = logging.getLogger(__name__)

WORKER = "worker"
HEARTBEAT_STALE_AFTER = timedelta(seconds=60)
INDEXER_LAG_LIMIT_BLOCKS = 50
PROBE_TIMEOUT_SECONDS = 2
LISTED = 20  # stuck transactions, failed actions and signer balances shown at most
RECENT_SIGNERS_SCANNED = 500  # latest actions whose signers are candidates for the balance list
LOW_GAS_WEI = 10**17  # 0.1 of the chain's coin: enough for a few hundred transactions locally
ERROR_SHOWN_CHARS = 200  # of an error message in /healthz


def heartbeat_record() -> None:
    Heartbeat.objects.update_or_create(name=WORKER, defaults={"beat_at": timezone.now()})


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
    """What the checks found at `checked_at`. In brief (/healthz) the lists stay empty: the stuck
    transactions, the refused actions and the signers' balances."""

    checked_at: datetime
    head: int | None
    unreachable: str
    indexer: IndexerState | None
    backlog: list[tuple[str, str, int]]  # (status, label, actions) for every status
    failed_last_hour: int
    stuck_count: int
    worker_beat: Heartbeat | None
    halt: ChainHalt | None = None
    indexed_block_on_chain: bool | None = None  # None: not asked (nothing indexed, or no answer)
    stuck: list[ChainTransaction] = field(default_factory=list)
    failed: list[ChainAction] = field(default_factory=list)
    balances: list[Balance] = field(default_factory=list)

    @property
    def behind_mirror(self) -> bool:
        """The chain's head is below the block the mirror indexed: rewound, or another chain."""
        return self.head is not None and self.indexer is not None and self.head < self.indexer.last_block

    @property
    def lag(self) -> int | None:
        """Blocks the indexer has still to read; None when unknown or when the chain is not the
        mirrored one any more (no lag measures that)."""
        if self.head is None or self.indexer is None or self.behind_mirror or self.indexed_block_on_chain is False:
            return None
        return self.head - self.indexer.last_block

    @property
    def mirror_problem(self) -> str:
        """In words, why the chain is not the history the database mirrors; empty when it is."""
        if self.halt is not None:
            return self.halt.explanation
        figures = {"head": self.head, "indexed": self.indexer.last_block if self.indexer else None}
        if self.behind_mirror:
            return _("The chain was rewound or replaced: its head is block %(head)s, the mirror had indexed block "
                     "%(indexed)s.") % figures
        if self.indexed_block_on_chain is False:
            return _("The chain was replaced or reorganised: block %(indexed)s, which the mirror had indexed, is not "
                     "on it any more.") % figures
        return ""

    @property
    def indexer_ok(self) -> bool:
        if self.indexer is None or self.mirror_problem:
            return False
        return self.lag is None or self.lag <= INDEXER_LAG_LIMIT_BLOCKS

    @property
    def heartbeat_age(self) -> timedelta | None:
        return None if self.worker_beat is None else self.checked_at - self.worker_beat.beat_at

    @property
    def worker_stale(self) -> bool:
        return self.worker_beat is None or self.heartbeat_age > HEARTBEAT_STALE_AFTER

    def actions(self, *statuses: str) -> int:
        return sum(count for status, _label, count in self.backlog if status in statuses)


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


def _action_counts(now: datetime) -> tuple[list[tuple[str, str, int]], int]:
    """The backlog (actions in each status) and the actions refused in the last hour: one query."""
    counts = ChainAction.objects.aggregate(
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in ActionStatus.values},
        failed_last_hour=Count("pk", filter=Q(status=ActionStatus.FAILED, updated_at__gte=now - timedelta(hours=1))),
    )
    backlog = [(status, label, counts[f"status_{status}"]) for status, label in ActionStatus.choices]
    return backlog, counts["failed_last_hour"]


def _stuck(now: datetime) -> QuerySet[ChainTransaction]:
    stuck_since = now - timedelta(seconds=settings.CHAIN_STUCK_AFTER_SECONDS)
    return ChainTransaction.objects.filter(
        status__in=[TransactionStatus.SIGNED, TransactionStatus.SENT], updated_at__lt=stuck_since
    )


def chain_health(*, in_full: bool = True) -> ChainHealth:
    """Every check, with the lists the operator's page shows; `in_full=False` (/healthz, which load
    balancers poll) leaves out the lists and the balances."""
    now = timezone.now()
    backlog, failed_last_hour = _action_counts(now)
    stuck = _stuck(now)
    health = ChainHealth(
        checked_at=now,
        head=None,
        unreachable="",
        indexer=IndexerState.objects.order_by("-updated_at", "-pk").first(),
        backlog=backlog,
        failed_last_hour=failed_last_hour,
        stuck_count=stuck.count(),
        worker_beat=Heartbeat.objects.filter(name=WORKER).first(),
        halt=chain_halt_now(),
    )
    signers = []
    if in_full:
        latest_attempt = TransactionAttempt.objects.filter(transaction=OuterRef("pk")).order_by("-created_at", "-pk")
        health.stuck = list(
            stuck.select_related("signer__organisation")
            .annotate(latest_hash=Subquery(latest_attempt.values("tx_hash")[:1]))
            .order_by("updated_at")[:LISTED]
        )
        health.failed = list(
            ChainAction.objects.filter(status=ActionStatus.FAILED)
            .select_related("signer__organisation", "transaction")
            .order_by("-updated_at")[:LISTED]
        )
        signers = _signers()
        health.balances = [Balance(account, None) for account in signers]
    try:
        w3 = _probe()
        health.head = w3.eth.block_number
        health.indexed_block_on_chain = _indexed_block_on_chain(w3, health)
        health.balances = _balances(w3, signers)
    except Exception as error:  # whatever stops the node from answering is the finding, never raised
        # Redacted before it is cut short, so no part of a node key in the URL survives the cut.
        health.unreachable = redacted_text(f"{type(error).__name__}: {error}", url=settings.CHAIN_RPC_URL)
        if in_full:  # /healthz says so in its answer: a line per poll of a load balancer would add nothing
            log.warning("chain health: the node at %s did not answer: %s",
                        redacted_url(settings.CHAIN_RPC_URL), health.unreachable)
    return health


def _indexed_block_on_chain(w3: Web3, health: ChainHealth) -> bool | None:
    indexed = health.indexer
    if indexed is None or not indexed.last_block_hash or health.behind_mirror:
        return None
    block = w3.eth.get_block(indexed.last_block)
    return "0x" + bytes(block["hash"]).hex() == indexed.last_block_hash


def _chain_check(health: ChainHealth) -> dict:
    if health.head is None:
        return {"ok": False, "error": health.unreachable[:ERROR_SHOWN_CHARS]}
    return {"ok": True, "head": health.head}


def _indexer_check(health: ChainHealth) -> dict:
    if health.indexer is None:
        return {"ok": False, "error": "The indexer has not started: run the platform's bootstrap."}
    return {"ok": health.indexer_ok, "last_block": health.indexer.last_block, "chain_head": health.head,
            "lag_blocks": health.lag, "halted": health.indexer.halted_reason or None,
            "problem": health.mirror_problem or None}


def _outbox_check(health: ChainHealth) -> dict:
    return {
        "ok": health.stuck_count == 0 and health.halt is None,
        "paused": health.halt is not None,  # sends nothing while the indexer is halted
        "queued": health.actions(ActionStatus.QUEUED),
        "in_flight": health.actions(ActionStatus.SENT, ActionStatus.MINED),
        "failed_last_hour": health.failed_last_hour,
        "stuck_transactions": health.stuck_count,
    }


def _worker_check(health: ChainHealth) -> dict:
    if health.worker_beat is None:
        return {"ok": False, "error": "No worker heartbeat yet: are the Celery worker and beat running?"}
    age = health.heartbeat_age.total_seconds()
    return {"ok": not health.worker_stale, "heartbeat_age_seconds": round(age, 1)}


def health_report() -> dict:
    """/healthz's report: each check ok or not, with its figures, and ok when every one is. A
    database that fails to answer is a finding too, redacted (a DSN quotes its password)."""
    try:
        health = chain_health(in_full=False)
    except DatabaseError as error:
        return {"ok": False, "checks": {"database": {"ok": False, "error": redacted_line(str(error))[:ERROR_SHOWN_CHARS]}}}
    checks = {
        "database": {"ok": True},
        "chain": _chain_check(health),
        "indexer": _indexer_check(health),
        "outbox": _outbox_check(health),
        "worker": _worker_check(health),
    }
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}
