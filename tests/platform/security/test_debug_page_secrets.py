"""With DEBUG on (a developer's `make run`), Django's error page lists the settings: the ones
holding secrets (salts, keys, tokens, the database, broker and node URLs) are masked."""

import pytest
from django.test import RequestFactory
from django.views.debug import technical_500_response

SECRET_VALUES = {
    "FINGERPRINT_SALT": "salt-value-never-shown",
    "KEY_ENCRYPTION_KEYS": ["fernet-key-never-shown"],
    "DATABASE_URL": "postgres://scf:database-password-never-shown@db.internal:5432/scf",
    "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": "db-dict-password-never-shown"}},
    "CELERY_BROKER_URL": "amqp://scf:broker-password-never-shown@mq.internal:5672//",
    "CHAIN_RPC_URL": "https://node.example.com/v3/rpc-key-never-shown",
    "OPERATOR_PRIVATE_KEY": "0xoperator-key-never-shown",
    "HEALTH_MONITORING_TOKEN": "monitoring-token-never-shown",
}


@pytest.fixture
def secret_settings(settings):
    settings.DEBUG = True
    for name, value in SECRET_VALUES.items():
        setattr(settings, name, value)


def _error_page(request=None) -> str:
    """The page for an error raised here: this frame's locals are listed too, so it holds no secret."""
    request = request or RequestFactory().get("/broken")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        return technical_500_response(request, type(error), error, error.__traceback__).content.decode()


@pytest.mark.parametrize("name", list(SECRET_VALUES))
def test_the_debug_error_page_masks_every_secret_setting(secret_settings, name):
    page = _error_page()
    assert name in page  # the setting is listed, its value is not
    assert "never-shown" not in page.split(name, 1)[1].split("</tr>", 1)[0]


def test_the_debug_error_page_shows_no_secret_value_anywhere(secret_settings):
    assert "never-shown" not in _error_page()


def test_the_debug_error_page_masks_the_environment_the_dev_server_passes_in_meta(secret_settings):
    # runserver copies os.environ into every request's META, and the error page lists META.
    environment = {name: SECRET_VALUES[name] for name in ("DATABASE_URL", "CHAIN_RPC_URL", "FINGERPRINT_SALT")}
    assert "never-shown" not in _error_page(RequestFactory().get("/broken", **environment))
