"""The outbox's write side: business services call `action_enqueue` inside their own database
transaction; the send is scheduled only once that transaction commits."""

from django.db import transaction

from . import client
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


MAX_ALLOWANCE = 2**256 - 1


def token_allowance_enqueue(*, account: ChainAccount, currency: int) -> ChainAction:
    """Lets the platform contract pull `currency` from a custodial account (repayments, programme
    deposits): an unlimited ERC-20 approve, once per account and currency. The platform holds
    these keys already, so a per-payment allowance would add a transaction and no safety."""
    platform = client.platform_contract().address
    return action_enqueue(
        signer=account,
        function="approve",
        args=[platform, MAX_ALLOWANCE],
        to_address=client.currency_token(currency),
        idempotency_key=f"token-approve:{account.address}:{currency}",
    )


def token_mint_enqueue(*, operator: ChainAccount, account: ChainAccount, currency: int, units: int, key: str) -> ChainAction:
    """Local chains only: mints mock settlement tokens (the deployer owns the mocks) to an account,
    e.g. a demo lender's liquidity. `units` are token base units."""
    if not client.is_local_chain():
        raise ValueError("Tokens are minted only on a local chain; on a real chain they are bought.")
    return action_enqueue(
        signer=operator,
        function="mint",
        args=[account.address, units],
        to_address=client.currency_token(currency),
        idempotency_key=f"token-mint:{account.address}:{currency}:{key}",
    )
