"""Users' TOTP authenticators, with their secrets encrypted at rest by the key-encryption key
(KEY_ENCRYPTION_KEY, as the custodial signing keys are) and decrypted only in memory to check a
code or to show the secret once at set-up. django-otp's TOTPDevice keeps its secret in clear hex;
this subclass keeps django-otp's verification, throttling and drift logic and moves the secret."""

from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from chain import keys

SECRET_BYTES = 20  # RFC 4226's recommended 160 bits, django-otp's default


def new_encrypted_secret() -> bytes:
    return keys.encrypt(bytes.fromhex(random_hex(SECRET_BYTES)))


class EncryptedTOTPDevice(TOTPDevice):
    """The inherited `key` column keeps django-otp's random default, never the secret: code that
    reads the row through django-otp's own TOTPDevice matches no code with it, where an empty key
    would make every code computable."""

    encrypted_key = models.BinaryField(default=new_encrypted_secret, editable=False)

    class Meta:
        verbose_name = "TOTP authenticator"

    @property
    def bin_key(self) -> bytes:
        return keys.decrypt(self.encrypted_key)
