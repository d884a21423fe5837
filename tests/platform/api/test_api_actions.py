"""Following an on-chain action over the API: an organisation reads the actions its own account
signs, with the transaction's hash and block once mined; anyone else's answers 404."""

import pytest

from chain.models import ActionPurpose, ActionStatus, ChainAction, ChainTransaction, TransactionStatus
from invoices.models import InvoiceStatus

from factories import ChainActionFactory, InvoiceFactory, RegisteredOrganisationFactory

pytestmark = pytest.mark.django_db


def _action(organisation, **fields) -> ChainAction:
    return ChainActionFactory(
        purpose=ActionPurpose.INVOICE_CONFIRM, subject=InvoiceFactory(buyer=organisation),
        signer=organisation.chain_account, function="confirmInvoice", **fields,
    )


def test_a_queued_action_has_no_hash_or_block_yet(core_firm_user, api):
    action = _action(core_firm_user.organisation)

    body = api(core_firm_user).get(f"/api/actions/{action.pk}/").json()

    assert (body["id"], body["status"], body["tx_hash"], body["block"]) == (action.pk, "queued", None, None)


def test_a_mined_action_shows_its_transaction(core_firm_user, api):
    account = core_firm_user.organisation.chain_account
    mined = ChainTransaction.objects.create(
        signer=account, nonce=0, to_address="0x" + "5c" * 20, data="0x", gas=90_000, status=TransactionStatus.MINED,
        tx_hash="0x" + "ab" * 32, block_number=1234,
    )
    action = _action(core_firm_user.organisation, status=ActionStatus.MINED, transaction=mined)

    body = api(core_firm_user).get(f"/api/actions/{action.pk}/").json()

    assert (body["status"], body["tx_hash"], body["block"]) == ("mined", "0x" + "ab" * 32, 1234)


def test_a_failed_action_says_why(core_firm_user, api):
    action = _action(core_firm_user.organisation, status=ActionStatus.FAILED, error="InvoiceNotRegistered")

    body = api(core_firm_user).get(f"/api/actions/{action.pk}/").json()

    assert (body["status"], body["error"]) == ("failed", "InvoiceNotRegistered")


def test_another_organisations_action_is_not_found(core_firm_user, api):
    foreign = _action(RegisteredOrganisationFactory())

    response = api(core_firm_user).get(f"/api/actions/{foreign.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/actions/not-a-number/", "/api/actions/1.5/", f"/api/actions/{2**70}/"])
def test_a_malformed_action_id_is_not_found(core_firm_user, api, path):
    response = api(core_firm_user).get(path)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"


def test_the_action_a_post_answered_can_be_followed(supplier_user, core_firm_user, api):
    invoice = InvoiceFactory(seller=supplier_user.organisation, buyer=core_firm_user.organisation,
                             status=InvoiceStatus.REGISTERED)
    client = api(core_firm_user)
    queued = client.post(f"/api/invoices/{invoice.pk}/confirm/", format="json", HTTP_IDEMPOTENCY_KEY="c-1")

    followed = client.get(queued.headers["Location"])

    assert followed.status_code == 200 and followed.json()["id"] == queued.json()["id"]
