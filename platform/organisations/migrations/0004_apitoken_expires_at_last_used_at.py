from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def expire_existing_tokens(apps, schema_editor):
    """Tokens minted before expiry existed live the configured lifetime from their creation."""
    ApiToken = apps.get_model("organisations", "ApiToken")
    ApiToken.objects.update(expires_at=F("created_at") + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS))


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0003_organisation_time_zone'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='last_used_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
