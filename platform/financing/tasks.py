"""Financing's scheduled jobs (CELERY_BEAT_SCHEDULE runs them by these names): the maturity sweep and
supplier risk scoring. Thin and acks_late: both services only queue idempotent outbox actions, so
a run that is redelivered or overlaps the next one queues nothing twice."""

from celery import shared_task

from chain.tasks import CHAIN_UNREACHABLE

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=CHAIN_UNREACHABLE,
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=4,
    # Beat runs it every five minutes: a run must end before the next one is due.
    soft_time_limit=240,
    time_limit=270,
)
def maturity_sweep() -> dict:
    return services.maturity_sweep()


# No chain retries here: scoring reads the database and writes outbox rows only; the outbox's own
# tasks deal with the chain.
@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def risk_scoring() -> dict:
    return {"posted": len(services.ratings_post())}
