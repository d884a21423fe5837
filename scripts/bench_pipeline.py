"""The pipeline benchmark (`make bench-pipeline`): N invoices (2,000 unless N is set) posted to the bulk
API over HTTP by 4 client threads against gunicorn, on Ganache in automine and on anvil mining every
2 s, in one run; each engine's round (scripts/bench_pipeline_engine.py) in a process of its own, on
a fresh chain, database and broker queue.

Topology, as in production: 4 sender worker processes on the default queue, one indexer worker
with the beat scheduler on the `indexer` queue, gunicorn with 2 workers x 4 threads. Database:
PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/scf_bench_pipeline, with
the engine's name appended; dropped and recreated), broker Redis (BENCH_BROKER_URL, default
redis://127.0.0.1:6379/13, purged); a sqlite:/// URL and filesystem:// work too.

The last two lines read:
    pipeline ganache: X invoices/s, raw chain Y tx/s, ratio Z
    pipeline anvil: X invoices/s, p95 S s, block time B s
Ctrl-C (or SIGTERM) stops the round under way and everything it started."""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
ENGINES = ("ganache", "anvil")


def run_engine(engine: str, options, folder: Path) -> dict:
    report = folder / f"{engine}.json"
    command = [sys.executable, str(PROJECT / "scripts" / "bench_pipeline_engine.py"), "--engine", engine,
               "--invoices", str(options.invoices), "--raw", str(options.raw), "--bulk", str(options.bulk),
               "--report", str(report)]
    print(f"{engine}: {options.invoices} invoices through the bulk API ...", flush=True)
    round_process = subprocess.Popen(command, cwd=PROJECT, env=os.environ | {"PYTHONUNBUFFERED": "1"})
    try:
        status = round_process.wait()
    except BaseException:
        round_process.send_signal(signal.SIGTERM)  # its `finally` stops the chain, workers and web
        round_process.wait(timeout=120)
        raise
    if status != 0:
        raise SystemExit(f"the {engine} round failed (exit status {status}); its chain and workers are stopped")
    return json.loads(report.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=int(os.environ.get("N", 2000)))
    parser.add_argument("--raw", type=int, default=int(os.environ.get("RAW", 500)),
                        help="single registerInvoice transactions for the raw chain rate")
    parser.add_argument("--bulk", type=int, default=int(os.environ.get("BULK", 100)), help="invoices per request")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(KeyboardInterrupt()))
    with tempfile.TemporaryDirectory(prefix="scf-bench-reports-") as folder:
        results = {engine: run_engine(engine, options, Path(folder)) for engine in ENGINES}

    print(f"\n{options.invoices} invoices, {options.bulk} a request from 4 client threads; "
          "4 sender workers, 1 indexer, gunicorn 2x4")
    print(f"{'engine':>8} {'block s':>8} {'raw tx/s':>9} {'inv/s':>7} {'ratio':>6} {'accepted s':>11} {'p50 s':>6} "
          f"{'p95 s':>6} {'txs':>5} {'failed':>7} {'web MB':>7} {'workers MB':>11}")
    for engine, result in results.items():
        print(f"{engine:>8} {result['block_time']:>8g} {result['raw']:>9.1f} {result['rate']:>7.1f} "
              f"{result['rate'] / result['raw']:>6.2f} {result['accepted_seconds']:>11.1f} {result['p50']:>6.2f} "
              f"{result['p95']:>6.2f} {result['transactions']:>5} {result['failed']:>7} {result['web_rss_mb']:>7.0f} "
              f"{result['worker_rss_mb']:>11.0f}")
    print("CPU seconds during the round, by process group (where the time goes):")
    for engine, result in results.items():
        groups = ", ".join(f"{name} {seconds:.1f}" for name, seconds in result["cpu"].items())
        print(f"  {engine}: {groups}; wall {result['invoices'] / result['rate']:.1f} s on 2 cores")
    anvil = results["anvil"]
    bound = (3 + anvil["confirmations"]) * anvil["block_time"]
    print(f"anvil p95 bound: 3 blocks plus the confirmation depth ({anvil['confirmations']}) = {bound:g} s")
    ganache = results["ganache"]
    print(f"pipeline ganache: {ganache['rate']:.1f} invoices/s, raw chain {ganache['raw']:.1f} tx/s, "
          f"ratio {ganache['rate'] / ganache['raw']:.2f}")
    print(f"pipeline anvil: {anvil['rate']:.1f} invoices/s, p95 {anvil['p95']:.1f} s, block time {anvil['block_time']:g} s")


if __name__ == "__main__":
    main()
