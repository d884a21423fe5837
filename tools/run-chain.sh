#!/usr/bin/env bash
# Starts the local Ganache chain (state kept in var/chain) and deploys the contracts on its first
# start. Ctrl-C stops the chain; the next run finds the same state and deployment.
set -euo pipefail
cd "$(dirname "$0")/.."

port=8545
mkdir -p var/chain var/deployments
ganache --server.port "$port" --chain.chainId 1337 --chain.hardfork shanghai \
  --database.dbPath var/chain --wallet.deterministic --wallet.totalAccounts 20 \
  --miner.blockGasLimit 30000000 --logging.quiet &
chain_pid=$!
trap 'kill "$chain_pid" 2>/dev/null; wait "$chain_pid" 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 60); do
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "http://127.0.0.1:$port" && break
  sleep 0.5
done

DEPLOYMENT_MANIFEST=var/deployments/1337.json .venv/bin/brownie run scripts/deploy.py --network scf-local
echo
echo "Local chain: http://127.0.0.1:$port (chain id 1337); deployment manifest: var/deployments/1337.json"
echo "The portal and workers arrive with the platform backbone; Ctrl-C stops the chain."
wait "$chain_pid"
