"""Invoices' scheduled job: registered under the name the beat schedule uses, thin, acknowledged
late and bounded in time (it reads the chain in the browser story)."""

from django.conf import settings

from config.celery import app
from invoices import tasks


def test_beat_schedule_names_the_payer_holdings_job():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    app.loader.import_default_modules()

    assert tasks.payer_holdings_refresh.name == "invoices.tasks.payer_holdings_refresh"
    assert tasks.payer_holdings_refresh.name in scheduled and tasks.payer_holdings_refresh.name in app.tasks


def test_the_job_is_acknowledged_late_and_ends_before_the_next_run():
    job = tasks.payer_holdings_refresh
    schedule = next(entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == job.name)

    assert job.acks_late and 0 < job.soft_time_limit < job.time_limit < schedule
