"""The contract's own financing quotes for a piece: CreditDesk.quoteFinancing, the decision
requestFinancing makes, asked of each lender, with the figures a holder weighs it by (the
programme's minimum rating, the holder's rating), all read at one block so they agree.

A read, never a transaction: nothing is signed and nothing moves. The node's silence and the
contract's refusal (paused, unknown piece) are raised apart, each said in words."""

import functools
from dataclasses import dataclass
from typing import Sequence

from django.conf import settings
from web3 import Web3
from web3.exceptions import ContractLogicError

from . import client
from .errors import revert_from

READ_TIMEOUT_SECONDS = 3  # a page waits for this read: a silent node must not hold it for long


class ChainSilent(Exception):
    """The node did not answer."""


@dataclass(frozen=True)
class LenderQuote:
    """One lender's answer. `reason` is the contract's RejectReason (0: it would approve)."""

    lender: str
    reason: int
    advance: int
    discount: int
    tenor_days: int
    min_rating: int


@dataclass(frozen=True)
class PieceQuotes:
    block: int
    holder: str
    holder_rating: int
    quotes: tuple[LenderQuote, ...]


@functools.lru_cache(maxsize=4)
def _reader(rpc_url: str) -> Web3:
    return Web3(Web3.HTTPProvider(
        rpc_url, request_kwargs={"timeout": READ_TIMEOUT_SECONDS}, exception_retry_configuration=None
    ))


def _contract(w3: Web3):
    entry = client.manifest()["contracts"]["SupplyChainFinance"]
    return w3.eth.contract(address=entry["address"], abi=entry["abi"])


def financing_quotes(
    *, fingerprint: bytes, index: int, lenders: Sequence[str], core_firm: str, currency: int
) -> PieceQuotes:
    """Each lender's quote (addresses, in the order given) for piece `index` of the invoice
    `fingerprint`, whose buyer is `core_firm`, in `currency`. Raises ChainRevert when the contract
    refuses to quote, ChainSilent when the node does not answer."""
    try:
        w3 = _reader(settings.CHAIN_RPC_URL)
        contract = _contract(w3)
        block = w3.eth.block_number
        with w3.batch_requests() as batch:
            batch.add(contract.functions.piece(fingerprint, index).call(block_identifier=block))
            for lender in lenders:
                batch.add(contract.functions.quoteFinancing(fingerprint, index, lender).call(block_identifier=block))
                batch.add(contract.functions.programme(lender, core_firm, currency).call(block_identifier=block))
            answers = batch.execute()
        holder = answers[0][0]
        rating = contract.functions.participant(holder).call(block_identifier=block)[2]
    except ContractLogicError as error:
        raise revert_from(error) from error
    except Exception as error:  # whatever keeps the node from answering: a timeout, a refused connection
        raise ChainSilent(f"{type(error).__name__}: {error}") from error
    quotes = tuple(
        LenderQuote(lender=lender, reason=int(quoted[0]), advance=int(quoted[1]), discount=int(quoted[2]),
                    tenor_days=int(quoted[3]), min_rating=int(book[7]))
        for lender, quoted, book in zip(lenders, answers[1::2], answers[2::2])
    )
    return PieceQuotes(block=block, holder=holder, holder_rating=int(rating), quotes=quotes)
