"""Webhook delivery: thin, acks_late, retried with exponential backoff up to MAX_RETRIES."""

from celery import shared_task

from . import delivery

MAX_RETRIES = 8  # about 4 hours of backoff in all


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, soft_time_limit=30, time_limit=45)
def webhook_deliver(self, delivery_id: int) -> None:
    try:
        delivery.delivery_attempt(delivery_id)
    except delivery.DeliveryFailed as failure:
        if self.request.retries >= MAX_RETRIES:
            delivery.delivery_give_up(delivery_id)
            return
        raise self.retry(exc=failure, countdown=min(30 * 2**self.request.retries, 3600))
