"""The deploy script: one deployment per chain, and a manifest the platform can use."""

import json

from brownie import SupplyChainFinance, web3

from scripts.deploy import deploy


def test_deploy_writes_manifest_with_chain_identity(admin, tmp_path):
    path = tmp_path / "manifest.json"
    manifest = deploy(admin, path)
    written = json.loads(path.read_text())
    assert written == manifest
    assert written["chain_id"] == web3.eth.chain_id
    assert written["genesis_hash"] == web3.eth.get_block(0).hash.hex()
    assert written["deployment_block"] <= web3.eth.block_number
    scf = SupplyChainFinance.at(written["contracts"]["SupplyChainFinance"]["address"])
    assert scf.currency(1)["token"] == written["currencies"]["1"]
    assert scf.currency(2)["token"] == written["currencies"]["2"]


def test_deploy_twice_on_one_chain_does_not_redeploy(admin, tmp_path):
    path = tmp_path / "manifest.json"
    first = deploy(admin, path)
    deployed = len(SupplyChainFinance)
    block = web3.eth.block_number
    second = deploy(admin, path)
    assert second == first
    assert len(SupplyChainFinance) == deployed
    assert web3.eth.block_number == block


def test_deploy_with_manifest_of_another_chain_deploys_again(admin, tmp_path):
    path = tmp_path / "manifest.json"
    first = deploy(admin, path)
    stale = dict(first, genesis_hash="0x" + "00" * 32)
    path.write_text(json.dumps(stale))
    second = deploy(admin, path)
    assert second["contracts"]["SupplyChainFinance"]["address"] != first["contracts"]["SupplyChainFinance"]["address"]


def test_the_platform_contract_fits_the_size_limit(scf):
    """EIP-170: a chain refuses to deploy more than 24,576 bytes of code. The margin is small
    (23,445 bytes with quoteFinancing), so the change that crosses it fails here, by name."""
    assert len(web3.eth.get_code(scf.address)) <= 24_576
