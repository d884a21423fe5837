# Invoice identity: seller and canonical number; the invoice document backs one invoice only.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def identify_existing_invoices(apps, schema_editor):
    # Invoices stored before identity was (seller, canonical number) get it from their fields.
    from invoices.identity import canonical_invoice_number, invoice_key

    Invoice = apps.get_model("invoices", "Invoice")
    for invoice in Invoice.objects.select_related("seller").iterator():
        invoice.canonical_number = canonical_invoice_number(invoice.number)
        invoice.invoice_key = invoice_key(seller_legal_id=invoice.seller.legal_id, number=invoice.number)
        invoice.save(update_fields=["canonical_number", "invoice_key"])


class Migration(migrations.Migration):

    dependencies = [
        ('invoices', '0001_initial'),
        ('organisations', '0003_organisation_time_zone'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='invoice',
            name='canonical_number',
            field=models.CharField(default='', help_text='The number as identity: see invoices.identity.', max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='invoice',
            name='duplicate_acknowledged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='invoice',
            name='duplicate_acknowledged_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='invoice',
            name='invoice_key',
            field=models.CharField(default='', max_length=66),
            preserve_default=False,
        ),
        migrations.RunPython(identify_existing_invoices, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='invoice',
            name='invoice_key',
            field=models.CharField(help_text='Salted hash of seller and canonical number, registered on chain.', max_length=66, unique=True),
        ),
        migrations.AddField(
            model_name='invoice',
            name='possible_duplicate_of',
            field=models.ForeignKey(blank=True, help_text='An earlier invoice with the same seller, buyer, amount and issue date under another number.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='possible_duplicates', to='invoices.invoice'),
        ),
        migrations.AddField(
            model_name='invoice',
            name='supporting_documents_hash',
            field=models.CharField(blank=True, help_text='keccak256 of the sorted hashes of the other documents; empty if none.', max_length=66),
        ),
        migrations.AddField(
            model_name='invoice',
            name='verified_from_einvoice',
            field=models.BooleanField(default=False, help_text='Every field was checked against the UBL or Factur-X invoice it came with.'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='document_hash',
            field=models.CharField(help_text="keccak256 of the invoice document's bytes: it backs this invoice only.", max_length=66, unique=True),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='fingerprint',
            field=models.CharField(help_text="The chain's id: keccak256 of the seller's participant id and the key.", max_length=66, unique=True),
        ),
        migrations.AddIndex(
            model_name='invoice',
            index=models.Index(fields=['seller', 'buyer', 'amount', 'issue_date'], name='invoice_lookalike'),
        ),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.UniqueConstraint(fields=('seller', 'canonical_number'), name='invoice_unique_per_seller'),
        ),
    ]
