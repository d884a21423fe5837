"""Whether the database mirrors the chain the platform points at (CHAIN_RPC_URL), asked before
anything is deployed or sent (`manage.py chain_mirror_check`, which `make run` calls): the chain's
id and genesis block, the block the indexer last indexed (still there, with the same hash?) and
the contract's code at the recorded address, for every chain the database holds an indexer
cursor of. A database that mirrors nothing yet (no cursor, or not even migrated) mirrors no other
chain. When the chain is the mirrored one again (CHAIN_RPC_URL pointed back at it), an indexer
halted by what it found before resumes."""

from dataclasses import dataclass, field

from django.db import connection

from . import client, halt
from .models import IndexerState


@dataclass
class MirrorCheck:
    findings: list[str] = field(default_factory=list)  # each a way the chain is not the mirrored one
    resumed: list[str] = field(default_factory=list)  # the halts lifted: the reasons they had

    @property
    def ok(self) -> bool:
        return not self.findings


def _hex(value) -> str:
    return "0x" + bytes(value).hex()


def _state_findings(w3, state: IndexerState) -> list[str]:
    chain_id = w3.eth.chain_id
    if chain_id != state.chain_id:
        return [f"The database mirrors chain {state.chain_id}; the node is chain {chain_id}."]
    genesis = _hex(w3.eth.get_block(0)["hash"])
    head = w3.eth.block_number
    if genesis.removeprefix("0x") != state.genesis_hash.removeprefix("0x"):
        return [f"The database mirrors the chain whose genesis block is {state.genesis_hash}, indexed up to block "
                f"{state.last_block}; the node's chain has genesis {genesis} and its head is block {head}: another chain."]
    findings = []
    if state.last_block_hash:
        if head < state.last_block:
            findings.append(f"The database has indexed up to block {state.last_block}; the node's head is block {head}: "
                            "the chain was rewound.")
        elif (found := _hex(w3.eth.get_block(state.last_block)["hash"])) != state.last_block_hash:
            findings.append(f"Block {state.last_block} was {state.last_block_hash} when indexed; on the node it is "
                            f"{found}: the chain was reorganised or replaced.")
    if not findings and len(w3.eth.get_code(state.contract_address)) == 0:
        findings.append(f"The database mirrors the contract at {state.contract_address}; the node has no code there.")
    return findings


def mirror_check() -> MirrorCheck:
    """Compares every indexer cursor with the chain; lifts the halts of those that match."""
    check = MirrorCheck()
    if IndexerState._meta.db_table not in connection.introspection.table_names():
        return check  # a database not migrated yet mirrors nothing
    w3 = client.web3()
    states = list(IndexerState.objects.order_by("pk"))
    for state in states:
        check.findings += _state_findings(w3, state)
    if check.ok:
        for state in states:
            if state.halted_reason:
                check.resumed.append(state.halted_reason)
        IndexerState.objects.exclude(halted_reason="").update(halted_reason="", halted_cause="", halted_head=None)
        halt.chain_halt_forget()
    return check
