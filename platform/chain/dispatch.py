"""Hands outbox actions to the workers. It names the send task as the beat schedule does, so the
outbox's modules never import the task functions (only chain/tasks.py holds them) and the import
graph has no cycle."""

from celery import current_app
from django.db import transaction

ACTION_SEND_TASK = "chain.tasks.action_send_task"


def actions_send(action_ids) -> None:
    """Queues a send task for each action now."""
    for action_id in action_ids:
        current_app.send_task(ACTION_SEND_TASK, args=[action_id])


def actions_send_on_commit(action_ids) -> None:
    """Queues a send task for each action once the current database transaction commits, so a
    worker never looks for an action that is not written yet."""
    ids = list(action_ids)
    transaction.on_commit(lambda: actions_send(ids))
