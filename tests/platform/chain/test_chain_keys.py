"""chain.keys: custodial keys are encrypted at rest, decrypt to the same account, survive a rotation
of the key-encryption key, and are refused without one."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured

from chain import keys


@pytest.fixture
def old_kek(settings):
    return settings.KEY_ENCRYPTION_KEYS[0]


def test_new_key_decrypts_to_its_address():
    address, encrypted = keys.new_key()

    assert keys.unlock(encrypted).address == address


def test_ciphertext_holds_neither_the_raw_key_nor_its_hex():
    address, encrypted = keys.new_key()
    private_key = bytes(keys.unlock(encrypted).key)

    assert private_key not in encrypted
    assert private_key.hex().encode() not in encrypted.lower()


def test_the_same_key_encrypts_differently_each_time():
    _, encrypted = keys.new_key()
    private_key = keys.unlock(encrypted).key

    assert keys.encrypt(private_key) != keys.encrypt(private_key)


def test_key_encrypted_before_a_rotation_still_unlocks(settings, old_kek):
    address, encrypted = keys.new_key()

    settings.KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_kek]

    assert keys.unlock(encrypted).address == address


def test_reencrypt_moves_the_key_to_the_newest_key_encryption_key(settings, old_kek):
    address, encrypted = keys.new_key()
    new_kek = Fernet.generate_key().decode()
    settings.KEY_ENCRYPTION_KEYS = [new_kek, old_kek]

    reencrypted = keys.reencrypt(encrypted)

    settings.KEY_ENCRYPTION_KEYS = [new_kek]
    assert keys.unlock(reencrypted).address == address
    with pytest.raises(InvalidToken):
        keys.unlock(encrypted)


def test_key_encrypted_with_another_key_encryption_key_does_not_unlock(settings):
    _, encrypted = keys.new_key()

    settings.KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(InvalidToken):
        keys.unlock(encrypted)


def test_without_a_key_encryption_key_no_key_is_created(settings):
    settings.KEY_ENCRYPTION_KEYS = []

    with pytest.raises(ImproperlyConfigured, match="KEY_ENCRYPTION_KEY"):
        keys.new_key()


def test_without_a_key_encryption_key_no_key_is_unlocked(settings):
    _, encrypted = keys.new_key()

    settings.KEY_ENCRYPTION_KEYS = []

    with pytest.raises(ImproperlyConfigured):
        keys.unlock(encrypted)
