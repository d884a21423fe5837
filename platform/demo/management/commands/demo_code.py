"""`manage.py demo_code <user>`: the current authenticator code of a demo user (lenders and admins
sign in with a second factor). Only for the demo's own users, and never with DEBUG off."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from authenticators.models import EncryptedTOTPDevice
from demo import seed


class Command(BaseCommand):
    help = "Prints the current TOTP code of a demo user."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG or not seed.logins_file().exists():
            raise CommandError("Demo codes exist only on a local demo installation (DEBUG on, demo seeded).")
        if username not in {login["username"] for login in seed.read_logins()["logins"]}:
            raise CommandError(f"{username} is not a demo user.")
        device = EncryptedTOTPDevice.objects.filter(user__username=username, name="demo").first()
        if device is None:
            raise CommandError(f"{username} signs in without a second factor.")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        remaining = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}  (valid for {remaining} more seconds)")
