"""What needs the operator's attention on its dashboard: organisations waiting for their KYC review,
and approvals that lapse within 30 days."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_lazy

from organisations.models import KycStatus, Organisation
from portal.kit.attention import AttentionList, AttentionRow, attention_list

KYC_LAPSES_WITHIN = timedelta(days=30)


def _participant(organisation: Organisation, text: str) -> AttentionRow:
    return AttentionRow(text, reverse("portal:operator:participant", args=[organisation.pk]))


def operator_attention(now: datetime) -> list[AttentionList]:
    participants = reverse("portal:operator:participants")
    return [
        attention_list(
            key="kyc-review", title=gettext_lazy("organisations waiting for KYC review"),
            rows=Organisation.objects.filter(kyc_status=KycStatus.PENDING).order_by("created_at", "pk"),
            row=lambda organisation: _participant(organisation, _("%(name)s (%(role)s)") % {
                "name": organisation.name, "role": organisation.get_role_display(),
            }),
            more_url=f"{participants}?{urlencode({'kyc': KycStatus.PENDING})}",
        ),
        attention_list(
            key="kyc-lapsing", title=gettext_lazy("KYC approvals lapsing within 30 days"),
            rows=Organisation.objects.filter(
                kyc_status=KycStatus.APPROVED, kyc_expires_at__lte=now + KYC_LAPSES_WITHIN
            ).order_by("kyc_expires_at", "pk"),
            row=lambda organisation: _participant(organisation, _("%(name)s: lapses on %(day)s") % {
                "name": organisation.name, "day": organisation.kyc_expires_at.date(),
            }),
        ),
    ]
