"""Actions say what they are for in columns: purpose, subject and sequence, filled here for the
actions queued before, from the keys they were queued under (the last time a key is read)."""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

# Old key prefix -> (purpose, subject model, how the rest of the key reads).
ORGANISATION, INVOICE, PIECE, ACCOUNT = "organisations.organisation", "invoices.invoice", "invoices.piece", "chain.chainaccount"
ONE_OFF = {
    "invoice-register": ("invoice-register", INVOICE),
    "invoice-confirm": ("invoice-confirm", INVOICE),
    "invoice-dispute": ("invoice-dispute", INVOICE),
    "financing-request": ("financing-request", "financing.financingrequest"),
    "overdue": ("mark-overdue", INVOICE),
    "default": ("mark-defaulted", INVOICE),
}


def legacy_columns(key: str, accounts: dict[str, int]) -> tuple[str, str, int, int | None, str]:
    """(purpose, subject model, subject id, sequence or None for 'next in order', request key)
    of an action queued under `key`. `accounts` maps addresses and labels to account ids."""
    head, _, rest = key.partition(":")
    parts = rest.split(":")
    if head in ONE_OFF:
        purpose, model = ONE_OFF[head]
        return purpose, model, int(parts[0]), 0, ""
    if head == "repay":
        return "repay", INVOICE, int(parts[0]), None, parts[1]
    if head in ("piece-split", "piece-transfer"):
        return head, PIECE, int(parts[0]), None, ""
    if head == "piece-write-off":
        return head, PIECE, int(parts[0]), int(parts[1]), ""
    if head == "claim":
        return "piece-claim", PIECE, int(parts[0]), int(parts[1]), ""
    if head == "rating":
        return "rating-post", ORGANISATION, int(parts[0]), None, f"{parts[1]}:{parts[2]}"
    if head in ("programme-terms", "programme-fund", "programme-defund"):
        return head, ORGANISATION, int(parts[0]), None, f"{parts[1]}:{parts[2]}:{parts[3]}"[-64:]
    if head == "participant-register":  # the risk oracle, by its account's label
        return head, ACCOUNT, accounts[parts[0]], 0, ""
    if head.startswith("participant-"):  # participant-<org>:register | renew-kyc:<n> | suspend:<n>
        organisation = int(head.removeprefix("participant-"))
        if parts[0] == "register":
            return "participant-register", ORGANISATION, organisation, 0, ""
        return f"participant-{parts[0]}", ORGANISATION, organisation, None, ""
    if head == "fund-gas":
        return "gas-funding", ACCOUNT, accounts[parts[0]], 0, ""
    if head == "token-approve":
        return head, ACCOUNT, accounts[parts[0]], int(parts[1]), ""
    if head == "token-mint":
        return head, ACCOUNT, accounts[parts[0]], None, f"{parts[1]}:{parts[2]}"
    raise ValueError(f"An action's key has no known purpose: {key!r}")


def fill_columns(apps, schema_editor):
    ChainAccount = apps.get_model("chain", "ChainAccount")
    ChainAction = apps.get_model("chain", "ChainAction")
    ContentType = apps.get_model("contenttypes", "ContentType")
    accounts = {}
    for pk, address, label in ChainAccount.objects.values_list("pk", "address", "label"):
        accounts[address] = accounts[label] = pk
    types = {}
    taken = defaultdict(int)  # (purpose, model, id) -> the next free sequence, for rows taken in order
    for action in ChainAction.objects.order_by("pk"):
        purpose, model, subject_id, sequence, request_key = legacy_columns(action.idempotency_key, accounts)
        if model not in types:
            app_label, name = model.split(".")
            types[model], _ = ContentType.objects.get_or_create(app_label=app_label, model=name)
        if sequence is None:
            sequence = taken[purpose, model, subject_id]
            taken[purpose, model, subject_id] = sequence + 1
        action.purpose, action.subject_type, action.subject_id = purpose, types[model], subject_id
        action.sequence, action.request_key = sequence, request_key
        action.idempotency_key = f"{purpose}:{model}:{subject_id}:{sequence}"
        action.save(update_fields=["purpose", "subject_type", "subject_id", "sequence", "request_key", "idempotency_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("chain", "0004_chainevent_mined_at"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="chainaction",
            name="purpose",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="chainaction",
            name="subject_type",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype"
            ),
        ),
        migrations.AddField(
            model_name="chainaction",
            name="subject_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="chainaction",
            name="sequence",
            field=models.PositiveBigIntegerField(
                default=0, help_text="Tells apart the actions of one purpose on one subject: 0 for a one-off."
            ),
        ),
        migrations.AddField(
            model_name="chainaction",
            name="request_key",
            field=models.CharField(
                blank=True, max_length=64, help_text="The caller's token for this one request: a replay with it acts once."
            ),
        ),
        migrations.RunPython(fill_columns, migrations.RunPython.noop),
    ]
