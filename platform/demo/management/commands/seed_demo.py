"""`manage.py seed_demo`: the demo supply chain, once (needs the worker running); then prints the
portal's logins. The logins are the command's output (stdout); its progress goes to stderr, so
`make run` can keep the progress in a log and show the logins once the portal answers."""

from django.core.management.base import BaseCommand

from chain import client
from demo import seed


class Command(BaseCommand):
    help = "Seeds the demo supply chain on first run (the worker must be running) and prints the logins."

    def handle(self, *args, **options):
        if not client.is_local_chain():
            self.stdout.write("Not a local chain: no demo supply chain (it needs minted test tokens and gas).")
            return
        if not seed.is_seeded():
            self.stderr.write("Seeding the demo supply chain (first run only, about a minute)...")
            seed.seed()
        demo = seed.read_logins()
        self.stdout.write(f"Demo logins (password for all: {demo['password']}):")
        for login in demo["logins"]:
            extra = "+ authenticator code: make code user=" + login["username"] if login["totp_key"] else ""
            self.stdout.write(f"  {login['username']:<10} {login['role']:<18} {login['organisation']:<24} {extra}".rstrip())
