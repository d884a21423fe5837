"""Financing's Celery tasks: registered under the names the beat schedule uses, and thin."""

import pytest
from django.conf import settings

from config.celery import app
from financing import tasks

from financing_factories import SupplierFactory, risk_oracle


def test_beat_schedule_names_the_financing_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    app.loader.import_default_modules()

    assert {"financing.tasks.maturity_sweep", "financing.tasks.risk_scoring"} <= scheduled
    assert {tasks.maturity_sweep.name, tasks.risk_scoring.name} <= set(app.tasks)
    assert (tasks.maturity_sweep.name, tasks.risk_scoring.name) == (
        "financing.tasks.maturity_sweep", "financing.tasks.risk_scoring"
    )


def test_tasks_are_acknowledged_late_with_time_limits():
    for task in (tasks.maturity_sweep, tasks.risk_scoring):
        assert task.acks_late
        assert 0 < task.soft_time_limit < task.time_limit
    assert tasks.maturity_sweep.max_retries == 4


@pytest.mark.django_db
def test_risk_scoring_posts_ratings():
    risk_oracle()
    SupplierFactory()

    assert tasks.risk_scoring.apply().get() == {"posted": 1}
