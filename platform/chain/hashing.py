"""Salted hashes: the only way parties, invoices and reasons appear on chain. The salt
(FINGERPRINT_SALT) is a platform secret, so a hash cannot be reversed by guessing names."""

from django.conf import settings
from eth_utils import keccak


def salted_hash(*parts: object) -> str:
    """0x-hex keccak256 of the salt and the parts, joined unambiguously."""
    text = "\x1f".join(str(part) for part in (settings.FINGERPRINT_SALT, *parts))
    return "0x" + keccak(text=text).hex()
