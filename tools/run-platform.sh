#!/usr/bin/env bash
# `make run`: the whole platform on one laptop, with no servers to install. A local chain (Ganache
# in automine, or anvil mining every 2 s with CHAIN_ENGINE=anvil; state in var/chain, contracts
# deployed on its first start), the database migrated (SQLite in
# var/ unless DATABASE_URL is set), the operator and risk oracle set up, a Celery worker with the
# beat scheduler (filesystem broker in var/ unless CELERY_BROKER_URL is set), the demo supply chain
# seeded on the first run, and the portal on http://127.0.0.1:8000.
# With CHAIN_RPC_URL set, no Ganache is started: the contracts are deployed there once (the
# deployer's key from DEPLOYER_PRIVATE_KEY or DEPLOYER_KEYSTORE) unless DEPLOYMENT_MANIFEST names
# an existing deployment. PLATFORM_VAR_DIR moves var/ elsewhere.
#
# The terminal shows one line per step and, once the portal answers, its address and the demo
# logins; every tool's own output goes to the logs in var/log/, appended run after run. Ctrl-C
# stops everything in order (the portal, then the workers, then the chain, each given time to
# finish) and the next run finds the same state.
set -euo pipefail
cd "$(dirname "$0")/.."
export PLATFORM_VAR_DIR="${PLATFORM_VAR_DIR:-$PWD/var}"
var=$PLATFORM_VAR_DIR
logs=$var/log
mkdir -p "$var/chain" "$var/deployments" "$logs"

PORTAL_ADDRESS=127.0.0.1:8000
PORTAL_URL="http://$PORTAL_ADDRESS/"
LOCAL_CHAIN_URL="http://127.0.0.1:8545"
STEPS=6

# Where a path is, for the terminal: relative to the project when it is inside it.
shown() {
  case "$1" in "$PWD"/*) echo "${1#"$PWD"/}" ;; *) echo "$1" ;; esac
}

# scheme://host:port of a URL, for the terminal: a node's URL may carry an API key in its path or a
# user:password (as config.redaction.redacted_url does for the platform's pages and logs).
redacted() {
  sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://)([^@/?#]*@)?([^/?#]*).*$#\1\3#' <<<"$1"
}

rpc_ready() {
  curl -s -o /dev/null --max-time 2 -X POST -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$1"
}

# The portal answers when its sign-in page (where / leads) renders: a refused connection or a
# server error is not an answer.
portal_ready() {
  curl -sfL -o /dev/null --max-time 5 "$PORTAL_URL"
}

is_running() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}

seconds_since() {
  awk -v since="$1" -v now="$EPOCHREALTIME" 'BEGIN { printf "%.1f", now - since }'
}

# A step's progress line: "[ 1/6] chain ........ ready in 2.1 s". step opens it, step_done ends it.
step_number=0
step_started=$EPOCHREALTIME
step() {
  local label="$1 "
  while [ "${#label}" -lt 13 ]; do label+="."; done
  step_number=$((step_number + 1))
  step_started=$EPOCHREALTIME
  printf '[%2d/%d] %s ' "$step_number" "$STEPS" "$label"
}

step_done() {
  echo "${1:-ready} in $(seconds_since "$step_started") s"
}

# Ends the open progress line with the failure and the end of the log that explains it.
step_failed() {
  local why=$1 log=$2
  echo "failed after $(seconds_since "$step_started") s: $why"
  if [ -s "$log" ]; then
    echo "The last lines of $(shown "$log"):"
    tail -n 30 "$log" | sed 's/^/  /'
  fi
  exit 1
} >&2

# Runs a step's command with its output appended to the step's log.
logged() {
  local log=$1
  shift
  local status=0
  "$@" >>"$log" 2>&1 || status=$?
  [ "$status" -eq 0 ] || step_failed "'$*' exited with status $status" "$log"
}

# A line in each log where a run begins, so that one run's lines can be told from the last one's.
mark_start() {
  echo "===== make run started $(date -u '+%Y-%m-%d %H:%M:%S UTC') =====" >>"$1"
}

# Waits until `ready` succeeds, failing the step if the process dies first or time runs out.
wait_for() {
  local what=$1 pid=$2 seconds=$3 log=$4 ready=$5
  local deadline=$((SECONDS + seconds))
  until $ready; do
    is_running "$pid" || step_failed "the $what stopped" "$log"
    [ "$SECONDS" -lt "$deadline" ] || step_failed "the $what did not answer within $seconds s" "$log"
    sleep 0.2
  done
}

# The background processes each run in a session of their own (setsid), so a Ctrl-C in the
# terminal reaches only make and this script, which then stops them in order: a chain stopped
# before the workers that talk to it gives them tracebacks, and a chain killed mid-write a
# "Database is not open" error.
chain_pid="" worker_pid="" web_pid=""

# Asks a process to stop with `signal` and waits for it; after `seconds`, kills its process group.
stop_process() {
  local pid=$1 signal=$2 seconds=$3
  [ -n "$pid" ] || return 0
  kill -"$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + seconds))
  while is_running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  is_running "$pid" && kill -KILL -- -"$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  kill -KILL -- -"$pid" 2>/dev/null || true  # what it left behind in its group, if it died first
}

stop_all() {
  trap '' INT TERM HUP
  [ -n "$chain_pid$worker_pid$web_pid" ] || return 0
  local started=$EPOCHREALTIME
  printf '\nStopping:'
  [ -z "$web_pid" ] || { stop_process "$web_pid" TERM 10; printf ' portal'; }
  [ -z "$worker_pid" ] || { stop_process "$worker_pid" TERM 60; printf ' workers'; }
  [ -z "$chain_pid" ] || { stop_process "$chain_pid" INT 30; printf ' chain'; }
  echo " ... stopped in $(seconds_since "$started") s."
}
trap stop_all EXIT
trap 'exit 0' INT TERM HUP

refuse_if_taken() {
  local what=$1 url=$2
  if curl -s -o /dev/null --max-time 2 "$url"; then
    echo "Something already answers on $(redacted "$url"), where the $what should start (another 'make run'?). Stop it first." >&2
    exit 1
  fi
}

refuse_if_taken portal "$PORTAL_URL"
[ -n "${CHAIN_RPC_URL:-}" ] || refuse_if_taken chain "$LOCAL_CHAIN_URL"

step chain
chain_log=$logs/chain.log
mark_start "$chain_log"
if [ -z "${CHAIN_RPC_URL:-}" ]; then
  export CHAIN_RPC_URL=$LOCAL_CHAIN_URL
  export DEPLOYMENT_MANIFEST="$var/deployments/1337.json"
  case "${CHAIN_ENGINE:-ganache}" in
    ganache)
      network=scf-local
      setsid node_modules/.bin/ganache --server.port 8545 --chain.chainId 1337 --chain.hardfork shanghai \
        --database.dbPath "$var/chain" --wallet.deterministic --wallet.totalAccounts 20 \
        --miner.blockGasLimit 30000000 --logging.quiet >>"$chain_log" 2>&1 </dev/null &
      ;;
    anvil)
      # The same chain id, hardfork, wallet and gas limit as Ganache's, a block every
      # ANVIL_BLOCK_TIME seconds; its state is written to var/chain/anvil-state.json when it stops.
      network=scf-local-anvil
      export CHAIN_RECEIPT_WAIT_SECONDS="${CHAIN_RECEIPT_WAIT_SECONDS:-0}"
      setsid node_modules/.bin/anvil --port 8545 --chain-id 1337 --hardfork shanghai \
        --mnemonic "myth like bonus scare over problem client lizard pioneer submit female collect" \
        --accounts 20 --balance 1000 --gas-limit 30000000 --block-time "${ANVIL_BLOCK_TIME:-2}" \
        --state "$var/chain/anvil-state.json" --silent >>"$chain_log" 2>&1 </dev/null &
      ;;
    *)
      step_failed "CHAIN_ENGINE=$CHAIN_ENGINE: choose ganache (the default) or anvil" "$chain_log"
      ;;
  esac
  chain_pid=$!
  wait_for chain "$chain_pid" 30 "$chain_log" "rpc_ready $CHAIN_RPC_URL"
  step_done
else
  export DEPLOYMENT_MANIFEST="${DEPLOYMENT_MANIFEST:-$var/deployments/external.json}"
  network=scf-external
  rpc_ready "$CHAIN_RPC_URL" || step_failed "nothing answers at $(redacted "$CHAIN_RPC_URL")" "$chain_log"
  chain_id=$(curl -s -X POST -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$CHAIN_RPC_URL" \
    | python3 -c 'import json, sys; print(int(json.load(sys.stdin)["result"], 16))')
  .venv/bin/brownie networks delete "$network" >>"$chain_log" 2>&1 || true
  logged "$chain_log" .venv/bin/brownie networks add Ethereum "$network" host="$CHAIN_RPC_URL" chainid="$chain_id"
  step_done "attached to chain $chain_id"
fi

step contracts
deploy_log=$logs/deploy.log
mark_start "$deploy_log"
# A database kept from another chain (var/chain wiped, or CHAIN_RPC_URL changed) must not meet a
# fresh deployment: the check explains the ways out, and nothing is deployed.
status=0
mirror_report=$(.venv/bin/python manage.py chain_mirror_check 2>>"$deploy_log") || status=$?
echo "$mirror_report" >>"$deploy_log"
if [ "$status" -ne 0 ]; then
  echo "refused after $(seconds_since "$step_started") s."
  echo "$mirror_report"
  exit 1
fi >&2
logged "$deploy_log" .venv/bin/brownie run scripts/deploy.py --network "$network"
step_done

step database
setup_log=$logs/setup.log
mark_start "$setup_log"
logged "$setup_log" .venv/bin/python manage.py migrate --verbosity 0
logged "$setup_log" .venv/bin/python manage.py chain_bootstrap
step_done

step workers
worker_log=$logs/worker.log
mark_start "$worker_log"
worker_log_start=$(wc -c <"$worker_log")
(cd platform && exec setsid ../.venv/bin/celery -A config worker -B -Q celery,indexer,webhooks -c 2 -l INFO \
  -s "$var/celerybeat-schedule") >>"$worker_log" 2>&1 </dev/null &
worker_pid=$!
worker_ready() {
  grep -q ' ready\.$' < <(tail -c +"$((worker_log_start + 1))" "$worker_log")
}
wait_for workers "$worker_pid" 90 "$worker_log" worker_ready
step_done

step demo
if grep -qs '"complete": true' "$var/demo-logins.txt"; then
  printf 'already seeded, '
else
  printf 'seeding (first run, about a minute) ... '
fi
# seed_demo's progress goes to the log, its output (the logins) to the end of this terminal.
status=0
demo_logins=$(.venv/bin/python manage.py seed_demo 2>>"$setup_log") || status=$?
[ "$status" -eq 0 ] || step_failed "'manage.py seed_demo' exited with status $status" "$setup_log"
step_done

step portal
web_log=$logs/web.log
mark_start "$web_log"
setsid .venv/bin/python manage.py runserver --noreload "$PORTAL_ADDRESS" >>"$web_log" 2>&1 </dev/null &
web_pid=$!
wait_for portal "$web_pid" 60 "$web_log" portal_ready
step_done

echo
echo "$demo_logins"
echo
echo "Chain:    $(redacted "$CHAIN_RPC_URL")${chain_pid:+ (local ${CHAIN_ENGINE:-ganache})}, manifest $(shown "$DEPLOYMENT_MANIFEST")"
echo "Logs:     $(shown "$logs")/ chain.log, deploy.log, setup.log, worker.log (Celery worker + beat), web.log"
echo "Portal:   $PORTAL_URL   API docs: ${PORTAL_URL}api/docs/"
echo "Ctrl-C stops everything; the next 'make run' finds the same state ('make reset' wipes it)."

status=0
wait -n $chain_pid $worker_pid $web_pid || status=$?
for process in "chain:$chain_pid:$chain_log" "workers:$worker_pid:$worker_log" "portal:$web_pid:$web_log"; do
  IFS=: read -r name pid log <<<"$process"
  if [ -n "$pid" ] && ! is_running "$pid"; then
    echo "The $name stopped unexpectedly (exit status $status); see $(shown "$log")." >&2
  fi
done
exit 1
