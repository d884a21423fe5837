"""Deploys the platform to the connected network and writes its deployment manifest.

    brownie run scripts/deploy.py --network <name>

The manifest (DEPLOYMENT_MANIFEST, default deployments/<chain id>.json) holds the chain id, the
genesis block hash, the contract addresses, their ABIs, the compiler settings and the deployment
block: everything the platform needs to talk to the contracts and to notice a replaced chain.
Running the script again against a chain that already has the manifest's deployment does nothing.

The deployer key comes from DEPLOYER_PRIVATE_KEY, or from the Brownie keystore account named in
DEPLOYER_KEYSTORE (password in DEPLOYER_KEYSTORE_PASSWORD, or asked for). Only on a local
development chain does the script fall back to the chain's own unlocked first account.

Settlement tokens: SETTLEMENT_TOKENS is a comma-separated list of ERC-20 addresses to register as
currencies. On a local chain without it, two mock stablecoins are deployed (6 and 18 decimals).
"""

import json
import os
import time
from pathlib import Path

from brownie import Contract, MockStablecoin, SupplyChainFinance, accounts, config, network, web3

LOCAL_CHAIN_IDS = {1337, 31337}
GRACE_PERIOD = int(os.environ.get("GRACE_PERIOD_SECONDS", 5 * 86_400))
DEFAULT_PERIOD = int(os.environ.get("DEFAULT_PERIOD_SECONDS", 30 * 86_400))


def manifest_path(chain_id):
    return Path(os.environ.get("DEPLOYMENT_MANIFEST", f"deployments/{chain_id}.json"))


def is_local_chain():
    return web3.eth.chain_id in LOCAL_CHAIN_IDS


def load_deployer():
    if key := os.environ.get("DEPLOYER_PRIVATE_KEY"):
        return accounts.add(key)
    if keystore := os.environ.get("DEPLOYER_KEYSTORE"):
        return accounts.load(keystore, password=os.environ.get("DEPLOYER_KEYSTORE_PASSWORD"))
    if is_local_chain():
        return accounts[0] if len(accounts) else accounts.at(web3.eth.accounts[0], force=True)
    raise SystemExit("Set DEPLOYER_PRIVATE_KEY or DEPLOYER_KEYSTORE to deploy to a non-local network.")


def existing_deployment(path):
    """The manifest at `path` if it describes a deployment that is live on this chain."""
    if not path.exists():
        return None
    manifest = json.loads(path.read_text())
    same_chain = (
        manifest["chain_id"] == web3.eth.chain_id
        and manifest["genesis_hash"] == web3.eth.get_block(0).hash.hex()
    )
    address = manifest["contracts"]["SupplyChainFinance"]["address"]
    if same_chain and len(web3.eth.get_code(address)) > 0:
        return manifest
    return None


def settlement_tokens(deployer):
    if listed := os.environ.get("SETTLEMENT_TOKENS"):
        return [address.strip() for address in listed.split(",") if address.strip()]
    if not is_local_chain():
        raise SystemExit("Set SETTLEMENT_TOKENS to the ERC-20 settlement tokens of this network.")
    usdc = MockStablecoin.deploy("USD Coin (local mock)", "USDC", 6, {"from": deployer})
    eurt = MockStablecoin.deploy("Euro Token (local mock)", "EURT", 18, {"from": deployer})
    for mock in (usdc, eurt):
        mock.mint(deployer, 10 ** mock.decimals(), {"from": deployer})  # what addCurrency test-transfers
    return [usdc.address, eurt.address]


def list_currency(scf, address, deployer):
    """addCurrency test-transfers one whole token from the deployer and back, to refuse tokens
    whose transfers are not exact (fee-on-transfer, rebasing): the deployer holds and approves it."""
    token = Contract.from_abi("SettlementToken", address, MockStablecoin.abi)
    probe = 10 ** token.decimals()
    if token.balanceOf(deployer) < probe:
        raise SystemExit(
            f"The deployer {deployer.address} must hold one whole {token.symbol()} ({address}) to list it: "
            "the platform test-transfers it and sends it back."
        )
    token.approve(scf, probe, {"from": deployer})
    return scf.addCurrency(address, {"from": deployer}).return_value


def contract_entry(contract):
    return {"address": contract.address, "abi": contract.abi}


def deploy(deployer, path):
    """Deploys once per chain; returns the manifest (existing or new)."""
    if manifest := existing_deployment(path):
        print(f"Already deployed on chain {manifest['chain_id']}: {manifest['contracts']['SupplyChainFinance']['address']}")
        return manifest

    operator_hash = web3.keccak(text=os.environ.get("OPERATOR_ORG_HASH_SEED", "platform-operator"))
    scf = SupplyChainFinance.deploy(operator_hash, GRACE_PERIOD, DEFAULT_PERIOD, {"from": deployer})
    currencies = {}
    for token in settlement_tokens(deployer):
        currencies[str(list_currency(scf, token, deployer))] = token

    token_abi = MockStablecoin.abi
    manifest = {
        "chain_id": web3.eth.chain_id,
        "genesis_hash": web3.eth.get_block(0).hash.hex(),
        "network": network.show_active(),
        "deployment_block": scf.tx.block_number,
        "deployed_at": int(time.time()),
        "deployer": deployer.address,
        "abi_source": {
            "build": "build/contracts/SupplyChainFinance.json",
            "compiler": config["compiler"]["solc"]["version"],
            "evm_version": config["compiler"]["evm_version"],
        },
        "contracts": {"SupplyChainFinance": contract_entry(scf)},
        "currencies": currencies,
        "erc20_abi": token_abi,
        "periods": {"grace_seconds": GRACE_PERIOD, "default_seconds": DEFAULT_PERIOD},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2))
    print(f"Deployed SupplyChainFinance at {scf.address}; manifest written to {path}")
    return manifest


def main():
    deploy(load_deployer(), manifest_path(web3.eth.chain_id))
