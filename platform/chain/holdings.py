"""The settlement tokens custodial accounts hold, mirrored for the pages: each account's balance
of every currency the deployment registered and its allowance to the platform contract, read from
the chain and stored with the time of reading (TokenHolding). Pages read the mirror only."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from . import client
from .models import ChainAccount, TokenHolding


def token_holding_store(
    *, account: ChainAccount, currency: int, balance: int, allowance: int, read_at: datetime
) -> TokenHolding:
    """Stores what was read; a reading older than the stored one changes nothing (two refreshes
    that overlap leave the newer reading)."""
    with transaction.atomic():
        holding, created = TokenHolding.objects.select_for_update().get_or_create(
            account=account, currency=currency,
            defaults={"balance": balance, "allowance": allowance, "read_at": read_at},
        )
        if not created and holding.read_at < read_at:
            holding.balance, holding.allowance, holding.read_at = balance, allowance, read_at
            holding.save(update_fields=["balance", "allowance", "read_at"])
    return holding


def token_holdings_refresh(*, accounts: Iterable[ChainAccount]) -> int:
    """Reads each account's balance and allowance of every deployed currency and stores them;
    returns how many holdings were stored. Nothing is sent: these are view calls."""
    platform = client.platform_contract().address
    tokens = {int(currency): client.token_contract(address) for currency, address in client.manifest()["currencies"].items()}
    stored = 0
    for account in accounts:
        for currency, token in tokens.items():
            read_at = timezone.now()
            owner = client.web3().to_checksum_address(account.address)
            token_holding_store(
                account=account, currency=currency, read_at=read_at,
                balance=token.functions.balanceOf(owner).call(),
                allowance=token.functions.allowance(owner, platform).call(),
            )
            stored += 1
    return stored
