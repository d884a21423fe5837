"""The connection to the chain: one Web3 per process, the deployment manifest and the platform
contract it describes."""

import functools
import json
from pathlib import Path

from django.conf import settings
from web3 import Web3
from web3.contract import Contract

LOCAL_CHAIN_IDS = {1337, 31337}
RPC_TIMEOUT_SECONDS = 10


@functools.lru_cache(maxsize=4)
def _web3(rpc_url: str) -> Web3:
    return Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": RPC_TIMEOUT_SECONDS}))


def web3() -> Web3:
    return _web3(settings.CHAIN_RPC_URL)


@functools.lru_cache(maxsize=4)
def _manifest(path: str, modified: float) -> dict:
    return json.loads(Path(path).read_text())


def manifest() -> dict:
    path = Path(settings.DEPLOYMENT_MANIFEST)
    if not path.exists():
        raise FileNotFoundError(f"No deployment manifest at {path}: deploy the contracts first (make run).")
    return _manifest(str(path), path.stat().st_mtime)


def platform_contract() -> Contract:
    entry = manifest()["contracts"]["SupplyChainFinance"]
    return web3().eth.contract(address=entry["address"], abi=entry["abi"])


def token_contract(address: str) -> Contract:
    """A settlement token (ERC-20), by address."""
    return web3().eth.contract(address=Web3.to_checksum_address(address), abi=manifest()["erc20_abi"])


def currency_token(currency: int) -> str:
    """The token address the deployment registered for a currency id."""
    return manifest()["currencies"][str(currency)]


def is_local_chain() -> bool:
    return manifest()["chain_id"] in LOCAL_CHAIN_IDS
