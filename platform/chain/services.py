"""The outbox's write side: business services call `action_enqueue` inside their own database
transaction; the send is scheduled only once that transaction commits."""

from django.db import transaction

from .models import ChainAccount, ChainAction


def action_enqueue(
    *, signer: ChainAccount, function: str, args: list, idempotency_key: str, to_address: str = "", value_wei: int = 0
) -> ChainAction:
    """Queues one on-chain action. Calling it again with the same key returns the first action
    and sends nothing new, so a replayed request cannot act twice."""
    action, created = ChainAction.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "signer": signer,
            "function": function,
            "args": args,
            "to_address": to_address,
            "value_wei": value_wei,
        },
    )
    if created:
        from .tasks import action_send_task  # tasks import services: break the cycle here

        transaction.on_commit(lambda: action_send_task.delay(action.pk))
    return action


def gas_funding_enqueue(*, operator: ChainAccount, account: ChainAccount, amount_wei: int) -> ChainAction:
    """Sends gas money to a new custodial account: a plain value transfer from the operator."""
    return action_enqueue(
        signer=operator,
        function="transfer",
        args=[],
        to_address=account.address,
        value_wei=amount_wei,
        idempotency_key=f"fund-gas:{account.address}",
    )
