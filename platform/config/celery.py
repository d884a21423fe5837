"""The Celery app: settings from Django (CELERY_*), tasks discovered in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from kombu.transport import TRANSPORT_ALIASES

# filesystem:// means the fixed transport of config.broker (see there why).
TRANSPORT_ALIASES["filesystem"] = "config.broker:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("scf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_worker_logs(logger, **_signal):
    # The worker replaces LOGGING's handlers with its own; their lines must be redacted too.
    from api.redaction import log_handlers_redact

    log_handlers_redact(logger=logger)
