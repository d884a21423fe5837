"""The buyer's invoice actions over the API: confirm, dispute and repay answer 202 with the queued
on-chain action; other roles get 403, other organisations' invoices 404, bad input a 400 naming
the field, and a retry with the same Idempotency-Key the first answer."""

import pytest

from chain.models import ActionPurpose, ChainAction
from invoices.models import Invoice, InvoiceStatus

from factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(supplier_user, core_firm_user):
    return InvoiceFactory(seller=supplier_user.organisation, buyer=core_firm_user.organisation,
                          status=InvoiceStatus.REGISTERED)


def post(client, path, body=None, key="erp-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(path, body or {}, format="json", **headers)


def test_the_buyer_confirms_and_gets_the_queued_action(invoice, core_firm_user, api):
    response = post(api(core_firm_user), f"/api/invoices/{invoice.pk}/confirm/")

    assert response.status_code == 202
    action = ChainAction.objects.get(function="confirmInvoice")
    assert response.json() | {"created_at": None, "updated_at": None} == {
        "id": action.pk, "function": "confirmInvoice", "status": "queued", "tx_hash": None, "block": None, "error": "",
        "created_at": None, "updated_at": None,
    }
    assert response.headers["Location"].endswith(f"/api/actions/{action.pk}/")


def test_the_seller_cannot_confirm(invoice, supplier_user, api):
    response = post(api(supplier_user), f"/api/invoices/{invoice.pk}/confirm/")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only a core firm can do this; your organisation is a supplier."
    assert not ChainAction.objects.exists()


def test_another_core_firms_invoice_is_not_found(core_firm_user, api):
    foreign = InvoiceFactory(status=InvoiceStatus.REGISTERED)

    response = post(api(core_firm_user), f"/api/invoices/{foreign.pk}/confirm/")

    assert response.status_code == 404
    assert not ChainAction.objects.exists()


def test_only_a_registered_invoice_can_be_confirmed(invoice, core_firm_user, api):
    invoice.status = InvoiceStatus.CONFIRMED
    invoice.save()

    response = post(api(core_firm_user), f"/api/invoices/{invoice.pk}/confirm/")

    assert response.status_code == 400
    assert "Only a registered invoice can be confirmed" in response.json()["status"][0]


def test_confirmation_needs_an_idempotency_key(invoice, core_firm_user, api):
    response = post(api(core_firm_user), f"/api/invoices/{invoice.pk}/confirm/", key=None)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not ChainAction.objects.exists()


def test_a_retried_confirmation_gets_the_first_answer(invoice, core_firm_user, api):
    client = api(core_firm_user)

    first = post(client, f"/api/invoices/{invoice.pk}/confirm/", key="erp-7")
    retry = post(client, f"/api/invoices/{invoice.pk}/confirm/", key="erp-7")

    assert retry.status_code == 202 and retry.json() == first.json()
    assert retry.headers["Idempotent-Replay"] == "true"
    assert ChainAction.objects.count() == 1


def test_a_key_reused_on_another_invoice_is_refused(invoice, core_firm_user, api):
    other = InvoiceFactory(seller=invoice.seller, buyer=invoice.buyer, status=InvoiceStatus.REGISTERED)
    client = api(core_firm_user)
    post(client, f"/api/invoices/{invoice.pk}/confirm/", key="erp-8")

    response = post(client, f"/api/invoices/{other.pk}/confirm/", key="erp-8")

    assert response.status_code == 422
    assert ChainAction.objects.count() == 1


def test_the_buyer_disputes_with_a_reason(invoice, core_firm_user, api):
    response = post(api(core_firm_user), f"/api/invoices/{invoice.pk}/dispute/", {"reason": "Goods never arrived"})

    assert response.status_code == 202
    assert ChainAction.objects.get(pk=response.json()["id"]).function == "disputeInvoice"


@pytest.mark.parametrize("body", [{}, {"reason": "   "}])
def test_a_dispute_needs_a_reason(invoice, core_firm_user, api, body):
    response = post(api(core_firm_user), f"/api/invoices/{invoice.pk}/dispute/", body)

    assert response.status_code == 400
    assert "reason" in response.json()
    assert not ChainAction.objects.exists()


def test_the_seller_cannot_dispute(invoice, supplier_user, api):
    response = post(api(supplier_user), f"/api/invoices/{invoice.pk}/dispute/", {"reason": "No"})

    assert response.status_code == 403


def test_another_core_firms_invoice_cannot_be_disputed(core_firm_user, api):
    foreign = InvoiceFactory(status=InvoiceStatus.REGISTERED)

    response = post(api(core_firm_user), f"/api/invoices/{foreign.pk}/dispute/", {"reason": "No"})

    assert response.status_code == 404


@pytest.fixture
def confirmed(invoice):
    invoice.status = InvoiceStatus.CONFIRMED
    invoice.save()
    return invoice


def test_the_buyer_repays_an_instalment_under_its_idempotency_key(confirmed, core_firm_user, api):
    response = post(api(core_firm_user), f"/api/invoices/{confirmed.pk}/repay/", {"amount": "250.5"}, key="pay-1")

    assert response.status_code == 202
    action = ChainAction.objects.get(pk=response.json()["id"])
    assert (action.function, action.args) == ("repay", [confirmed.fingerprint, 250_500_000])
    assert (action.purpose, action.subject, action.request_key) == (ActionPurpose.REPAY, confirmed, "pay-1")


def test_each_new_key_is_a_new_instalment_and_a_retry_pays_nothing_more(confirmed, core_firm_user, api):
    client = api(core_firm_user)
    path = f"/api/invoices/{confirmed.pk}/repay/"

    post(client, path, {"amount": "100"}, key="pay-1")
    retry = post(client, path, {"amount": "100"}, key="pay-1")
    post(client, path, {"amount": "100"}, key="pay-2")

    assert retry.headers["Idempotent-Replay"] == "true"
    assert ChainAction.objects.filter(function="repay").count() == 2


@pytest.mark.parametrize(("amount", "message"), [
    ("1000.000001", "more than the 1,000.00 USDC still owed"), ("0", "above zero"), ("ten", "is not an amount"),
])
def test_a_bad_repayment_amount_is_named(confirmed, core_firm_user, api, amount, message):
    response = post(api(core_firm_user), f"/api/invoices/{confirmed.pk}/repay/", {"amount": amount})

    assert response.status_code == 400
    assert message in response.json()["amount"][0]
    assert not ChainAction.objects.exists()


def test_a_key_too_long_for_a_repayment_is_named(confirmed, core_firm_user, api):
    response = post(api(core_firm_user), f"/api/invoices/{confirmed.pk}/repay/", {"amount": "1"}, key="k" * 65)

    assert response.status_code == 400
    assert "longer than 64" in response.json()["Idempotency-Key"][0]


def test_the_seller_cannot_repay(confirmed, supplier_user, api):
    response = post(api(supplier_user), f"/api/invoices/{confirmed.pk}/repay/", {"amount": "1"})

    assert response.status_code == 403


def test_another_core_firms_invoice_cannot_be_repaid(core_firm_user, api):
    foreign = InvoiceFactory(status=InvoiceStatus.CONFIRMED)

    response = post(api(core_firm_user), f"/api/invoices/{foreign.pk}/repay/", {"amount": "1"})

    assert response.status_code == 404


def test_confirming_a_possible_duplicate_needs_the_acknowledgement(invoice, core_firm_user, api):
    earlier = InvoiceFactory(seller=invoice.seller, buyer=invoice.buyer, amount=invoice.amount,
                             issue_date=invoice.issue_date)
    Invoice.objects.filter(pk=invoice.pk).update(possible_duplicate_of=earlier)
    client = api(core_firm_user)

    refused = post(client, f"/api/invoices/{invoice.pk}/confirm/", key="erp-dup-1")
    accepted = post(client, f"/api/invoices/{invoice.pk}/confirm/", {"acknowledge_duplicate": True}, key="erp-dup-2")

    assert refused.status_code == 400 and earlier.number in refused.json()["acknowledge_duplicate"][0]
    assert accepted.status_code == 202
    invoice.refresh_from_db()
    assert invoice.duplicate_acknowledged_by == core_firm_user


def test_the_invoice_says_whether_it_was_verified_from_an_einvoice(invoice, core_firm_user, api):
    body = api(core_firm_user).get(f"/api/invoices/{invoice.pk}/").json()

    assert body["verified_from_einvoice"] is False and body["possible_duplicate_of"] is None


def test_a_confirmation_while_the_chain_is_paused_is_refused_with_503_and_stores_nothing(invoice, core_firm_user, api):
    from chain.models import HaltCause, IndexerState

    halted = IndexerState.objects.create(
        chain_id=1337, genesis_hash="0xaa", contract_address="0x" + "5c" * 20, last_block=63,
        halted_reason="Chain replaced", halted_cause=HaltCause.REPLACED, halted_head=5,
    )
    client = api(core_firm_user)

    response = post(client, f"/api/invoices/{invoice.pk}/confirm/", key="erp-paused")

    assert response.status_code == 503
    assert response.json()["code"] == "chain_paused"
    assert response.json()["detail"].startswith("On-chain actions are paused")
    assert not ChainAction.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.REGISTERED

    IndexerState.objects.filter(pk=halted.pk).update(halted_reason="", halted_cause="")
    assert post(client, f"/api/invoices/{invoice.pk}/confirm/", key="erp-paused").status_code == 202, (
        "the refusal was not stored as the key's answer: the retry acts once the chain is back"
    )
