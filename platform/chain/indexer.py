"""The event indexer: reads the platform contract's logs from the last indexed block up to the
confirmation depth and applies each one exactly once. The chain is the truth; the database
mirrors it. A chain that is not the one we indexed (another chain id or genesis, or a block below
the cursor whose hash changed) halts the indexer loudly: two histories are never mixed."""

import logging
from collections.abc import Mapping
from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from eth_utils import event_abi_to_log_topic
from web3._utils.events import get_event_data

from . import client, halt, handlers
from .models import ActionStatus, ChainEvent, ChainTransaction, HaltCause, IndexerState, TransactionStatus

log = logging.getLogger(__name__)


class ChainDiverged(RuntimeError):
    """The chain behind CHAIN_RPC_URL is not the chain the database mirrors."""


def _hex(value) -> str:
    return "0x" + bytes(value).hex()


def indexer_state() -> IndexerState:
    deployment = client.manifest()
    address = deployment["contracts"]["SupplyChainFinance"]["address"]
    state, _ = IndexerState.objects.get_or_create(
        chain_id=deployment["chain_id"],
        contract_address=address,
        defaults={"genesis_hash": deployment["genesis_hash"], "last_block": deployment["deployment_block"] - 1},
    )
    return state


def _halt(state: IndexerState, cause: HaltCause, head: int, reason: str) -> None:
    IndexerState.objects.filter(pk=state.pk).update(halted_reason=reason, halted_cause=cause, halted_head=head)
    halt.chain_halt_forget()
    log.critical("CHAIN INDEXER HALTED: %s", reason)
    raise ChainDiverged(reason)


def _check_genesis(state: IndexerState) -> None:
    """Halts unless the chain has the id and genesis block the database mirrors."""
    w3 = client.web3()
    chain_id = w3.eth.chain_id
    genesis = _hex(w3.eth.get_block(0)["hash"])
    if chain_id != state.chain_id or genesis.removeprefix("0x") != state.genesis_hash.removeprefix("0x"):
        head = w3.eth.block_number
        _halt(state, HaltCause.REPLACED, head,
              f"Chain replaced: expected chain {state.chain_id} genesis {state.genesis_hash}, found chain {chain_id} "
              f"genesis {genesis} (head block {head}; block {state.last_block} was indexed). Reset the database "
              "(make reset) or point CHAIN_RPC_URL at the chain it mirrors.")


def _check_same_chain(state: IndexerState) -> int:
    """The head block number, once the chain is known to be ours."""
    _check_genesis(state)
    w3 = client.web3()
    head = w3.eth.block_number
    if state.last_block_hash:
        if state.last_block > head:
            _halt(state, HaltCause.REWOUND, head,
                  f"Chain rewound: indexed up to block {state.last_block}, the chain's head is {head}.")
        canonical = _hex(w3.eth.get_block(state.last_block)["hash"])
        if canonical != state.last_block_hash:
            _halt(state, HaltCause.REORGANISED, head,
                  f"Reorganisation deeper than {settings.CHAIN_CONFIRMATIONS} blocks: block "
                  f"{state.last_block} was {state.last_block_hash}, is now {canonical}.")
    return head


def chain_identity_check() -> None:
    """What the outbox asks before it sends: raises ChainDiverged if the indexer is halted, or if
    the chain behind CHAIN_RPC_URL is not the one the database mirrors (another id or genesis),
    which halts it now rather than at its next pass. Two questions to the node."""
    deployment = client.manifest()
    state = IndexerState.objects.filter(
        chain_id=deployment["chain_id"], contract_address=deployment["contracts"]["SupplyChainFinance"]["address"]
    ).first()
    if state is None:  # nothing indexed yet: nothing to tell apart
        return
    if state.halted_reason:
        raise ChainDiverged(state.halted_reason)
    _check_genesis(state)


def _decoder():
    w3 = client.web3()
    abi = client.manifest()["contracts"]["SupplyChainFinance"]["abi"]
    by_topic = {event_abi_to_log_topic(entry): entry for entry in abi if entry["type"] == "event"}

    def decode(raw_log):
        entry = by_topic.get(bytes(raw_log["topics"][0])) if raw_log["topics"] else None
        return get_event_data(w3.codec, entry, raw_log) if entry else None

    return decode


def _jsonable(value):
    if isinstance(value, (bytes, bytearray)):
        return _hex(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, Mapping):  # web3 decodes a struct (ProgrammeTermsSet's terms) as an AttributeDict
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def _block_times(events: list) -> dict[str, datetime]:
    """The time of each block holding one of the events, by block hash: the contract's
    block.timestamp, which some events stand for without carrying it (a rating's age)."""
    w3 = client.web3()
    hashes = {_hex(event["blockHash"]) for event in events}
    return {block: datetime.fromtimestamp(w3.eth.get_block(block)["timestamp"], dt_timezone.utc) for block in hashes}


def _apply(state: IndexerState, expected_last: int, to_block: int, to_hash: str, events: list) -> int:
    applied = 0
    mined_at = _block_times(events)
    with transaction.atomic():
        state = IndexerState.objects.select_for_update().get(pk=state.pk)
        if state.last_block != expected_last or state.halted_reason:
            return 0  # another indexer run got here first
        for event in events:
            record, created = ChainEvent.objects.get_or_create(
                tx_hash=_hex(event["transactionHash"]),
                log_index=event["logIndex"],
                defaults={
                    "block_number": event["blockNumber"],
                    "block_hash": _hex(event["blockHash"]),
                    "mined_at": mined_at[_hex(event["blockHash"])],
                    "name": event["event"],
                    "args": _jsonable(dict(event["args"])),
                },
            )
            if created:
                handlers.event_apply(record)
                applied += 1
        state.last_block = to_block
        state.last_block_hash = to_hash
        state.save(update_fields=["last_block", "last_block_hash", "updated_at"])
    return applied


def _confirm_mined(up_to_block: int) -> int:
    """Mined transactions at or below the indexed block whose block is still canonical become
    confirmed, with their actions; one whose block was replaced goes back to sent."""
    w3 = client.web3()
    confirmed = 0
    mined = ChainTransaction.objects.filter(status=TransactionStatus.MINED, block_number__lte=up_to_block)
    canonical: dict[int, str] = {}
    for tx in mined:
        if tx.block_number not in canonical:
            canonical[tx.block_number] = _hex(w3.eth.get_block(tx.block_number)["hash"])
        with transaction.atomic():
            if canonical[tx.block_number] == tx.block_hash:
                ChainTransaction.objects.filter(pk=tx.pk).update(status=TransactionStatus.CONFIRMED)
                tx.actions.update(status=ActionStatus.CONFIRMED, updated_at=timezone.now())
                if handlers.wants_outcome(ActionStatus.CONFIRMED):
                    handlers.actions_settled(tx.actions.all())
                confirmed += 1
            else:
                ChainTransaction.objects.filter(pk=tx.pk).update(status=TransactionStatus.SENT, block_hash="")
                tx.actions.update(status=ActionStatus.SENT, updated_at=timezone.now())
    return confirmed


def chain_index() -> dict[str, int]:
    """One indexing pass: every confirmed block not yet indexed, in chunks."""
    state = indexer_state()
    if state.halted_reason:
        raise ChainDiverged(state.halted_reason)
    head = _check_same_chain(state)
    safe_head = head - (settings.CHAIN_CONFIRMATIONS - 1)
    w3 = client.web3()
    decode = _decoder()
    applied = 0
    while state.last_block < safe_head:
        start = state.last_block + 1
        end = min(safe_head, state.last_block + settings.CHAIN_LOG_CHUNK_BLOCKS)
        raw_logs = w3.eth.get_logs({"address": state.contract_address, "fromBlock": start, "toBlock": end})
        events = [event for event in map(decode, raw_logs) if event is not None]
        end_hash = _hex(w3.eth.get_block(end)["hash"])
        applied += _apply(state, state.last_block, end, end_hash, events)
        state.refresh_from_db()
    return {"events": applied, "confirmed": _confirm_mined(state.last_block), "block": state.last_block}
