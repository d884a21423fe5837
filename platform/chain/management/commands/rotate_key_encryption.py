"""`manage.py rotate_key_encryption`: re-encrypts custodial keys, webhook secrets and TOTP secrets
under the newest key-encryption key (the first in KEY_ENCRYPTION_KEY)."""

from django.core.management.base import BaseCommand

from chain.rotation import secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypts every stored secret under the newest key-encryption key."

    def handle(self, *args, **options):
        for label, count in secrets_reencrypt().items():
            self.stdout.write(f"{label}: {count} re-encrypted")
        self.stdout.write("Done: the older keys can now be removed from KEY_ENCRYPTION_KEY.")
