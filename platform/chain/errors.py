"""Reverts decoded into the contract's custom errors, and said in words a user understands."""

from dataclasses import dataclass

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector

from . import client

# What each custom error means, for the person whose action failed. Arguments are filled in by name.
MESSAGES = {
    "InvoiceAlreadyRegistered": "This invoice is already registered on the platform (fingerprint {fingerprint}).",
    "InvoiceDocumentAlreadyUsed": "This invoice document already backs another invoice (fingerprint {fingerprint}).",
    "InvoiceUnknown": "No invoice with fingerprint {fingerprint} is registered.",
    "InvoiceMissingHash": "The invoice needs its key and the hash of its invoice document.",
    "InvoiceInvalidAmount": "The invoice amount must be above zero (got {amount}).",
    "InvoiceInvalidDates": "The due date must fall after the issue date and in the future.",
    "InvoiceNotBuyer": "Only the invoice's buyer can confirm or dispute it.",
    "InvoiceWrongStatus": "The invoice is {status} and cannot take this step.",
    "ParticipantAlreadyRegistered": "The account {account} is already registered on chain.",
    "ParticipantUnknown": "The account {account} is not registered on chain.",
    "ParticipantRoleRequired": "This step needs the role {required}; the account has {actual}.",
    "ParticipantKycExpired": "The organisation's KYC has expired: an admin must renew it first.",
    "ParticipantInvalidKycExpiry": "The KYC expiry must lie in the future.",
    "ParticipantInvalidRegistration": "The account cannot be registered with role {role}.",
    "ParticipantInvalidRating": "A rating runs from 1 to 10 (got {rating}).",
    "ParticipantLockout": "No admin may change its own record or the founding admin's: the platform must always keep an admin with current KYC.",
    "ConfigPaused": "The platform is paused by its operator.",
    "ConfigNotPaused": "The platform is not paused.",
    "ConfigReentrantCall": "A reentrant call was refused.",
    "ConfigUnknownCurrency": "Currency {currency} is not supported.",
    "ConfigCurrencyExists": "The token {token} is already a currency.",
    "ConfigUnsupportedDecimals": "Tokens with {decimals} decimals are not supported.",
    "ConfigTooManyCurrencies": "No more currencies can be added.",
    "ConfigInexactToken": "The token moved {moved} instead of {expected} in its test transfer: fee-on-transfer and rebasing tokens cannot be settlement currencies.",
    "ConfigInvalidPeriods": "The grace period must be shorter than the default period.",
    "PieceUnknown": "The receivable has no piece {piece}.",
    "PieceNotHolder": "Only the holder of piece {piece} can do this.",
    "PieceInvalidAmount": "The amount must be above zero and at most the {available} available.",
    "PieceLocked": "Piece {piece} is financed, settled or a reserve and cannot be split or moved.",
    "PieceInvalidRecipient": "The recipient {to} cannot hold receivables.",
    "PieceLimitReached": "The receivable cannot be split any further.",
    "PieceBelowMinimum": "A split must leave both pieces at or above the minimum piece of {minimum} micro-units (1/16,384 of the invoice, rounded up); splitting off {amount} does not.",
    "CreditInvalidParty": "{account} is not a registered core firm.",
    "CreditInvalidTerms": (
        "The programme terms are invalid (rates up to 100%, advance rate, tenor and maximum rating age above zero)."
    ),
    "CreditLimitBelowExposure": "The limit {limit} is below the programme's current exposure {exposure}.",
    "CreditInvalidLiquidity": "The amount {amount} exceeds the {available} available.",
    "SettlementInvalidAmount": "The repayment {amount} must be above zero and at most the {owed} owed.",
    "SettlementNothingToClaim": "Nothing is claimable on piece {piece} yet.",
    "SettlementCannotWriteOff": "Piece {piece} cannot be written off: only its lender can, once, while it is financed and unsettled and the obligation has defaulted.",
    "SettlementTooEarly": "Too early: this is possible from {notBefore} (unix time).",
    "SafeERC20FailedOperation": "The token transfer failed (balance or allowance too low?).",
    "ERC20InsufficientBalance": "The token balance of {sender} is {balance}; {needed} is needed.",
    "ERC20InsufficientAllowance": "The platform may spend {allowance} of this token; {needed} is needed. Approve more first.",
    "Error": "The contract refused the call: {reason}",
    "Panic": "The contract hit an internal error (panic code {code}).",
}
# Solidity's built-in revert forms, beside the custom errors of the ABIs.
BUILTIN_ERRORS = [
    {"type": "error", "name": "Error", "inputs": [{"name": "reason", "type": "string"}]},
    {"type": "error", "name": "Panic", "inputs": [{"name": "code", "type": "uint256"}]},
]


@dataclass(frozen=True)
class ChainRevert(Exception):
    """A call the contract refused. `name` is the custom error, `message` says it in words."""

    name: str
    args_by_name: dict
    message: str

    def __str__(self) -> str:
        return self.message


def _error_abis() -> dict[bytes, dict]:
    deployment = client.manifest()
    # The token's own errors (OpenZeppelin 5 ERC-20) bubble up through SafeERC20 unchanged.
    abi = deployment["contracts"]["SupplyChainFinance"]["abi"] + deployment.get("erc20_abi", []) + BUILTIN_ERRORS
    errors = {}
    for entry in abi:
        if entry["type"] == "error":
            signature = f"{entry['name']}({','.join(_abi_type(item) for item in entry['inputs'])})"
            errors[function_signature_to_4byte_selector(signature)] = entry
    return errors


def _abi_type(item: dict) -> str:
    if item["type"].startswith("tuple"):
        return f"({','.join(_abi_type(component) for component in item['components'])}){item['type'][5:]}"
    return item["type"]


# Enum arguments, named as the contract's enums name their values.
ENUM_NAMES = {
    "role": ("none", "supplier", "core firm", "lender", "risk oracle", "admin"),
    "status": ("unknown", "registered", "confirmed", "disputed", "repaid", "overdue", "defaulted"),
}
ENUM_ARGUMENTS = {"required": "role", "actual": "role", "role": "role", "status": "status"}


def _readable(name: str, value):
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if name in ENUM_ARGUMENTS and isinstance(value, int):
        names = ENUM_NAMES[ENUM_ARGUMENTS[name]]
        return names[value] if value < len(names) else value
    return value


def decode_revert(data: str | bytes | None) -> ChainRevert:
    """The custom error in revert `data` (0x-hex or bytes), or a generic revert if unknown."""
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) else (data or b"")
    entry = _error_abis().get(raw[:4])
    if entry is None:
        return ChainRevert("Reverted", {}, "The contract refused the call without a known reason.")
    try:
        values = decode([_abi_type(item) for item in entry["inputs"]], raw[4:])
    except DecodingError:
        return ChainRevert(entry["name"], {}, f"The contract refused the call [{entry['name']}, malformed arguments].")
    args = {item["name"]: _readable(item["name"], value) for item, value in zip(entry["inputs"], values)}
    template = MESSAGES.get(entry["name"], entry["name"])
    try:
        message = template.format(**args)
    except (KeyError, IndexError):
        message = template
    return ChainRevert(entry["name"], args, f"{message} [{entry['name']}]")


def revert_from(error: Exception) -> ChainRevert:
    """The ChainRevert inside a web3 call error. Nodes differ: geth puts the revert data in the
    error's `data` string, Ganache in `data.result` of an object."""
    data = getattr(error, "data", None)
    if isinstance(data, dict):
        data = data.get("result") or data.get("data")
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        return decode_revert(data)
    return ChainRevert("Reverted", {}, f"The contract refused the call: {getattr(error, 'message', None) or error}")
