"""The chain's side of the database: custodial accounts, the transaction outbox, and the indexer's
record of what it has read."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import WeiField


class ChainAccount(models.Model):
    """A custodial signing account. The private key is encrypted with the key-encryption key and
    is only decrypted in memory to sign; `next_nonce` is allocated under a row lock."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="chain_account"
    )
    label = models.CharField(max_length=32, unique=True, help_text="operator, risk-oracle or org-<id>.")
    address = models.CharField(max_length=42, unique=True)
    encrypted_key = models.BinaryField(editable=False)
    next_nonce = models.PositiveBigIntegerField(null=True, blank=True, help_text="Read from the chain on first use.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.label} {self.address}"


class ActionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    MINED = "mined", _("Mined")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")


class ChainAction(models.Model):
    """An outbox row: one on-chain action, written in the same database transaction as the
    business change that caused it. Workers turn queued actions into transactions."""

    idempotency_key = models.CharField(max_length=128, unique=True)
    signer = models.ForeignKey(ChainAccount, on_delete=models.PROTECT, related_name="actions")
    function = models.CharField(max_length=64, help_text="Function of the platform contract, or of the token at to_address; 'transfer' moves plain value.")
    args = models.JSONField(default=list)
    value_wei = WeiField()
    to_address = models.CharField(max_length=42, blank=True, help_text="Plain transfers and token calls only: their target.")
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.QUEUED)
    transaction = models.ForeignKey(
        "ChainTransaction", on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    error = models.TextField(blank=True, help_text="Why the chain refused it, in words.")
    send_alone = models.BooleanField(default=False, help_text="Set after a batch holding it failed.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["signer", "status", "function"])]

    def __str__(self) -> str:
        return f"{self.function} [{self.status}] {self.idempotency_key}"


class TransactionStatus(models.TextChoices):
    SIGNED = "signed", _("Signed, not yet accepted by a node")
    SENT = "sent", _("Sent")
    MINED = "mined", _("Mined")
    CONFIRMED = "confirmed", _("Confirmed")
    REVERTED = "reverted", _("Reverted")
    DROPPED = "dropped", _("Nonce taken by another transaction")


class ChainTransaction(models.Model):
    """One nonce of one signer. It may carry several actions (a batch) and be broadcast several
    times (attempts with rising fees); at most one attempt can ever be mined."""

    signer = models.ForeignKey(ChainAccount, on_delete=models.PROTECT, related_name="transactions")
    nonce = models.PositiveBigIntegerField()
    to_address = models.CharField(max_length=42)
    data = models.TextField(help_text="0x-prefixed call data.")
    value_wei = WeiField()
    gas = models.PositiveBigIntegerField()
    status = models.CharField(max_length=16, choices=TransactionStatus.choices, default=TransactionStatus.SIGNED)
    tx_hash = models.CharField(max_length=66, blank=True, help_text="The mined attempt's hash once mined.")
    block_number = models.PositiveBigIntegerField(null=True, blank=True)
    block_hash = models.CharField(max_length=66, blank=True)
    gas_used = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["signer", "nonce"], name="transaction_unique_nonce")]
        indexes = [models.Index(fields=["status", "updated_at"])]


class AttemptStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REPLACED = "replaced", _("Replaced by a higher fee")
    MINED = "mined", _("Mined")


class TransactionAttempt(models.Model):
    """A signed broadcast of a transaction. The hash is stored before anything is sent."""

    transaction = models.ForeignKey(ChainTransaction, on_delete=models.CASCADE, related_name="attempts")
    tx_hash = models.CharField(max_length=66, unique=True)
    raw = models.BinaryField()
    max_fee_per_gas = WeiField()
    max_priority_fee_per_gas = WeiField()
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.PENDING)
    broadcast_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class ChainEvent(models.Model):
    """Every contract log the indexer has applied, once: (tx hash, log index) is unique."""

    block_number = models.PositiveBigIntegerField()
    block_hash = models.CharField(max_length=66)
    tx_hash = models.CharField(max_length=66)
    log_index = models.PositiveIntegerField()
    name = models.CharField(max_length=64)
    args = models.JSONField()
    mined_at = models.DateTimeField(
        null=True, blank=True, help_text="Its block's time: the contract's block.timestamp."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tx_hash", "log_index"], name="event_unique_log")]
        ordering = ["block_number", "log_index"]


class IndexerState(models.Model):
    """The indexer's cursor on one chain. A chain whose id or genesis differs, or whose block at
    the cursor has a different hash, is not this chain any more: the indexer halts."""

    chain_id = models.PositiveBigIntegerField()
    genesis_hash = models.CharField(max_length=66)
    contract_address = models.CharField(max_length=42)
    last_block = models.PositiveBigIntegerField()
    last_block_hash = models.CharField(max_length=66, blank=True)
    halted_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class Heartbeat(models.Model):
    """The last time a worker ran the beat's heartbeat task: proof that the scheduler and a
    worker on the default queue are alive (`make smoke`, /healthz)."""

    name = models.CharField(max_length=32, unique=True)
    beat_at = models.DateTimeField()
