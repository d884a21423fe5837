"""The pipeline benchmark (`make bench-pipeline`): N invoices submitted through the services layer
on a fresh local Ganache, sent by 1 and by 4 sender worker processes, against the raw rate of the
same registerInvoice transactions sent straight through web3 on the same chain.

Topology, as in production: sender workers on the default queue, one indexer worker with the
beat scheduler on the `indexer` queue. Database: SQLite in a temporary folder, or BENCH_DATABASE_URL.

Each round is run three ways: a burst of single submissions, the same paced at half the raw chain
rate, and a burst in bulk (one invoices_submit batch per supplier, as POST /api/invoices/bulk/).
The last line reads: `pipeline: X invoices/s, raw chain Y tx/s, ratio Z; bulk B invoices/s, ratio R`
(4 workers)."""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT / "platform"), str(PROJECT / "tools")]

from localnet import Ganache, Worker, deploy, wait_until  # noqa: E402

BENCH_PORT = 8547  # Brownie's scf-bench network


def configure(folder: Path, chain: Ganache, manifest: Path) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PLATFORM_VAR_DIR": str(folder),
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}"),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "filesystem://"),
        "CHAIN_RPC_URL": chain.url,
        "DEPLOYMENT_MANIFEST": str(manifest),
        "INDEXER_INTERVAL_SECONDS": "0.25",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
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


class PeakMemory(threading.Thread):
    """Samples the RSS of every process of the given workers; keeps the largest per process."""

    def __init__(self, workers):
        super().__init__(daemon=True)
        self.workers = workers
        self.peak_mb = 0.0
        self.running = True

    def run(self):
        import psutil

        while self.running:
            for worker in self.workers:
                try:
                    root = psutil.Process(worker.process.pid)
                    for process in [root, *root.children(recursive=True)]:
                        self.peak_mb = max(self.peak_mb, process.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
            time.sleep(0.2)


def onboard(suppliers: int):
    from django.utils import timezone

    from organisations.bootstrap import platform_bootstrap
    from organisations.models import Organisation, Role
    from organisations.services import organisation_approve_kyc, organisation_register
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
        120, message="on-chain registration of the bench parties",
    )
    fresh = User.objects.select_related("organisation").filter(pk__in=[user.pk for user in users]).order_by("pk")
    return Organisation.objects.get(pk=buyer.pk), list(fresh)


def raw_chain_rate(supplier_user, buyer, count: int) -> float:
    """registerInvoice transactions signed and sent straight through web3, one invoice each."""
    from chain import accounts, client, keys
    from chain.hashing import salted_hash

    w3 = client.web3()
    contract = client.platform_contract()
    seller = accounts.organisation_account(supplier_user.organisation)
    signer = keys.unlock(seller.encrypted_key)
    buyer_address = accounts.organisation_account(buyer).address
    nonce = w3.eth.get_transaction_count(signer.address, "pending")
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
    now = int(time.time())
    hashes = []
    started = time.perf_counter()
    for n in range(count):
        # A key and a document of its own per invoice (the chain refuses a document that backs
        # another invoice); no supporting documents, as the pipeline's invoices have none.
        call = contract.functions.registerInvoice(
            salted_hash("raw", n), salted_hash("raw-doc", n), "0x" + "00" * 32, buyer_address, 1_000_000 + n, 1,
            now - 86_400, now + 60 * 86_400,
        ).build_transaction({
            "from": signer.address, "nonce": nonce + n, "gas": 300_000, "chainId": w3.eth.chain_id,
            "maxFeePerGas": 2 * base_fee + 10**9, "maxPriorityFeePerGas": 10**9,
        })
        hashes.append(w3.eth.send_raw_transaction(signer.sign_transaction(call).raw_transaction))
    for tx_hash in hashes:
        assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)["status"] == 1
    return count / (time.perf_counter() - started)


def pipeline_round(label: str, users, buyer, count: int, rate: float | None = None, bulk: bool = False) -> dict:
    """Submits `count` invoices, all at once or at `rate` per second (open loop), one by one or,
    with `bulk`, in one batch per supplier (invoices_submit, as POST /api/invoices/bulk/ does),
    and waits until every one is confirmed."""
    from django.utils import timezone

    from chain.models import ActionPurpose, ActionStatus, ChainAction
    from chain.selectors import about
    from documents.services import document_upload
    from invoices.models import Invoice
    from invoices.services import InvoiceLine, invoice_submit, invoices_submit

    today = timezone.now().date()
    documents = [
        document_upload(organisation=users[n % len(users)].organisation, uploaded_by=users[n % len(users)],
                        kind="invoice", name=f"{label}-{n}.pdf", content=pdf(f"{label} invoice {n}"))
        for n in range(count)
    ]
    lines = [
        InvoiceLine(buyer_id=buyer.pk, number=f"{label}-{n}", amount=f"{1000 + n}.25", currency="USDC",
                    issue_date=today - timedelta(days=2), due_date=today + timedelta(days=90),
                    document_ids=[document.pk])
        for n, document in enumerate(documents)
    ]
    started = time.perf_counter()
    invoices = []
    if bulk:
        for first, user in enumerate(users):
            outcomes = invoices_submit(submitted_by=user, lines=lines[first::len(users)])
            invoices.extend(outcome.invoice.pk for outcome in outcomes)
    for n, line in enumerate(lines if not bulk else []):
        if rate and (ahead := started + n / rate - time.perf_counter()) > 0:
            time.sleep(ahead)
        invoice = invoice_submit(
            submitted_by=users[n % len(users)], buyer_id=line.buyer_id, number=line.number, amount=line.amount,
            currency=line.currency, issue_date=line.issue_date, due_date=line.due_date, document_ids=line.document_ids,
        )
        invoices.append(invoice.pk)
    accepted = time.perf_counter() - started
    done = ChainAction.objects.filter(about(Invoice, invoices, ActionPurpose.INVOICE_REGISTER))
    wait_until(lambda: done.filter(status__in=[ActionStatus.CONFIRMED, ActionStatus.FAILED]).count() == count,
               600, interval=0.05, message=f"{count} confirmed invoices")
    elapsed = time.perf_counter() - started
    failed = done.filter(status=ActionStatus.FAILED).count()
    latencies = sorted((action.updated_at - action.created_at).total_seconds() for action in done)
    return {
        "rate": count / elapsed,
        "accepted_s": accepted,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "failed": failed,
        "transactions": done.values("transaction").distinct().count(),
    }


def run_with_workers(env, folder: Path, senders: int, users, buyer, count: int, paced_rate: float) -> dict:
    """A burst of `count` invoices (throughput), then `count` more at `paced_rate` per second
    (latency at that load), then `count` more in bulk, with `senders` sender processes."""
    label = f"w{senders}"
    indexer = Worker(env, folder, concurrency=1, beat=True, name=f"{label}-indexer", queues="indexer")
    workers = [Worker(env, folder, concurrency=1, name=f"{label}-sender{n}", queues="celery") for n in range(senders)]
    for worker in [indexer, *workers]:
        worker.start()
    memory = PeakMemory(workers)
    memory.start()
    time.sleep(3)  # let the workers boot: the benchmark measures the pipeline, not Celery's start-up
    try:
        burst = pipeline_round(f"{label}-burst", users, buyer, count)
        paced = pipeline_round(f"{label}-paced", users, buyer, count, rate=paced_rate)
        bulk = pipeline_round(f"{label}-bulk", users, buyer, count, bulk=True)
    finally:
        memory.running = False
        for worker in [indexer, *workers]:
            worker.stop()
    return {"burst": burst, "paced": paced, "bulk": bulk, "rss_mb": memory.peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=int(os.environ.get("N", 500)))
    parser.add_argument("--suppliers", type=int, default=8)
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="scf-bench-"))
    chain = Ganache(BENCH_PORT, folder / "chain")
    chain.start()
    try:
        deploy(folder / "1337.json", network="scf-bench")
        env = configure(folder, chain, folder / "1337.json")
        onboarding = Worker(env, folder, concurrency=2, beat=True, name="onboarding")
        onboarding.start()
        try:
            buyer, users = onboard(options.suppliers)
        finally:
            onboarding.stop()
        raw = raw_chain_rate(users[0], buyer, options.invoices)
        paced_rate = raw / 2  # the load of the target: half the raw chain rate
        results = {senders: run_with_workers(env, folder, senders, users, buyer, options.invoices, paced_rate)
                   for senders in (1, 4)}
    finally:
        chain.stop()

    database = os.environ["DATABASE_URL"].split(":")[0]
    broker = os.environ["CELERY_BROKER_URL"].split(":")[0]
    print(f"\n{options.invoices} invoices per round, {options.suppliers} suppliers, local Ganache (automine), "
          f"database {database}, broker {broker}")
    print(f"raw chain: {raw:.1f} registerInvoice tx/s (one invoice per transaction, straight through web3)")
    print(f"burst: all submitted at once, one by one. paced: submitted at {paced_rate:.1f}/s (half the raw chain "
          f"rate). bulk: all at once, one batch per supplier (accepted: until the services returned).")
    print(f"{'senders':>8} {'burst inv/s':>12} {'burst p50':>10} {'burst p95':>10} {'paced p50':>10} "
          f"{'paced p95':>10} {'bulk inv/s':>11} {'accepted s':>11} {'bulk txs':>9} {'txs':>5} {'failed':>7} "
          f"{'peak RSS MB':>12}")
    for senders, result in results.items():
        burst, paced, bulk = result["burst"], result["paced"], result["bulk"]
        rounds = (burst, paced, bulk)
        print(f"{senders:>8} {burst['rate']:>12.1f} {burst['p50']:>10.2f} {burst['p95']:>10.2f} {paced['p50']:>10.2f} "
              f"{paced['p95']:>10.2f} {bulk['rate']:>11.1f} {bulk['accepted_s']:>11.2f} {bulk['transactions']:>9} "
              f"{sum(r['transactions'] for r in rounds):>5} {sum(r['failed'] for r in rounds):>7} "
              f"{result['rss_mb']:>12.0f}")
    four, four_bulk = results[4]["burst"]["rate"], results[4]["bulk"]["rate"]
    print(f"pipeline: {four:.1f} invoices/s, raw chain {raw:.1f} tx/s, ratio {four / raw:.2f}; "
          f"bulk {four_bulk:.1f} invoices/s, ratio {four_bulk / raw:.2f}")


if __name__ == "__main__":
    main()
