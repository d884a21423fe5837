"""Matching reverts on the contracts' custom errors.

Brownie decodes a custom error into the revert message "Name: arg1, arg2", each argument being
str() of its ABI-decoded value: addresses as lower-case hex strings (the ABI decoder does not
checksum them), integers and enums as decimals, bytes32 as a Python bytes literal, bools as
True/False, structs as tuples. An error without arguments reads "Name: " (trailing space). `error_message` builds the same string from
the values a test has at hand, so `reverts_with` asserts the error name and every argument.
"""

import brownie
from brownie import chain
from brownie.network.account import Account
from brownie.network.contract import Contract, ProjectContract


def _decoded(value):
    """The value as Brownie's ABI decoder would return it."""
    if isinstance(value, (Account, Contract, ProjectContract)):
        return value.address.lower()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):  # covers IntEnum: the ABI knows enums only as uint8
        return int(value)
    if isinstance(value, (bytes, bytearray)):  # HexBytes fingerprints included
        return bytes(value)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    if isinstance(value, (tuple, list)):
        return tuple(_decoded(item) for item in value)
    return value


def error_message(name, *args):
    """The revert message Brownie produces for custom error `name` raised with `args`."""
    return f"{name}: {', '.join(str(_decoded(arg)) for arg in args)}"


def reverts_with(name, *args):
    """Context manager: the call inside must revert with custom error `name(args...)`."""
    return brownie.reverts(error_message(name, *args))


# Shared set-up that several unit modules need (kept here rather than in a conftest).


def expire_kyc(scf, admin, account, seconds=60):
    """Lets `account`'s KYC lapse: an admin shortens it to `seconds` from now, then the chain
    moves past that moment. Returns the expiry, as the KycExpired errors report it."""
    expiry = chain.time() + seconds
    scf.renewKyc(account, expiry, {"from": admin})
    chain.mine(timedelta=seconds + 1)
    return expiry


def sleep_until(timestamp):
    """Moves the chain clock so that the next block is mined at `timestamp` or a few seconds
    after it (Brownie's clock can run up to a second ahead of the chain's)."""
    chain.sleep(max(0, timestamp + 2 - chain.time()))
