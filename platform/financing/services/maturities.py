"""The maturity sweep: what the chain's clock makes due is queued (overdue and defaulted
obligations, and the holders' claims on repayments), each action once, so a replayed or
overlapping run never acts twice. The claims on a repayment are queued as soon as the indexer
applies it (`claims_enqueue`), under the same key: the sweep only catches what that missed."""

from django.db import transaction
from django.db.models import F

from chain import accounts, client
from chain.halt import chain_halt_now
from chain.models import ActionPurpose
from chain.selectors import actions_about
from chain.services import action_enqueue
from invoices.models import Invoice, Piece
from invoices.pending import claimable_by_mirror

from .. import selectors


def maturity_sweep(*, now: int | None = None) -> dict:
    """Queues what the chain's clock makes due: markOverdue for confirmed obligations past their
    grace period; markDefaulted for overdue ones past the default period, which starts when the
    grace period ends (both signed by the operator; anyone may call them); and, for every piece
    with repayments its holder has not collected, a claim signed by the holder's own account: at
    maturity holders are paid without anyone clicking.

    Each obligation goes by the periods in force when it was confirmed, as the chain does (the
    mirror stamps them on it); one confirmed before the mirror kept them, by the deployment's
    periods in the manifest.

    `now` is a unix time; by default the latest block's, since the contract judges by block time.
    Nothing is queued while the platform is paused: the chain would refuse it, and a refused
    action's key would keep the sweep from ever queuing it again; nor while on-chain actions are
    (the indexer halted: the mirror's figures are not the chain's). Returns the number of actions
    queued by this run, per kind.
    """
    if chain_halt_now() is not None or selectors.platform_paused():
        return {"paused": True, "overdue": 0, "defaulted": 0, "claims": 0}
    now = selectors.chain_now() if now is None else now
    deployed = client.manifest()["periods"]
    fallback = selectors.Periods(deployed["grace_seconds"], deployed["default_seconds"])
    operator = accounts.operator_account()
    overdue = sum(
        _enqueue_once(
            purpose=ActionPurpose.MARK_OVERDUE, subject=invoice, signer=operator, function="markOverdue",
            args=[invoice.fingerprint],
        )
        for invoice in selectors.invoices_past_grace(now=now, fallback=fallback)
    )
    defaulted = sum(
        _enqueue_once(
            purpose=ActionPurpose.MARK_DEFAULTED, subject=invoice, signer=operator, function="markDefaulted",
            args=[invoice.fingerprint],
        )
        for invoice in selectors.invoices_past_default(now=now, fallback=fallback)
    )
    claims = sum(
        _claim_enqueue(piece)
        for piece in selectors.pieces_with_unclaimed_repayments()
        if selectors.piece_claimable(piece) > 0
    )
    return {"paused": False, "overdue": overdue, "defaulted": defaulted, "claims": claims}


def claims_enqueue(*, invoice: Invoice) -> int:
    """Queues a claim, signed by its holder, for every piece of the invoice with something to
    claim by the mirrored figures, which hold the repayment the indexer has just applied (events
    are applied in chain order, so they are the chain's at that log). The repayment itself shows
    the platform was not paused. Returns the number of claims this call queued."""
    pieces = Piece.objects.filter(invoice=invoice, claimed__lt=F("amount")).select_related("invoice", "holder")
    return sum(_claim_enqueue(piece) for piece in pieces.order_by("index") if claimable_by_mirror(piece) > 0)


def _claim_enqueue(piece: Piece) -> bool:
    return _enqueue_once(
        purpose=ActionPurpose.PIECE_CLAIM,
        subject=piece,
        sequence=piece.invoice.repaid,  # one claim per repaid total: a new repayment, a new claim
        signer=accounts.organisation_account(piece.holder),
        function="claim",
        args=[piece.invoice.fingerprint, piece.index],
    )


@transaction.atomic
def _enqueue_once(*, purpose: ActionPurpose, subject, sequence: int = 0, **call) -> bool:
    """Queues the action unless it was queued before (even if refused); True when this call queued it."""
    if actions_about(subject, purpose).filter(sequence=sequence).exists():
        return False
    action_enqueue(purpose=purpose, subject=subject, sequence=sequence, **call)
    return True
