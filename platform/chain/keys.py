"""Custodial signing keys: created here, encrypted at rest with the key-encryption key from the
environment (Fernet; several keys allow rotation, newest first), decrypted only in memory to
sign. Nothing in this module logs or returns a key in text."""

from cryptography.fernet import MultiFernet, Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from eth_account import Account
from eth_account.signers.local import LocalAccount


def _cipher() -> MultiFernet:
    if not settings.KEY_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("KEY_ENCRYPTION_KEY is not set: custodial keys cannot be encrypted.")
    return MultiFernet([Fernet(key) for key in settings.KEY_ENCRYPTION_KEYS])


def new_key() -> tuple[str, bytes]:
    """A fresh account: its address and its encrypted private key."""
    account = Account.create()
    return account.address, encrypt(account.key)


def encrypt(private_key: bytes) -> bytes:
    return _cipher().encrypt(bytes(private_key))


def decrypt(ciphertext: bytes) -> bytes:
    """Any other secret encrypted with the key-encryption key (e.g. webhook signing secrets)."""
    return _cipher().decrypt(bytes(ciphertext))


def unlock(encrypted_key: bytes) -> LocalAccount:
    return Account.from_key(_cipher().decrypt(bytes(encrypted_key)))


def reencrypt(encrypted_key: bytes) -> bytes:
    """The same key under the newest key-encryption key (for rotation)."""
    return _cipher().rotate(bytes(encrypted_key))
