"""Rotating the key-encryption key: after re-encryption, the secrets open with the new key alone."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from authenticators.models import EncryptedTOTPDevice
from chain import keys
from chain.models import ChainAccount
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_create

from factories import ChainAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_rotation_moves_every_secret_to_the_new_key(settings):
    account = ChainAccountFactory()
    address = account.address
    _endpoint, secret = webhook_endpoint_create(created_by=UserFactory(), url="https://erp.example.com/hook")
    device = EncryptedTOTPDevice.objects.create(user=UserFactory(), name="app", confirmed=True)
    totp_secret = device.bin_key
    old = settings.KEY_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()

    settings.KEY_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_key_encryption")

    settings.KEY_ENCRYPTION_KEYS = [new]
    assert keys.unlock(ChainAccount.objects.get(pk=account.pk).encrypted_key).address == address
    assert keys.decrypt(WebhookEndpoint.objects.get().encrypted_secret).decode() == secret
    assert EncryptedTOTPDevice.objects.get(pk=device.pk).bin_key == totp_secret
    settings.KEY_ENCRYPTION_KEYS = [old]
    with pytest.raises(Exception):
        keys.unlock(ChainAccount.objects.get(pk=account.pk).encrypted_key)
