"""Deploys the platform to the connected network and writes its deployment manifest.

    brownie run scripts/deploy.py --network <name>

The manifest (DEPLOYMENT_MANIFEST, default deployments/<chain id>.json) holds the chain id, the
genesis block hash, the contract addresses, their ABIs, the compiler settings and the deployment
block: everything the platform needs to talk to the contracts and to notice a replaced chain.
Running the script again against a chain that already has the manifest's deployment does nothing.
A manifest of another chain (or of a deployment gone from this one) is never overwritten: it is
kept aside as <name>.replaced-<UTC time>.json, and the script says so.

The deployer key comes from DEPLOYER_PRIVATE_KEY, or from the Brownie keystore account named in
DEPLOYER_KEYSTORE (password in DEPLOYER_KEYSTORE_PASSWORD, or asked for). Only on a local
development chain does the script fall back to the chain's own unlocked first account.

Settlement tokens: SETTLEMENT_TOKENS is a comma-separated list of ERC-20 addresses to register as
currencies. On a local chain without it, two mock stablecoins are deployed (6 and 18 decimals).
Listing a currency test-transfers one whole token from the deployer to the contract and back
(addCurrency refuses a token that does not move exact amounts), so the deployer approves the
contract for it first: it mints the mocks itself, and must already hold one whole token of each
real one, which the script checks before it deploys anything.
"""

import json
import os
import time
from pathlib import Path

from brownie import Contract, MockStablecoin, SupplyChainFinance, accounts, config, network, web3
from brownie.exceptions import VirtualMachineError

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


def set_aside(path):
    """Renames a manifest that no longer describes this chain's deployment; returns its new path."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = path.with_name(f"{path.stem}.replaced-{stamp}{path.suffix}")
    path.rename(aside)
    print(f"The manifest at {path} describes a deployment that is not on this chain: kept aside as {aside}")
    return aside


def settlement_tokens(deployer):
    """The tokens to list, each with whether it is a mock the deployer may mint."""
    if listed := os.environ.get("SETTLEMENT_TOKENS"):
        tokens = [
            Contract.from_abi("SettlementToken", address.strip(), MockStablecoin.abi)  # only its ERC-20 functions
            for address in listed.split(",")
            if address.strip()
        ]
        for token in tokens:
            require_whole_token(token, deployer)
        return [(token, False) for token in tokens]
    if not is_local_chain():
        raise SystemExit("Set SETTLEMENT_TOKENS to the ERC-20 settlement tokens of this network.")
    usdc = MockStablecoin.deploy("USD Coin (local mock)", "USDC", 6, {"from": deployer})
    eurt = MockStablecoin.deploy("Euro Token (local mock)", "EURT", 18, {"from": deployer})
    return [(usdc, True), (eurt, True)]


def whole_token(token):
    """One whole token in base units: what addCurrency test-transfers."""
    return 10 ** token.decimals()


def require_whole_token(token, deployer):
    held, needed = token.balanceOf(deployer), whole_token(token)
    if held < needed:
        raise SystemExit(
            f"The deployer {deployer.address} holds {held} base units of {token.symbol()} ({token.address}); "
            f"listing it as a currency test-transfers one whole token ({needed} base units) to the contract "
            "and back. Send the deployer one whole token, then run the script again: nothing was deployed."
        )


def list_currency(scf, token, deployer, *, mock):
    """Lists `token` as a settlement currency and returns its id. addCurrency pulls one whole token
    from the deployer and sends it back, so the deployer holds (a mock: mints) and approves it first."""
    probe = whole_token(token)
    if mock:
        token.mint(deployer, probe, {"from": deployer})
    token.approve(scf, probe, {"from": deployer})
    try:
        return scf.addCurrency(token, {"from": deployer}).return_value
    except VirtualMachineError as refusal:
        raise SystemExit(
            f"addCurrency refused {token.address}: {refusal.revert_msg}. Only ERC-20 tokens whose transfers move "
            "exactly the amount asked for qualify (ConfigInexactToken: fee-on-transfer and rebasing tokens are "
            "refused); see the README, Production."
        ) from refusal


def contract_entry(contract):
    return {"address": contract.address, "abi": contract.abi}


def deploy(deployer, path):
    """Deploys once per chain; returns the manifest (existing or new)."""
    if manifest := existing_deployment(path):
        print(f"Already deployed on chain {manifest['chain_id']}: {manifest['contracts']['SupplyChainFinance']['address']}")
        return manifest

    tokens = settlement_tokens(deployer)  # checked before anything is deployed
    if path.exists():
        set_aside(path)
    operator_hash = web3.keccak(text=os.environ.get("OPERATOR_ORG_HASH_SEED", "platform-operator"))
    scf = SupplyChainFinance.deploy(operator_hash, GRACE_PERIOD, DEFAULT_PERIOD, {"from": deployer})
    currencies = {}
    for token, mock in tokens:
        currencies[str(list_currency(scf, token, deployer, mock=mock))] = token.address

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
