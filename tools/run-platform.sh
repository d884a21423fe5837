#!/usr/bin/env bash
# `make run`: the whole platform on one laptop, with no servers to install. A local Ganache chain
# (state in var/chain, contracts deployed on its first start), the database migrated (SQLite in
# var/ unless DATABASE_URL is set), the operator and risk oracle set up, the demo supply chain
# seeded on the first run, a Celery worker with the beat scheduler (filesystem broker in var/
# unless CELERY_BROKER_URL is set), and the portal on http://127.0.0.1:8000.
# With CHAIN_RPC_URL set, no Ganache is started: the contracts are deployed there once (the
# deployer's key from DEPLOYER_PRIVATE_KEY or DEPLOYER_KEYSTORE) unless DEPLOYMENT_MANIFEST names
# an existing deployment. Ctrl-C stops everything; the next run finds the same state.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/chain var/deployments var/log

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# scheme://host:port of a URL, for the terminal: a node's URL may carry an API key in its path or a
# user:password (as config.redaction.redacted_url does for the platform's pages and logs).
redacted() {
  sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://)([^@/?#]*@)?([^/?#]*).*$#\1\3#' <<<"$1"
}

rpc_ready() {
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$1"
}

if [ -z "${CHAIN_RPC_URL:-}" ]; then
  export CHAIN_RPC_URL="http://127.0.0.1:8545"
  export DEPLOYMENT_MANIFEST="$PWD/var/deployments/1337.json"
  network=scf-local
  ganache --server.port 8545 --chain.chainId 1337 --chain.hardfork shanghai \
    --database.dbPath var/chain --wallet.deterministic --wallet.totalAccounts 20 \
    --miner.blockGasLimit 30000000 --logging.quiet &
  pids+=($!)
else
  export DEPLOYMENT_MANIFEST="${DEPLOYMENT_MANIFEST:-$PWD/var/deployments/external.json}"
  network=scf-external
  chain_id=$(curl -s -X POST -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$CHAIN_RPC_URL" \
    | python3 -c 'import json, sys; print(int(json.load(sys.stdin)["result"], 16))')
  .venv/bin/brownie networks delete "$network" >/dev/null 2>&1 || true
  .venv/bin/brownie networks add Ethereum "$network" host="$CHAIN_RPC_URL" chainid="$chain_id" >/dev/null
fi

for _ in $(seq 1 60); do rpc_ready "$CHAIN_RPC_URL" && break; sleep 0.5; done
rpc_ready "$CHAIN_RPC_URL" || { echo "The chain at $(redacted "$CHAIN_RPC_URL") does not answer." >&2; exit 1; }

.venv/bin/brownie run scripts/deploy.py --network "$network"
.venv/bin/python manage.py migrate --verbosity 0
.venv/bin/python manage.py chain_bootstrap

(cd platform && exec ../.venv/bin/celery -A config worker -B -Q celery,indexer,webhooks -c 2 -l INFO \
  -s ../var/celerybeat-schedule) > var/log/worker.log 2>&1 &
pids+=($!)

.venv/bin/python manage.py seed_demo

.venv/bin/python manage.py runserver --noreload 127.0.0.1:8000 > var/log/web.log 2>&1 &
pids+=($!)

echo
echo "Chain:    $(redacted "$CHAIN_RPC_URL"), manifest $DEPLOYMENT_MANIFEST"
echo "Workers:  Celery worker + beat, log in var/log/worker.log; web log in var/log/web.log"
echo "Portal:   http://127.0.0.1:8000/   API docs: http://127.0.0.1:8000/api/docs/"
echo "Ctrl-C stops everything; the next 'make run' finds the same state ('make reset' wipes it)."
wait -n "${pids[@]}"
