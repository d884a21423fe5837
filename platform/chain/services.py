"""The outbox's write side, and the one way down to the chain: business services call
`action_enqueue` (a one-off, or the n-th of a kind), `actions_enqueue_new` (one-offs on many new
subjects at once) or `action_enqueue_next` (one more of its kind) inside their own database
transaction; the send is scheduled only once that transaction
commits. Each action names its purpose and the domain row it acts on, from which the idempotency
key is made. While the indexer is halted, both refuse (halt.ChainPaused) and the caller's
transaction rolls back with its business rows."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from . import client
from .halt import chain_pause_refuse
from .dispatch import actions_send_on_commit
from .selectors import actions_about
from .models import IN_FLIGHT, ActionPurpose, ChainAccount, ChainAction, action_key

MAX_REQUEST_KEY_LENGTH = ChainAction._meta.get_field("request_key").max_length


def request_key_checked(raw: object) -> str:
    """The caller's token for one request (the API's Idempotency-Key, a form's token), or the
    refusal naming `request_key`: without one a replay could act twice."""
    key = str(raw or "").strip()
    if not key:
        raise ValidationError({"request_key": _("A request key is required, so that a replay does not act twice.")})
    if len(key) > MAX_REQUEST_KEY_LENGTH:
        raise ValidationError(
            {
                "request_key": _("The request key is longer than %(limit)s characters.")
                % {"limit": MAX_REQUEST_KEY_LENGTH}
            }
        )
    return key


def _columns(purpose: ActionPurpose, subject: models.Model, sequence: int) -> dict:
    subject_type = ContentType.objects.get_for_model(subject)
    return {
        "purpose": purpose,
        "subject_type": subject_type,
        "subject_id": subject.pk,
        "sequence": sequence,
        "idempotency_key": action_key(
            purpose=purpose, subject_type=subject_type, subject_id=subject.pk, sequence=sequence
        ),
    }


def _call(signer: ChainAccount, function: str, args: list, to_address: str, value_wei: int) -> dict:
    return {"signer": signer, "function": function, "args": args, "to_address": to_address, "value_wei": value_wei}


def action_enqueue(
    *,
    purpose: ActionPurpose,
    subject: models.Model,
    signer: ChainAccount,
    function: str,
    args: list,
    sequence: int = 0,
    to_address: str = "",
    value_wei: int = 0,
) -> ChainAction:
    """Queues one action of `purpose` on `subject`, once per `sequence` (0 for a one-off).
    Calling it again with the same three returns the first action and sends nothing, so a
    replayed request cannot act twice."""
    chain_pause_refuse()
    columns = _columns(purpose, subject, sequence)
    action, created = ChainAction.objects.get_or_create(
        idempotency_key=columns.pop("idempotency_key"),
        defaults=columns | _call(signer, function, args, to_address, value_wei),
    )
    if created:
        actions_send_on_commit([action.pk])
    return action


@dataclass(frozen=True)
class NewAction:
    """A one-off action on a subject that has none of its purpose yet (a row this transaction created)."""

    subject: models.Model
    signer: ChainAccount
    function: str
    args: list


def actions_enqueue_new(*, purpose: ActionPurpose, actions: list[NewAction]) -> list[ChainAction]:
    """Queues a one-off action of `purpose` on each new subject, in one insert, and schedules their
    sends once the caller's transaction commits. Only for subjects created in that transaction: an
    action already queued for one of them breaks the insert (IntegrityError) instead of being
    returned, as `action_enqueue` would."""
    rows = []
    for action in actions:
        columns = _columns(purpose, action.subject, 0)
        rows.append(ChainAction(**columns, **_call(action.signer, action.function, action.args, "", 0)))
    created = ChainAction.objects.bulk_create(rows)
    actions_send_on_commit([action.pk for action in created])
    return created


def action_enqueue_next(
    *,
    purpose: ActionPurpose,
    subject: models.Model,
    signer: ChainAccount,
    function: str,
    args: list,
    request_key: str = "",
    in_flight_is_replay: bool = False,
    to_address: str = "",
    value_wei: int = 0,
) -> ChainAction:
    """Queues one more action of `purpose` on `subject`, with the next sequence number. A replay
    returns the first action and sends nothing: one with the same `request_key`, or, with
    `in_flight_is_replay`, the very same call while it is still in flight (once the chain has
    settled it, the same call is a new, deliberate action). Without either, every call is a new
    action: changes of state that may alternate (suspend, renew, suspend) must all reach the chain,
    in order."""
    chain_pause_refuse()
    earlier = actions_about(subject, purpose)
    while True:
        replayed = None
        if request_key:
            replayed = earlier.filter(request_key=request_key).first()
        elif in_flight_is_replay:
            replayed = next(
                (action for action in earlier.filter(status__in=IN_FLIGHT, function=function) if action.args == args),
                None,
            )
        if replayed is not None:
            return replayed
        highest = earlier.aggregate(highest=Max("sequence"))["highest"]
        columns = _columns(purpose, subject, 0 if highest is None else highest + 1)
        try:
            with transaction.atomic():  # a concurrent caller took the number: look again
                action = ChainAction.objects.create(
                    **columns, request_key=request_key, **_call(signer, function, args, to_address, value_wei)
                )
        except IntegrityError:
            continue
        actions_send_on_commit([action.pk])
        return action


def gas_funding_enqueue(*, operator: ChainAccount, account: ChainAccount, amount_wei: int) -> ChainAction:
    """Sends gas money to a new custodial account: a plain value transfer from the operator."""
    return action_enqueue(
        purpose=ActionPurpose.GAS_FUNDING,
        subject=account,
        signer=operator,
        function="transfer",
        args=[],
        to_address=account.address,
        value_wei=amount_wei,
    )


MAX_ALLOWANCE = 2**256 - 1


def token_allowance_enqueue(*, account: ChainAccount, currency: int) -> ChainAction:
    """Lets the platform contract pull `currency` from a custodial account (repayments, programme
    deposits): an unlimited ERC-20 approve, once per account and currency (the currency's id is
    its sequence). The platform holds these keys already, so a per-payment allowance would add a
    transaction and no safety."""
    platform = client.platform_contract().address
    return action_enqueue(
        purpose=ActionPurpose.TOKEN_APPROVE,
        subject=account,
        sequence=currency,
        signer=account,
        function="approve",
        args=[platform, MAX_ALLOWANCE],
        to_address=client.currency_token(currency),
    )


def token_mint_enqueue(*, operator: ChainAccount, account: ChainAccount, currency: int, units: int, key: str) -> ChainAction:
    """Local chains only: mints mock settlement tokens (the deployer owns the mocks) to an account,
    e.g. a demo lender's liquidity, once per currency and `key`. `units` are token base units."""
    if not client.is_local_chain():
        raise ValueError("Tokens are minted only on a local chain; on a real chain they are bought.")
    return action_enqueue_next(
        purpose=ActionPurpose.TOKEN_MINT,
        subject=account,
        signer=operator,
        function="mint",
        args=[account.address, units],
        to_address=client.currency_token(currency),
        request_key=f"{currency}:{key}",
    )
