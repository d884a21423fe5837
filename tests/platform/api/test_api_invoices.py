"""The invoices API: organisation tokens, no data across organisations, idempotent submission,
errors naming the field, and an OpenAPI schema that validates."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from eth_utils import keccak
from rest_framework.test import APIClient

from chain.models import ChainAction
from financing.models import FinancingStatus
from invoices.models import Invoice, InvoiceStatus
from organisations.models import ApiToken, Role
from organisations.tokens import api_token_create, api_token_revoke

from factories import (
    DocumentFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from receivable_tree import build_tree
from samples import ubl_invoice_xml

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def test_the_api_wants_a_token():
    assert APIClient().get("/api/invoices/").status_code in (401, 403)


def test_a_revoked_token_is_refused(supplier_user, api):
    client = api(supplier_user)
    api_token_revoke(token=ApiToken.objects.get())

    response = client.get("/api/invoices/")

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_only_a_hash_of_the_key_is_stored(supplier_user):
    token, key = api_token_create(created_by=supplier_user, name="ERP")

    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())


def test_list_shows_the_organisations_own_invoices_and_nothing_else(supplier_user, api):
    mine = InvoiceFactory(seller=supplier_user.organisation)
    held = PieceFactory(holder=supplier_user.organisation).invoice  # a piece passed down to us
    foreign = InvoiceFactory()

    response = api(supplier_user).get("/api/invoices/")

    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {mine.pk, held.pk}
    assert foreign.number not in response.content.decode()


def test_another_organisations_invoice_is_not_found(supplier_user, api):
    foreign = InvoiceFactory()

    response = api(supplier_user).get(f"/api/invoices/{foreign.pk}/")

    assert response.status_code == 404
    assert foreign.number not in response.content.decode()


def test_the_list_costs_the_same_queries_for_5_or_30_rows(supplier_user, api, django_assert_max_num_queries):
    client = api(supplier_user)
    for _ in range(5):
        PieceFactory(invoice=InvoiceFactory(seller=supplier_user.organisation))
    with CaptureQueriesContext(connection) as five:
        client.get("/api/invoices/")
    for _ in range(25):
        PieceFactory(invoice=InvoiceFactory(seller=supplier_user.organisation))

    with django_assert_max_num_queries(len(five)):
        response = client.get("/api/invoices/")

    assert response.json()["count"] == 30 and len(response.json()["results"]) == 30


def test_the_list_is_paginated_by_50(supplier_user, api):
    InvoiceFactory.create_batch(51, seller=supplier_user.organisation)

    first = api(supplier_user).get("/api/invoices/").json()

    assert (first["count"], len(first["results"])) == (51, 50)
    assert "page=2" in first["next"]


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_the_list_filters_by_status_due_date_parties_and_number(supplier_user, api):
    mine = supplier_user.organisation
    buyer = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    InvoiceFactory(seller=mine, number="A-1", status=InvoiceStatus.CONFIRMED, due_date=TODAY + timedelta(days=10))
    InvoiceFactory(seller=mine, number="A-2", buyer=buyer, due_date=TODAY + timedelta(days=40))
    InvoiceFactory(seller=mine, number="B-3", due_date=TODAY + timedelta(days=90))
    client = api(supplier_user)

    assert _numbers(client.get("/api/invoices/", {"status": "confirmed"})) == ["A-1"]
    assert _numbers(client.get("/api/invoices/", {"buyer": buyer.pk})) == ["A-2"]
    assert set(_numbers(client.get("/api/invoices/", {"seller": mine.pk}))) == {"A-1", "A-2", "B-3"}
    assert set(_numbers(client.get("/api/invoices/", {"number": "a-"}))) == {"A-1", "A-2"}
    window = {"due_date_after": str(TODAY + timedelta(days=5)), "due_date_before": str(TODAY + timedelta(days=40))}
    assert set(_numbers(client.get("/api/invoices/", window))) == {"A-1", "A-2"}


def test_the_list_is_ordered_as_asked(supplier_user, api):
    for number, days in (("N-2", 30), ("N-1", 90), ("N-3", 10)):
        InvoiceFactory(seller=supplier_user.organisation, number=number, due_date=TODAY + timedelta(days=days))
    client = api(supplier_user)

    assert _numbers(client.get("/api/invoices/", {"ordering": "due_date"})) == ["N-3", "N-2", "N-1"]
    assert _numbers(client.get("/api/invoices/", {"ordering": "-number"})) == ["N-3", "N-2", "N-1"]


@pytest.mark.parametrize(("parameter", "value"), [
    ("status", "paid-ish"), ("due_date_after", "tomorrow"), ("buyer", "x"), ("buyer", str(2**70)),
    ("ordering", "fingerprint"), ("page", "99"),
])
def test_a_bad_query_parameter_is_named(supplier_user, api, parameter, value):
    response = api(supplier_user).get("/api/invoices/", {parameter: value})

    assert response.status_code == (404 if parameter == "page" else 400)
    assert (parameter if parameter != "page" else "detail") in response.json()


def _submission(user, number="INV-API-1", amount="1250.50"):
    buyer = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    document = DocumentFactory(organisation=user.organisation)
    return {
        "buyer": buyer.pk, "number": number, "amount": amount, "currency": "USDC",
        "issue_date": str(TODAY - timedelta(days=2)), "due_date": str(TODAY + timedelta(days=60)),
        "documents": [document.pk],
    }


def test_submission_needs_an_idempotency_key(supplier_user, api):
    response = api(supplier_user).post("/api/invoices/", _submission(supplier_user), format="json")

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Invoice.objects.exists()


def test_a_retried_submission_acts_once_and_gets_the_same_answer(supplier_user, api):
    client = api(supplier_user)
    body = _submission(supplier_user)

    first = client.post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")
    retry = client.post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replay"] == "true"
    assert Invoice.objects.count() == 1
    assert ChainAction.objects.filter(function="registerInvoice").count() == 1


def test_the_same_key_for_another_request_is_refused(supplier_user, api):
    client = api(supplier_user)
    client.post("/api/invoices/", _submission(supplier_user), format="json", HTTP_IDEMPOTENCY_KEY="erp-43")

    response = client.post("/api/invoices/", _submission(supplier_user, number="INV-OTHER"), format="json",
                           HTTP_IDEMPOTENCY_KEY="erp-43")

    assert response.status_code == 422
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize(("field", "value"), [("amount", "0"), ("amount", "1.0000001"), ("currency", "DOGE")])
def test_bad_fields_are_named_and_nothing_is_stored(supplier_user, field, value, api):
    body = _submission(supplier_user) | {field: value}

    response = api(supplier_user).post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"k-{value}")

    assert response.status_code == 400
    assert field in response.json()
    assert not Invoice.objects.exists() and not ChainAction.objects.exists()


def test_a_core_firm_cannot_submit_invoices(core_firm_user, api):
    response = api(core_firm_user).post("/api/invoices/", _submission(core_firm_user), format="json",
                                        HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 403
    assert "Only a supplier can do this; your organisation is a core firm." in response.json()["detail"]
    assert not Invoice.objects.exists()


def test_the_openapi_schema_is_served_and_describes_the_endpoints(supplier_user, api):
    response = api(supplier_user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert {
        "/api/invoices/", "/api/invoices/{invoice_id}/", "/api/invoices/{invoice_id}/confirm/", "/api/documents/",
        "/api/receivables/{piece_id}/split/", "/api/financing-requests/", "/api/programmes/terms/",
        "/api/organisations/", "/api/actions/{action_id}/", "/api/webhooks/", "/api/webhook-deliveries/",
    } <= set(schema["paths"])
    assert "organisationToken" in schema["components"]["securitySchemes"]
    confirm = schema["paths"]["/api/invoices/{invoice_id}/confirm/"]["post"]
    assert {"202", "400", "401", "403", "404", "422", "503"} <= set(confirm["responses"])
    assert "chain_paused" in confirm["responses"]["503"]["description"]
    [header] = [parameter for parameter in confirm["parameters"] if parameter["in"] == "header"]
    assert (header["name"], header["required"]) == ("Idempotency-Key", True)


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_api_docs_and_root_are_served(supplier_user, api):
    client = api(supplier_user)

    assert client.get("/api/docs/").status_code == 200
    assert "invoices" in client.get("/api/", HTTP_ACCEPT="application/json").json()


def test_an_uploaded_ubl_invoice_comes_back_with_its_hash_and_fields(supplier_user, api):
    content = ubl_invoice_xml(number="UBL-7", amount="980.00")
    upload = SimpleUploadedFile("whatever.bin", content)

    response = api(supplier_user).post("/api/documents/", {"file": upload, "kind": "invoice"}, format="multipart")

    assert response.status_code == 201
    body = response.json()
    assert (body["format"], body["keccak"]) == ("ubl", "0x" + keccak(content).hex())
    assert body["extracted"]["number"] == "UBL-7"


def test_an_upload_that_is_not_a_document_is_refused_by_field(supplier_user, api):
    upload = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf at all")

    response = api(supplier_user).post("/api/documents/", {"file": upload, "kind": "invoice"}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


def test_another_organisations_document_cannot_back_an_invoice(supplier_user, api):
    body = _submission(supplier_user) | {"documents": [DocumentFactory().pk]}

    response = api(supplier_user).post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-doc")

    assert response.status_code == 400
    assert "documents" in response.json()
    assert not Invoice.objects.exists()


# The pieces each party sees (receivable_tree.py): a holder its own pieces and their lineage


def _pieces_seen(api, organisation, invoice) -> tuple[dict[int, str], str]:
    response = api(UserFactory(organisation=organisation)).get(f"/api/invoices/{invoice.pk}/")
    assert response.status_code == 200
    return {piece["index"]: piece["holder"] for piece in response.json()["pieces"]}, response.content.decode()


def test_tier_2_sees_its_piece_and_its_lineage_but_no_sibling_holder_or_lender(api):
    tree = build_tree()

    seen, body = _pieces_seen(api, tree.tier2, tree.invoice)

    assert seen == {0: "Seller Works Ltd", 1: "Tier Two Parts"}
    for hidden in ("Sibling Gears Ltd", "Sibling Lender Bank", "Tier Three Bolts"):
        assert hidden not in body


def test_a_piece_shows_its_parent_and_the_lineage_its_amounts(api):
    tree = build_tree()

    response = api(UserFactory(organisation=tree.tier3)).get(f"/api/invoices/{tree.invoice.pk}/")

    assert [(p["index"], p["parent_index"], p["amount"]) for p in response.json()["pieces"]] == [
        (0, None, 400_000_000), (1, 0, 200_000_000), (4, 1, 100_000_000),
    ]


def test_the_list_shows_each_invoice_with_the_same_pieces_as_its_detail(api):
    tree = build_tree()

    [row] = api(UserFactory(organisation=tree.tier2)).get("/api/invoices/").json()["results"]

    assert [piece["index"] for piece in row["pieces"]] == [0, 1]


def test_the_lineage_says_nothing_of_its_pieces_financing_or_collections(api):
    tree = build_tree()

    response = api(UserFactory(organisation=tree.tier2)).get(f"/api/invoices/{tree.invoice.pk}/")

    [parent, own] = response.json()["pieces"]
    assert (parent["financed"], parent["claimed"]) == (None, None)
    assert (own["financed"], own["claimed"]) == (False, 0)


@pytest.mark.parametrize(("party", "expected"), [
    pytest.param("buyer", {0: "Seller Works Ltd", 1: "Tier Two Parts", 2: "Sibling Lender Bank",
                           3: "Sibling Gears Ltd", 4: "Tier Three Bolts"}, id="buyer-owes-every-piece"),
    pytest.param("seller", {0: "Seller Works Ltd", 1: "Tier Two Parts", 2: "Sibling Gears Ltd"},
                 id="seller-sees-what-it-split-off-piece-0-not-who-financed-it"),
    pytest.param("sibling", {0: "Seller Works Ltd", 2: "Sibling Lender Bank", 3: "Sibling Gears Ltd"},
                 id="sibling-sees-its-own-financing"),
    pytest.param("sibling_lender", {0: "Seller Works Ltd", 2: "Sibling Lender Bank"},
                 id="lender-sees-the-piece-it-financed-and-its-lineage"),
])
def test_each_party_sees_the_pieces_it_is_party_to(api, party, expected):
    tree = build_tree()

    seen, _body = _pieces_seen(api, getattr(tree, party), tree.invoice)

    assert seen == expected


def test_the_list_with_lineages_costs_the_same_queries_for_2_or_6_trees(api, django_assert_max_num_queries):
    tree = build_tree()
    client = api(UserFactory(organisation=tree.tier2))
    _more_invoices_for(tree, 1)
    with CaptureQueriesContext(connection) as two:
        client.get("/api/invoices/")
    _more_invoices_for(tree, 4)

    with django_assert_max_num_queries(len(two)):
        response = client.get("/api/invoices/")

    assert response.json()["count"] == 6


def _more_invoices_for(tree, count: int) -> None:
    """More receivables in which tier 2 holds a piece split off a financed piece 0."""
    for _ in range(count):
        invoice = InvoiceFactory(seller=tree.seller, buyer=tree.buyer, status=InvoiceStatus.CONFIRMED)
        financed = PieceFactory(invoice=invoice, holder=tree.sibling_lender, amount=600_000_000, financed=True)
        FinancingRequestFactory(piece=financed, holder=tree.seller, lender=tree.sibling_lender,
                                status=FinancingStatus.APPROVED)
        PieceFactory(invoice=invoice, index=1, parent_index=0, holder=tree.tier2, amount=400_000_000)
