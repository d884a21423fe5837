"""Moves the secret of every existing django-otp TOTPDevice into an EncryptedTOTPDevice and
overwrites the clear hex with random bytes: the portal verifies codes with encrypted devices only,
so a device left behind would let its user set up a new one without a second factor."""

from django.db import migrations
from django_otp.util import random_hex


def encrypt_existing(apps, schema_editor):
    from chain import keys  # the key-encryption key of the settings, not a historical model

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    EncryptedTOTPDevice = apps.get_model("authenticators", "EncryptedTOTPDevice")
    for device in TOTPDevice.objects.exclude(pk__in=EncryptedTOTPDevice.objects.values("pk")):
        encrypted = EncryptedTOTPDevice(totpdevice_ptr_id=device.pk, encrypted_key=keys.encrypt(bytes.fromhex(device.key)))
        encrypted.__dict__.update({name: value for name, value in device.__dict__.items() if name != "_state"})
        encrypted.save_base(raw=True)  # the child row only: the parent row exists
        TOTPDevice.objects.filter(pk=device.pk).update(key=random_hex(20))


class Migration(migrations.Migration):
    dependencies = [("authenticators", "0001_initial")]

    operations = [migrations.RunPython(encrypt_existing, migrations.RunPython.noop)]
