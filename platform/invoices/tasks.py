"""Invoices' scheduled job (CELERY_BEAT_SCHEDULE runs it by this name): the mirror of what the
payers of invoices, the core firms, hold to repay them with, so that their pages show balance and
allowance against their dues without calling the chain. Thin: it reads view calls only and stores
the latest reading, so an overlapping or redelivered run does no harm."""

from celery import shared_task

from chain.holdings import token_holdings_refresh
from chain.models import ChainAccount
from chain.tasks import CHAIN_UNREACHABLE
from organisations.models import Role


@shared_task(
    acks_late=True,
    autoretry_for=CHAIN_UNREACHABLE,
    retry_backoff=5,
    retry_backoff_max=30,
    max_retries=3,
    # Beat runs it every minute: a run must end before the next one is due.
    soft_time_limit=50,
    time_limit=55,
)
def payer_holdings_refresh() -> dict:
    payers = ChainAccount.objects.filter(organisation__role=Role.CORE_FIRM).order_by("pk")
    return {"stored": token_holdings_refresh(accounts=payers)}
