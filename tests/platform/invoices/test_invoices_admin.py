"""invoices.admin: invoices and their pieces are looked at in the admin, never edited there; they
are submitted through services and otherwise mirrored from the chain."""

import pytest
from django.urls import reverse

from factories import InvoiceFactory, PieceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["invoice", "piece"])
def test_list_and_page_show_the_row(admin_client, model):
    piece = PieceFactory(invoice=InvoiceFactory(number="INV-2026-042"))
    row = piece if model == "piece" else piece.invoice

    assert "INV-2026-042" in admin_client.get(reverse(f"admin:invoices_{model}_changelist")).text
    assert admin_client.get(reverse(f"admin:invoices_{model}_change", args=[row.pk])).status_code == 200


@pytest.mark.parametrize("model", ["invoice", "piece"])
def test_nothing_is_added_changed_or_deleted_in_the_admin(admin_client, model):
    piece = PieceFactory()
    row = piece if model == "piece" else piece.invoice

    assert admin_client.get(reverse(f"admin:invoices_{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:invoices_{model}_change", args=[row.pk]), {}).status_code == 403
    assert admin_client.get(reverse(f"admin:invoices_{model}_delete", args=[row.pk])).status_code == 403
