"""The chain's side of the database: custodial accounts, the transaction outbox, and the indexer's
record of what it has read."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from api.choices import ChoiceLabels

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


class ActionPurpose(models.TextChoices):
    """What an action is for. The domain apps name their purposes here; the chain only stores them."""

    GAS_FUNDING = "gas-funding"
    TOKEN_APPROVE = "token-approve"
    TOKEN_MINT = "token-mint"
    PARTICIPANT_REGISTER = "participant-register"
    PARTICIPANT_RENEW_KYC = "participant-renew-kyc"
    PARTICIPANT_SUSPEND = "participant-suspend"
    RATING_POST = "rating-post"
    INVOICE_REGISTER = "invoice-register"
    INVOICE_CONFIRM = "invoice-confirm"
    INVOICE_DISPUTE = "invoice-dispute"
    REPAY = "repay"
    MARK_OVERDUE = "mark-overdue"
    MARK_DEFAULTED = "mark-defaulted"
    PIECE_SPLIT = "piece-split"
    PIECE_TRANSFER = "piece-transfer"
    PIECE_CLAIM = "piece-claim"
    PIECE_WRITE_OFF = "piece-write-off"
    FINANCING_REQUEST = "financing-request"
    PROGRAMME_TERMS = "programme-terms"
    PROGRAMME_FUND = "programme-fund"
    PROGRAMME_DEFUND = "programme-defund"


IN_FLIGHT = (ActionStatus.QUEUED, ActionStatus.SENT, ActionStatus.MINED)
SETTLED = (ActionStatus.CONFIRMED, ActionStatus.FAILED)


class ChainAction(ChoiceLabels, models.Model):
    """An outbox row: one on-chain action, written in the same database transaction as the
    business change that caused it. Workers turn queued actions into transactions.

    What it is for is in columns: its `purpose`, the domain row it acts on (`subject`) and its
    `sequence` among the actions of that purpose on that subject. The idempotency key is made
    of those three by `action_key` and is only ever compared whole, never taken apart."""

    idempotency_key = models.CharField(max_length=128, unique=True)
    purpose = models.CharField(max_length=32, choices=ActionPurpose.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    sequence = models.PositiveBigIntegerField(
        default=0, help_text="Tells apart the actions of one purpose on one subject: 0 for a one-off."
    )
    request_key = models.CharField(
        max_length=64, blank=True, help_text="The caller's token for this one request: a replay with it acts once."
    )
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
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "subject_type", "subject_id", "sequence"], name="action_unique_sequence"
            ),
            models.UniqueConstraint(
                fields=["purpose", "subject_type", "subject_id", "request_key"],
                condition=~Q(request_key=""),
                name="action_unique_request_key",
            ),
        ]
        indexes = [
            models.Index(fields=["signer", "status", "function"]),
            models.Index(fields=["subject_type", "subject_id"], name="action_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.function} [{self.status}] {self.idempotency_key}"


def action_key(*, purpose: str, subject_type: ContentType, subject_id: int, sequence: int) -> str:
    """The one place the idempotency key is made: `invoice-confirm:invoices.invoice:42:0`."""
    return f"{purpose}:{subject_type.app_label}.{subject_type.model}:{subject_id}:{sequence}"


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


class HaltCause(models.TextChoices):
    """Why the indexer halted: the chain behind CHAIN_RPC_URL is not the history it mirrors."""

    REPLACED = "replaced", _("The chain was replaced")
    REWOUND = "rewound", _("The chain was rewound")
    REORGANISED = "reorganised", _("A reorganisation deeper than the confirmation depth")


class IndexerState(models.Model):
    """The indexer's cursor on one chain. A chain whose id or genesis differs, or whose block at
    the cursor has a different hash, is not this chain any more: the indexer halts, and records
    why (`halted_cause`, in words in `halted_reason`) and the chain's head it found then."""

    chain_id = models.PositiveBigIntegerField()
    genesis_hash = models.CharField(max_length=66)
    contract_address = models.CharField(max_length=42)
    last_block = models.PositiveBigIntegerField()
    last_block_hash = models.CharField(max_length=66, blank=True)
    halted_reason = models.TextField(blank=True)
    halted_cause = models.CharField(max_length=16, choices=HaltCause.choices, blank=True)
    halted_head = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The chain's head block when the indexer halted."
    )
    updated_at = models.DateTimeField(auto_now=True)


class Heartbeat(models.Model):
    """The last time a worker ran the beat's heartbeat task: proof that the scheduler and a
    worker on the default queue are alive (`make smoke`, /healthz)."""

    name = models.CharField(max_length=32, unique=True)
    beat_at = models.DateTimeField()


class TokenHolding(models.Model):
    """A custodial account's balance of one settlement token and what it lets the platform contract
    pull from it (its ERC-20 allowance), as last read from the chain. Pages show these, with the
    time they were read, and never call the chain; a scheduled job reads them again."""

    account = models.ForeignKey(ChainAccount, on_delete=models.CASCADE, related_name="token_holdings")
    currency = models.PositiveSmallIntegerField(help_text="The contract's currency id.")
    balance = WeiField(help_text="Token base units (micro-units for the platform's currencies).")
    allowance = WeiField(help_text="Base units the platform contract may pull: repayments come from here.")
    read_at = models.DateTimeField(help_text="When the chain was read.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "currency"], name="holding_unique_per_currency")]

    def __str__(self) -> str:
        return f"{self.account.label} currency {self.currency}: {self.balance} (allowance {self.allowance})"
