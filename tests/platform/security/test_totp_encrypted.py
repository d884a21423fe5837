"""TOTP secrets are stored encrypted with the key-encryption key, as the custodial keys are: no
column holds one in clear, codes still verify, rotation re-encrypts them and the admin never
shows them."""

import base64

import pytest
from cryptography.fernet import Fernet
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from factories import OrganisationFactory, UserFactory
from organisations.models import Role

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-demo-passphrase-42"


def _lender():
    user = UserFactory(organisation=OrganisationFactory(role=Role.LENDER))
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, user):
    client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD})


def _secret_shown_at_setup(client) -> bytes:
    """The secret as the user's authenticator app receives it (base32 on the setup page)."""
    shown = client.get(reverse("portal:otp-setup")).context["secret"]
    return base64.b32decode(shown + "=" * (-len(shown) % 8))


def _code(secret: bytes, steps_ahead: int = 0) -> str:
    return f"{totp(secret, drift=steps_ahead):06d}"


def _set_up(client, user) -> bytes:
    _sign_in(client, user)
    secret = _secret_shown_at_setup(client)
    assert client.post(reverse("portal:otp-setup"), {"code": _code(secret)}).status_code == 302
    return secret


def _forms_of(secret: bytes) -> list:
    """Every way a column could hold the secret in clear."""
    return [secret, secret.hex(), secret.hex().upper(), base64.b32encode(secret).decode().rstrip("=")]


def _every_stored_value() -> list:
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            values += [value for row in cursor.fetchall() for value in row if value is not None]
    return values


def test_no_column_holds_the_totp_secret_in_clear(client):
    secret = _set_up(client, _lender())
    for value in _every_stored_value():
        for form in _forms_of(secret):
            if isinstance(value, (bytes, memoryview)) and isinstance(form, bytes):
                assert form not in bytes(value)
            elif isinstance(value, str) and isinstance(form, str):
                assert form not in value


def test_a_code_from_the_encrypted_secret_signs_in(client):
    user = _lender()
    secret = _set_up(client, user)
    client.logout()
    _sign_in(client, user)
    assert client.post(reverse("portal:otp-verify"), {"code": _code(secret, steps_ahead=1)}).status_code == 302
    assert client.get(reverse("portal:team")).status_code == 200


def test_rotation_re_encrypts_totp_secrets_under_the_new_key(client, settings):
    user = _lender()
    secret = _set_up(client, user)
    old, new = settings.KEY_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.KEY_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_key_encryption")

    settings.KEY_ENCRYPTION_KEYS = [new]
    client.logout()
    _sign_in(client, user)
    assert client.post(reverse("portal:otp-verify"), {"code": _code(secret, steps_ahead=1)}).status_code == 302


def test_the_admin_never_shows_a_totp_secret(admin_client):
    secret = _set_up(Client(), _lender())  # admin_client is the `client` fixture, signed in as staff
    device_admins = [model for model in admin.site._registry if issubclass(model, TOTPDevice)]
    pages = [admin_client.get(reverse("admin:index")).content.decode()]
    for model in device_admins:
        meta = model._meta
        device = model.objects.get(user__organisation__role=Role.LENDER)
        for view in ("changelist", "change"):
            args = [] if view == "changelist" else [device.pk]
            page = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args))
            assert page.status_code == 200
            pages.append(page.content.decode())
    for page in pages:
        for form in _forms_of(secret)[1:]:
            assert form not in page


def test_the_migration_encrypts_devices_made_before_it_and_blanks_their_clear_key(client):
    from importlib import import_module

    from django.apps import apps as current_apps

    from authenticators.models import EncryptedTOTPDevice

    user = _lender()
    legacy = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    secret = legacy.bin_key
    import_module("authenticators.migrations.0002_encrypt_existing_totp_devices").encrypt_existing(current_apps, None)

    device = EncryptedTOTPDevice.objects.get(pk=legacy.pk)
    assert device.bin_key == secret and device.confirmed and device.user == user
    assert TOTPDevice.objects.get(pk=legacy.pk).bin_key != secret
    _sign_in(client, user)
    assert client.post(reverse("portal:otp-verify"), {"code": _code(secret)}).status_code == 302
