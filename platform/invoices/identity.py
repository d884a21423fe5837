"""What makes two invoices the same invoice: the seller and the canonical form of the invoice
number. Invoice numbers are unique per issuer in every VAT regime the platform serves (a fapiao
number, the EU VAT directive's sequential number), so buyer, amount, currency and dates are
attributes to check, never part of the identity.

The chain stores an invoice under `keccak256(abi.encode(seller's participant id, key))`, computed
by the contract from the caller, so a key registered by anyone else is another entry and cannot
block the real seller.
"""

import re
import unicodedata

from eth_abi import encode
from eth_utils import keccak

from chain.hashing import salted_hash

# After NFKC (which folds the full-width forms into these), the separators an invoice number may
# be written with or without: whitespace, - _ / . # and every other dash (Unicode class Pd).
_SEPARATORS = re.compile(r"[\s\-_/.#\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63]+")
_DIGIT_RUN = re.compile(r"[0-9]+")


def canonical_invoice_number(number: str) -> str:
    """The invoice number as identity: NFKC, case-folded, leading zeros of each run of digits
    removed (a run as written, so INV-2026-001 and INV-2026-1 are one number), then whitespace and
    separators removed. Idempotent: a removal can join what it separated (two runs of digits, a
    letter and a combining accent), so the steps repeat until nothing changes (two or three passes)."""
    canonical, previous = number, None
    while canonical != previous:
        previous = canonical
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", canonical).casefold())
        canonical = _SEPARATORS.sub("", _without_leading_zeros(folded))
    return canonical


def _without_leading_zeros(text: str) -> str:
    return _DIGIT_RUN.sub(lambda run: run.group().lstrip("0") or "0", text)


def invoice_key(*, seller_legal_id: str, number: str) -> str:
    """The salted key the seller registers on chain: its registration id and the canonical number."""
    return salted_hash("invoice", seller_legal_id, canonical_invoice_number(number))


def chain_fingerprint(*, seller_onchain_id: int, key: str) -> str:
    """The id the contract stores the invoice under, as `invoiceFingerprint(sellerId, key)` computes it."""
    return "0x" + keccak(encode(["uint32", "bytes32"], [seller_onchain_id, bytes.fromhex(key[2:])])).hex()
