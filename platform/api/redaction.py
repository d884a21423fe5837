"""What the platform never shows or logs: the secret parts of service URLs (a node's API key in
its path, a database's or broker's user:password), in pages, in log lines (tracebacks included)
and, on Django's debug error page, the values of the settings that hold secrets."""

import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

MASK = "***"


def redacted_url(url: str) -> str:
    """scheme://host:port of a URL: credentials, path, query and fragment are replaced by a mask,
    because RPC providers put API keys in the path and DSNs carry passwords."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # an unparseable port: nothing after the scheme can be trusted to be harmless
        return f"{url.split(':', 1)[0]}://{MASK}"
    if ":" in host:
        host = f"[{host}]"
    shown = f"{parts.scheme}://{host}{'' if port is None else f':{port}'}"
    hidden = parts.username or parts.password or parts.path.strip("/") or parts.query or parts.fragment
    return f"{shown}/{MASK}" if hidden else shown


def redacted_text(text: str, *, url: str) -> str:
    """An error message with every secret part of `url` masked: HTTP clients quote the whole URL,
    or only its path and query ("Max retries exceeded with url: /v3/<key>")."""
    parts = urlsplit(url)
    secrets = [url, f"{parts.path}?{parts.query}" if parts.query else "", parts.query, parts.password or ""]
    if parts.path.strip("/"):
        secrets.append(parts.path)
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, redacted_url(url) if secret == url else MASK)
    return text


SERVICE_URL_SETTINGS = ("CHAIN_RPC_URL", "DATABASE_URL", "CELERY_BROKER_URL")


def redacted_line(line: str) -> str:
    """A log line with the secret parts of the platform's service URLs masked."""
    for name in SERVICE_URL_SETTINGS:
        if url := getattr(settings, name, None):
            line = redacted_text(line, url=url)
    return line


class RedactingFormatter(logging.Formatter):
    """Log lines redacted whoever wrote them: an HTTP client's exception in a traceback quotes the
    node's path, key and all."""

    def format(self, record: logging.LogRecord) -> str:
        return redacted_line(super().format(record))


class _RedactingWrapper(logging.Formatter):
    """Another formatter's lines, redacted."""

    def __init__(self, inner: logging.Formatter):
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redacted_line(self.inner.format(record))


def log_handlers_redact(*, logger: logging.Logger, **_signal) -> None:
    """Wraps the formatters of a logger's handlers: Celery's worker installs its own, not LOGGING's."""
    for handler in logger.handlers:
        if not isinstance(handler.formatter, (RedactingFormatter, _RedactingWrapper)):
            handler.setFormatter(_RedactingWrapper(handler.formatter or logging.Formatter()))


class SecretSettingsFilter(SafeExceptionReporterFilter):
    """Django's filter hides API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE; the platform's
    salts and service URLs (with their passwords and node keys) are secrets too."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|SALT|URL|PRIVATE|BROKER|DATABASE|DSN|CREDENTIAL",
        flags=re.IGNORECASE,
    )
