"""One engine's round of `make bench-pipeline` (scripts/bench_pipeline.py runs one per engine, each in
a process of its own, and prints the summary).

On a fresh local chain of the engine (Ganache in automine, or anvil mining every 2 s), with the
platform's own deploy script, workers and web server:
1. the raw rate: single registerInvoice transactions signed and sent straight through web3 by one
   registered supplier, one invoice each, as fast as the chain takes them;
2. the pipeline: N invoices posted to POST /api/invoices/bulk/ over HTTP by 4 client threads (one
   supplier each, BULK invoices a request) against gunicorn, then waited for until every one is
   confirmed on chain: throughput, and p50 / p95 from the request that submitted an invoice to its
   registration's confirmation.
The peak RSS (the kernel's VmHWM) of every web and worker process is read at the end.

Whatever it started (chain, workers, gunicorn) is stopped when it ends, fails or is interrupted."""

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT / "platform"), str(PROJECT / "tools"), str(PROJECT / "scripts")]

from bench_web import recreate_database  # noqa: E402
from bench_web_server import Server, _vm_hwm_kb  # noqa: E402
from localnet import Worker, deploy, local_chain, wait_until  # noqa: E402

BENCH_PORT = 8547  # Brownie's scf-bench network
WEB_PORT = 8097
CLIENTS = 4  # client threads, one supplier each
SENDERS = 4  # sender worker processes
GAS_PER_RAW_TX = 300_000


def _stop_on_signals() -> None:
    """SIGTERM and SIGHUP end the round as Ctrl-C does: through the `finally` that stops everything."""
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)


def configure(engine: str, folder: Path, chain, manifest: Path) -> dict:
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scf_bench_pipeline")
    if database_url.startswith("postgres"):
        database_url = f"{database_url}_{engine}"
        recreate_database(database_url)
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PLATFORM_VAR_DIR": str(folder),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13"),
        "CHAIN_RPC_URL": chain.url,
        "DEPLOYMENT_MANIFEST": str(manifest),
        "INDEXER_INTERVAL_SECONDS": "0.25",
        "LOG_LEVEL": "WARNING",
        "API_THROTTLE_RATE": "100000/min",
        "API_THROTTLE_BURST_RATE": "10000/s",
    }
    if chain.block_time:
        env["CHAIN_RECEIPT_WAIT_SECONDS"] = "0"
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from config.celery import app

    call_command("migrate", verbosity=0)
    app.control.purge()
    return os.environ.copy()


def pdf(title: str) -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def onboard(suppliers: int):
    """A core firm and `suppliers` suppliers, KYC-approved and registered on chain, each supplier
    with a user and an API key."""
    from django.utils import timezone

    from organisations.bootstrap import platform_bootstrap
    from organisations.models import Organisation, Role
    from organisations.services import organisation_approve_kyc, organisation_register
    from organisations.tokens import api_token_create
    from users.models import User

    operator = platform_bootstrap()
    admin = User.objects.create(username="bench-admin", organisation=operator.organisation)
    until = timezone.now() + timedelta(days=365)
    buyer = organisation_register(name="Bench Buyer", legal_id="BENCH-BUYER", role=Role.CORE_FIRM)
    organisation_approve_kyc(organisation=buyer, approved_by=admin, valid_until=until)
    users = []
    for n in range(suppliers):
        supplier = organisation_register(name=f"Bench Supplier {n}", legal_id=f"BENCH-S{n}", role=Role.SUPPLIER)
        organisation_approve_kyc(organisation=supplier, approved_by=admin, valid_until=until)
        users.append(User.objects.create(username=f"bench-supplier-{n}", organisation=supplier))
    everyone = [buyer.pk, *[user.organisation_id for user in users]]
    wait_until(
        lambda: Organisation.objects.filter(pk__in=everyone, onchain_id__isnull=False).count() == len(everyone),
        180, message="on-chain registration of the bench parties",
    )
    fresh = list(User.objects.select_related("organisation").filter(pk__in=[user.pk for user in users]).order_by("pk"))
    keys = [api_token_create(created_by=user, name="bench")[1] for user in fresh]
    return Organisation.objects.get(pk=buyer.pk), fresh, keys


def fund(addresses: list[str], wei_each: int) -> None:
    """Sends each address `wei_each` from the chain's first unlocked account (the local chains'
    deployer, with 1000 ether): the benchmark pays for what it spends, whatever the platform's own
    gas funding gave."""
    from chain import client

    w3 = client.web3()
    bank = w3.eth.accounts[0]
    hashes = [w3.eth.send_transaction({"from": bank, "to": address, "value": wei_each}) for address in addresses]
    for tx_hash in hashes:
        assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)["status"] == 1


def raw_chain_rate(supplier_user, buyer, count: int) -> float:
    """registerInvoice transactions signed and sent straight through web3, one invoice each."""
    from chain import accounts, client, keys
    from chain.hashing import salted_hash

    w3 = client.web3()
    contract = client.platform_contract()
    seller = accounts.organisation_account(supplier_user.organisation)
    signer = keys.unlock(seller.encrypted_key)
    buyer_address = accounts.organisation_account(buyer).address
    max_fee = 4 * w3.eth.get_block("latest")["baseFeePerGas"] + 10**9
    fund([signer.address], count * GAS_PER_RAW_TX * max_fee)
    nonce = w3.eth.get_transaction_count(signer.address, "pending")
    now = int(time.time())
    signed = []
    for n in range(count):
        # A key and a document of its own per invoice (the chain refuses a document that backs
        # another invoice); no supporting documents, as the pipeline's invoices have none.
        call = contract.functions.registerInvoice(
            salted_hash("raw", n), salted_hash("raw-doc", n), "0x" + "00" * 32, buyer_address, 1_000_000 + n, 1,
            now - 86_400, now + 60 * 86_400,
        ).build_transaction({
            "from": signer.address, "nonce": nonce + n, "gas": GAS_PER_RAW_TX, "chainId": w3.eth.chain_id,
            "maxFeePerGas": max_fee, "maxPriorityFeePerGas": 10**9,
        })
        signed.append(signer.sign_transaction(call).raw_transaction)
    started = time.perf_counter()
    hashes = [w3.eth.send_raw_transaction(raw) for raw in signed]
    for tx_hash in hashes:
        assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=300, poll_latency=0.05)["status"] == 1
    return count / (time.perf_counter() - started)


def upload_documents(users, count: int) -> list[list[int]]:
    """The invoice documents, uploaded before the clock starts: per supplier, its documents' ids."""
    from documents.services import document_upload

    per_supplier = [[] for _ in users]
    for n in range(count):
        user = users[n % len(users)]
        document = document_upload(organisation=user.organisation, uploaded_by=user, kind="invoice",
                                   name=f"bench-{n}.pdf", content=pdf(f"bench invoice {n}"))
        per_supplier[n % len(users)].append(document.pk)
    return per_supplier


def post_bulk(url: str, key: str, invoices: list[dict]) -> dict:
    body = json.dumps({"invoices": invoices}).encode()
    request = urllib.request.Request(f"{url}/api/invoices/bulk/", body, {
        "Content-Type": "application/json", "Authorization": f"Token {key}", "Idempotency-Key": str(uuid.uuid4()),
    })
    try:
        with urllib.request.urlopen(request, timeout=300) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"bulk submission refused: {error.code} {error.read()[:500]!r}") from None


def submit_all(url: str, keys: list[str], buyer_id: int, documents: list[list[int]], bulk: int) -> dict[int, float]:
    """Posts every supplier's invoices from a thread of its own, `bulk` a request; returns the
    moment (epoch seconds) each created invoice's request was sent, by invoice id."""
    today = date.today()
    submitted: dict[int, float] = {}
    failures: list[BaseException] = []

    def client(n: int) -> None:
        try:
            lines = [{
                "buyer": buyer_id, "number": f"BENCH-{n}-{i}", "amount": f"{1000 + i}.25", "currency": "USDC",
                "issue_date": (today - timedelta(days=2)).isoformat(), "due_date": (today + timedelta(days=90)).isoformat(),
                "documents": [document],
            } for i, document in enumerate(documents[n])]
            for start in range(0, len(lines), bulk):
                sent_at = time.time()
                answer = post_bulk(url, keys[n], lines[start:start + bulk])
                refused = [result for result in answer["results"] if result["status"] != "created"]
                if refused:
                    raise RuntimeError(f"supplier {n}: {len(refused)} invoices refused, the first: {refused[0]}")
                submitted.update((result["id"], sent_at) for result in answer["results"])
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return submitted


def pipeline_round(url: str, keys, buyer, documents, bulk: int) -> dict:
    from chain.models import ActionPurpose, ActionStatus, ChainAction
    from chain.selectors import about
    from invoices.models import Invoice

    count = sum(map(len, documents))
    started = time.time()
    submitted = submit_all(url, keys, buyer.pk, documents, bulk)
    accepted = time.time() - started
    actions = ChainAction.objects.filter(about(Invoice, list(submitted), ActionPurpose.INVOICE_REGISTER))
    settled = actions.filter(status__in=[ActionStatus.CONFIRMED, ActionStatus.FAILED])
    wait_until(lambda: settled.count() == count, 1200, interval=0.1, message=f"{count} confirmed invoices")
    elapsed = time.time() - started
    latencies = sorted(
        action.updated_at.timestamp() - submitted[action.subject_id]
        for action in actions.only("updated_at", "subject_id")
    )
    return {
        "invoices": count,
        "rate": count / elapsed,
        "accepted_seconds": accepted,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "failed": actions.filter(status=ActionStatus.FAILED).count(),
        "transactions": actions.values("transaction").distinct().count(),
    }


def _tree(process):
    import psutil

    root = psutil.Process(process.pid)
    return [root, *root.children(recursive=True)]


def cpu_seconds(processes) -> float:
    """User + system CPU time spent so far by the processes and their children."""
    import psutil

    total = 0.0
    for process in processes:
        try:
            total += sum(sum(each.cpu_times()[:2]) for each in _tree(process))
        except psutil.Error:
            continue
    return total


def peak_rss_mb(processes) -> float:
    """The largest VmHWM among the processes and their children."""
    import psutil

    peak = 0
    for process in processes:
        try:
            for each in _tree(process):
                peak = max(peak, _vm_hwm_kb(each.pid))
        except psutil.Error:
            continue
    return peak / 1024


def run(engine: str, invoices: int, raw_count: int, bulk: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"scf-bench-{engine}-"))
    chain = local_chain(BENCH_PORT, folder, engine)
    running: list = []  # what to stop, in reverse order of starting
    chain.start()
    try:
        manifest = folder / "1337.json"
        deploy(manifest, network="scf-bench")
        env = configure(engine, folder, chain, manifest)
        onboarding = Worker(env, folder, concurrency=2, beat=True, name="onboarding")
        running.append(onboarding)
        onboarding.start()
        buyer, users, keys = onboard(CLIENTS + 1)  # the last supplier sends the raw transactions
        onboarding.stop()
        running.remove(onboarding)
        raw = raw_chain_rate(users[-1], buyer, raw_count)
        clients = users[:CLIENTS]
        from chain import accounts

        fund([accounts.organisation_account(user.organisation).address for user in clients], 10**18)
        documents = upload_documents(clients, invoices)

        workers = [Worker(env, folder, concurrency=1, beat=True, name="indexer", queues="indexer")]
        workers += [Worker(env, folder, concurrency=1, name=f"sender{n}", queues="celery,webhooks") for n in range(SENDERS)]
        for worker in workers:
            running.append(worker)
            worker.start()
        server = Server(PROJECT, port=WEB_PORT, workers=2, threads=4)
        running.append(server)
        time.sleep(3)  # the workers' boot is Celery's, not the pipeline's
        groups = {"chain": [chain.process], "web": [server.process], "indexer": [workers[0].process],
                  "senders": [worker.process for worker in workers[1:]]}
        cpu_before = {name: cpu_seconds(processes) for name, processes in groups.items()}
        result = pipeline_round(server.url, keys[:CLIENTS], buyer, documents, bulk)
        result["cpu"] = {name: cpu_seconds(processes) - cpu_before[name] for name, processes in groups.items()}
        result |= {
            "engine": engine, "block_time": chain.block_time, "raw": raw, "raw_count": raw_count, "bulk": bulk,
            "web_rss_mb": peak_rss_mb([server.process]),
            "worker_rss_mb": peak_rss_mb([worker.process for worker in workers]),
            "confirmations": int(os.environ.get("CHAIN_CONFIRMATIONS", "1")),
        }
        return result
    finally:
        for process in reversed(running):
            process.stop()
        chain.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["ganache", "anvil"], required=True)
    parser.add_argument("--invoices", type=int, default=2000)
    parser.add_argument("--raw", type=int, default=500)
    parser.add_argument("--bulk", type=int, default=100)
    parser.add_argument("--report", type=Path, required=True)
    options = parser.parse_args()
    _stop_on_signals()
    result = run(options.engine, options.invoices, options.raw, options.bulk)
    options.report.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
