"""Rotation of the key-encryption key: every secret encrypted with it (custodial signing keys,
webhook signing secrets, users' TOTP secrets) is re-encrypted under the newest key. Run it after
putting the new key first in KEY_ENCRYPTION_KEY (old keys after it); once it has run, the old keys
can be dropped."""

from django.apps import apps
from django.db import transaction

from . import keys

# (model, field) pairs holding secrets under the key-encryption key.
ENCRYPTED_FIELDS = [
    ("chain.ChainAccount", "encrypted_key"),
    ("webhooks.WebhookEndpoint", "encrypted_secret"),
    ("authenticators.EncryptedTOTPDevice", "encrypted_key"),
]


@transaction.atomic
def secrets_reencrypt() -> dict[str, int]:
    """Re-encrypts every stored secret under the newest key; returns how many per model."""
    done = {}
    for label, field in ENCRYPTED_FIELDS:
        model = apps.get_model(label)
        rows = model.objects.select_for_update().only("pk", field)
        for row in rows:
            model.objects.filter(pk=row.pk).update(**{field: keys.reencrypt(getattr(row, field))})
        done[label] = len(rows)
    return done
