"""The invoices API: organisation tokens, no data across organisations, idempotent submission,
errors naming the field, and an OpenAPI schema that validates."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from eth_utils import keccak
from rest_framework.test import APIClient

from chain.models import ChainAction
from invoices.models import Invoice
from organisations.models import ApiToken, Role
from organisations.tokens import api_token_create, api_token_revoke

from factories import (
    DocumentFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from samples import ubl_invoice_xml

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


@pytest.fixture(autouse=True)
def _deployment(manifest):
    return manifest


@pytest.fixture
def supplier_user():
    return UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))


def client_for(user) -> APIClient:
    _, key = api_token_create(created_by=user, name="ERP")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_api_wants_a_token():
    assert APIClient().get("/api/invoices/").status_code in (401, 403)


def test_a_revoked_token_is_refused(supplier_user):
    client = client_for(supplier_user)
    api_token_revoke(token=ApiToken.objects.get())

    response = client.get("/api/invoices/")

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_only_a_hash_of_the_key_is_stored(supplier_user):
    token, key = api_token_create(created_by=supplier_user, name="ERP")

    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())


def test_list_shows_the_organisations_own_invoices_and_nothing_else(supplier_user):
    mine = InvoiceFactory(seller=supplier_user.organisation)
    held = PieceFactory(holder=supplier_user.organisation).invoice  # a piece passed down to us
    foreign = InvoiceFactory()

    response = client_for(supplier_user).get("/api/invoices/")

    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {mine.pk, held.pk}
    assert foreign.number not in response.content.decode()


def test_another_organisations_invoice_is_not_found(supplier_user):
    foreign = InvoiceFactory()

    response = client_for(supplier_user).get(f"/api/invoices/{foreign.pk}/")

    assert response.status_code == 404
    assert foreign.number not in response.content.decode()


def test_the_list_costs_the_same_queries_for_many_rows(supplier_user):
    client = client_for(supplier_user)
    InvoiceFactory(seller=supplier_user.organisation)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/invoices/")
    for _ in range(20):
        PieceFactory(invoice=InvoiceFactory(seller=supplier_user.organisation))
    with CaptureQueriesContext(connection) as many:
        client.get("/api/invoices/")

    assert len(many) == len(few)


def _submission(user, number="INV-API-1", amount="1250.50"):
    buyer = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    document = DocumentFactory(organisation=user.organisation)
    return {
        "buyer": buyer.pk, "number": number, "amount": amount, "currency": "USDC",
        "issue_date": str(TODAY - timedelta(days=2)), "due_date": str(TODAY + timedelta(days=60)),
        "documents": [document.pk],
    }


def test_submission_needs_an_idempotency_key(supplier_user):
    response = client_for(supplier_user).post("/api/invoices/", _submission(supplier_user), format="json")

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Invoice.objects.exists()


def test_a_retried_submission_acts_once_and_gets_the_same_answer(supplier_user):
    client = client_for(supplier_user)
    body = _submission(supplier_user)

    first = client.post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")
    retry = client.post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replay"] == "true"
    assert Invoice.objects.count() == 1
    assert ChainAction.objects.filter(function="registerInvoice").count() == 1


def test_the_same_key_for_another_request_is_refused(supplier_user):
    client = client_for(supplier_user)
    client.post("/api/invoices/", _submission(supplier_user), format="json", HTTP_IDEMPOTENCY_KEY="erp-43")

    response = client.post("/api/invoices/", _submission(supplier_user, number="INV-OTHER"), format="json",
                           HTTP_IDEMPOTENCY_KEY="erp-43")

    assert response.status_code == 422
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize(("field", "value"), [("amount", "0"), ("amount", "1.0000001"), ("currency", "DOGE")])
def test_bad_fields_are_named_and_nothing_is_stored(supplier_user, field, value):
    body = _submission(supplier_user) | {field: value}

    response = client_for(supplier_user).post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"k-{value}")

    assert response.status_code == 400
    assert field in response.json()
    assert not Invoice.objects.exists() and not ChainAction.objects.exists()


def test_a_core_firm_cannot_submit_invoices():
    buyer_user = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.CORE_FIRM))

    response = client_for(buyer_user).post("/api/invoices/", _submission(buyer_user), format="json",
                                           HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_the_openapi_schema_is_served_and_describes_the_endpoints(supplier_user):
    response = client_for(supplier_user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert {"/api/invoices/", "/api/invoices/{id}/", "/api/documents/"} <= set(schema["paths"])
    assert "organisationToken" in schema["components"]["securitySchemes"]


def test_an_uploaded_ubl_invoice_comes_back_with_its_hash_and_fields(supplier_user):
    content = ubl_invoice_xml(number="UBL-7", amount="980.00")
    upload = SimpleUploadedFile("whatever.bin", content)

    response = client_for(supplier_user).post("/api/documents/", {"file": upload, "kind": "invoice"}, format="multipart")

    assert response.status_code == 201
    body = response.json()
    assert (body["format"], body["keccak"]) == ("ubl", "0x" + keccak(content).hex())
    assert body["extracted"]["number"] == "UBL-7"


def test_an_upload_that_is_not_a_document_is_refused_by_field(supplier_user):
    upload = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf at all")

    response = client_for(supplier_user).post("/api/documents/", {"file": upload, "kind": "invoice"}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


def test_another_organisations_document_cannot_back_an_invoice(supplier_user):
    body = _submission(supplier_user) | {"documents": [DocumentFactory().pk]}

    response = client_for(supplier_user).post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-doc")

    assert response.status_code == 400
    assert "documents" in response.json()
    assert not Invoice.objects.exists()
