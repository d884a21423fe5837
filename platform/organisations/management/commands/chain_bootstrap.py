from django.core.management.base import BaseCommand

from organisations.bootstrap import platform_bootstrap


class Command(BaseCommand):
    help = "Sets up the operator, the risk oracle and the indexer for the deployment in the manifest."

    def handle(self, *args, **options):
        operator = platform_bootstrap()
        self.stdout.write(f"Platform operator {operator.address} ready.")
