#!/usr/bin/env bash
# `make run`: the whole platform on one laptop, with no servers to install. A local Ganache chain
# (state in var/chain, contracts deployed on its first start), the database migrated (SQLite in
# var/ unless DATABASE_URL is set), the operator and risk oracle set up, a Celery worker with the
# beat scheduler (filesystem broker in var/ unless CELERY_BROKER_URL is set), and Django on
# http://127.0.0.1:8000. Ctrl-C stops everything; the next run finds the same state.
set -euo pipefail
cd "$(dirname "$0")/.."

port=8545
mkdir -p var/chain var/deployments var/log
export DEPLOYMENT_MANIFEST="$PWD/var/deployments/1337.json"
export CHAIN_RPC_URL="http://127.0.0.1:$port"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

ganache --server.port "$port" --chain.chainId 1337 --chain.hardfork shanghai \
  --database.dbPath var/chain --wallet.deterministic --wallet.totalAccounts 20 \
  --miner.blockGasLimit 30000000 --logging.quiet &
pids+=($!)

for _ in $(seq 1 60); do
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$CHAIN_RPC_URL" && break
  sleep 0.5
done

.venv/bin/brownie run scripts/deploy.py --network scf-local
.venv/bin/python manage.py migrate --verbosity 0
.venv/bin/python manage.py chain_bootstrap

(cd platform && exec ../.venv/bin/celery -A config worker -B -Q celery,indexer -c 2 -l INFO \
  -s ../var/celerybeat-schedule) > var/log/worker.log 2>&1 &
pids+=($!)

.venv/bin/python manage.py seed_demo

.venv/bin/python manage.py runserver --noreload 127.0.0.1:8000 > var/log/web.log 2>&1 &
pids+=($!)

echo
echo "Chain:    $CHAIN_RPC_URL (chain id 1337), manifest var/deployments/1337.json"
echo "Workers:  Celery worker + beat, log in var/log/worker.log; web log in var/log/web.log"
echo "Portal:   http://127.0.0.1:8000/   API docs: http://127.0.0.1:8000/api/docs/"
echo "Ctrl-C stops everything; the next 'make run' finds the same state ('make reset' wipes it)."
wait -n "${pids[@]}"
