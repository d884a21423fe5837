"""`manage.py chain_mirror_check`: does the database mirror the chain at CHAIN_RPC_URL? `make run`
asks before it deploys. Exit status 0 if it does (or mirrors nothing yet), 1 with the findings and
the two ways out if it mirrors another chain."""

from django.conf import settings
from django.core.management.base import BaseCommand

from api.redaction import redacted_url
from chain.mirror import mirror_check

WAYS_OUT = """Its rows (organisations, invoices, balances, roles) tell that chain's history: deploying here and
carrying on would mix two histories. Nothing was deployed. Two ways out:
  1. make reset: wipes var/ (the local chain, the database, documents and demo logins); the next
     'make run' deploys afresh and seeds the demo again.
  2. Point CHAIN_RPC_URL at the chain the database mirrors (for make run's own chain: bring back
     var/chain as it was) and run again."""


class Command(BaseCommand):
    help = "Checks that the database mirrors the chain at CHAIN_RPC_URL (exit status 1 if it mirrors another)."

    def handle(self, *args, **options):
        check = mirror_check()
        node = redacted_url(settings.CHAIN_RPC_URL)
        if not check.ok:
            self.stdout.write(f"The database mirrors another chain than the one at {node}:")
            for finding in check.findings:
                self.stdout.write(f"  - {finding}")
            self.stdout.write(WAYS_OUT)
            raise SystemExit(1)
        for reason in check.resumed:
            self.stdout.write(f"The indexer had halted ({reason}); the chain at {node} is the mirrored one: resumed.")
        self.stdout.write(f"The database mirrors the chain at {node} (or nothing yet).")
