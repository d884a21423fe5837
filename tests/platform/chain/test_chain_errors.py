"""chain.errors: revert data of the contract's custom errors said in words, whichever way the node
hands it over. The revert data is built here from the compiled ABI with eth_abi, as the EVM
encodes it."""

import pytest
from eth_abi import encode
from eth_utils import function_abi_to_4byte_selector, keccak
from web3.exceptions import ContractLogicError

from chain.errors import ChainRevert, decode_revert, revert_from
from factories import platform_abi

pytestmark = pytest.mark.usefixtures("manifest")

FINGERPRINT = bytes.fromhex("ab" * 32)
ACCOUNT = "0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1"


def _type(item: dict) -> str:
    if item["type"] == "tuple":
        return "(" + ",".join(_type(component) for component in item["components"]) + ")"
    return item["type"]


def _revert_data(name: str, *values) -> bytes:
    [entry] = [entry for entry in platform_abi() if entry["type"] == "error" and entry["name"] == name]
    return function_abi_to_4byte_selector(entry) + encode([_type(item) for item in entry["inputs"]], values)


def test_selector_is_the_error_signatures_hash():
    selector = keccak(text="InvoiceAlreadyRegistered(bytes32)")[:4]
    assert _revert_data("InvoiceAlreadyRegistered", FINGERPRINT)[:4] == selector


def test_invoice_already_registered_names_the_fingerprint():
    revert = decode_revert("0x" + _revert_data("InvoiceAlreadyRegistered", FINGERPRINT).hex())

    assert revert.name == "InvoiceAlreadyRegistered"
    assert revert.args_by_name == {"fingerprint": "0x" + "ab" * 32}
    assert revert.message == (
        f"This invoice is already registered on the platform (fingerprint 0x{'ab' * 32}). [InvoiceAlreadyRegistered]"
    )


def test_role_required_names_both_roles_in_words():
    revert = decode_revert(_revert_data("ParticipantRoleRequired", ACCOUNT, 2, 1))

    assert revert.name == "ParticipantRoleRequired"
    assert revert.message == "This step needs the role core firm; the account has supplier. [ParticipantRoleRequired]"


def test_role_number_the_platform_does_not_know_is_shown_as_a_number():
    revert = decode_revert(_revert_data("ParticipantRoleRequired", ACCOUNT, 3, 9))

    assert revert.message.startswith("This step needs the role lender; the account has 9.")


def test_settlement_invalid_amount_names_the_amount_and_what_is_owed():
    revert = decode_revert(_revert_data("SettlementInvalidAmount", 1_500_000, 1_000_000))

    assert revert.args_by_name == {"amount": 1_500_000, "owed": 1_000_000}
    assert revert.message == (
        "The repayment 1500000 must be above zero and at most the 1000000 owed. [SettlementInvalidAmount]"
    )


def test_piece_below_minimum_names_the_minimum():
    revert = decode_revert(_revert_data("PieceBelowMinimum", 5, 61_036))

    assert revert.message == (
        "A split must leave both pieces at or above the minimum piece of 61036 micro-units (1/16,384 of the invoice, "
        "rounded up); splitting off 5 does not. [PieceBelowMinimum]"
    )


def test_refused_write_off_says_who_may_write_off_and_when():
    revert = decode_revert(_revert_data("SettlementCannotWriteOff", FINGERPRINT, 3))

    assert revert.message.startswith("Piece 3 cannot be written off: only its lender can, once,")


def test_inexact_token_says_what_moved():
    revert = decode_revert(_revert_data("ConfigInexactToken", ACCOUNT, 10**6, 990_000))

    assert revert.message.startswith("The token moved 990000 instead of 1000000 in its test transfer:")


def test_invoice_status_is_named_in_words():
    revert = decode_revert(_revert_data("InvoiceWrongStatus", FINGERPRINT, 3))

    assert revert.message == "The invoice is disputed and cannot take this step. [InvoiceWrongStatus]"


def test_error_without_arguments_is_said_in_words():
    revert = decode_revert(_revert_data("ConfigPaused"))

    assert revert.message == "The platform is paused by its operator. [ConfigPaused]"


def test_error_with_a_struct_argument_is_decoded():
    # limit, advance rate, base rate, max tenor, spread, min rating, max rating age
    terms = (1_000_000, 0, 500, 90, 50, 4, 365)

    revert = decode_revert(_revert_data("CreditInvalidTerms", terms))

    assert revert.name == "CreditInvalidTerms"
    assert revert.message.startswith("The programme terms are invalid")


@pytest.mark.parametrize(
    "data",
    ["0x" + keccak(text="SomethingElse(uint256)")[:4].hex() + "00" * 32, "0x", "", None, b"\x01\x02"],
    ids=["unknown-selector", "empty-hex", "empty", "none", "shorter-than-a-selector"],
)
def test_unknown_revert_gets_a_generic_message(data):
    revert = decode_revert(data)

    assert (revert.name, revert.args_by_name) == ("Reverted", {})
    assert revert.message == "The contract refused the call without a known reason."


def test_truncated_arguments_name_the_error_without_its_arguments():
    revert = decode_revert(_revert_data("InvoiceAlreadyRegistered", FINGERPRINT)[:20])

    assert (revert.name, revert.args_by_name) == ("InvoiceAlreadyRegistered", {})
    assert "malformed arguments" in revert.message


def test_token_error_bubbled_through_safe_erc20_is_explained():
    data = keccak(text="ERC20InsufficientAllowance(address,uint256,uint256)")[:4] + encode(
        ["address", "uint256", "uint256"], [ACCOUNT, 0, 1_000_000]
    )

    assert decode_revert(data).name == "ERC20InsufficientAllowance"


def test_chain_revert_reads_as_its_message():
    revert = decode_revert(_revert_data("ConfigPaused"))

    assert isinstance(revert, ChainRevert)
    assert str(revert) == revert.message


# Errors of web3 calls, as the nodes report them


def test_geth_style_error_with_the_data_as_a_string():
    data = "0x" + _revert_data("ParticipantRoleRequired", ACCOUNT, 2, 1).hex()
    error = ContractLogicError("execution reverted", data=data)

    assert revert_from(error).name == "ParticipantRoleRequired"


def test_ganache_style_error_with_the_data_in_result():
    data = "0x" + _revert_data("SettlementInvalidAmount", 5, 4).hex()
    ganache_data = {"hash": None, "programCounter": 1234, "result": data, "reason": None, "message": "revert"}
    error = ContractLogicError("execution reverted", data=ganache_data)

    assert revert_from(error).args_by_name == {"amount": 5, "owed": 4}


def test_error_without_revert_data_keeps_the_nodes_message():
    revert = revert_from(ContractLogicError("execution reverted: out of gas", data=None))

    assert revert.name == "Reverted"
    assert revert.message == "The contract refused the call: execution reverted: out of gas"
