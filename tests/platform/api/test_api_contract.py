"""The API against its own OpenAPI schema: schemathesis (its own venv, `make tools`) generates
requests for every operation, valid and invalid, as an organisation of each trading role, and
checks that no answer is a server error and that every status code, content type and body is
the one the schema documents. A live server on the test database answers; POSTs queue their
chain actions to the test run's filesystem broker, where nothing consumes them."""

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from chain.models import ActionPurpose, ChainAction
from documents.models import Document
from financing.models import FinancingRequest, FinancingStatus, Programme
from invoices.models import InvoiceStatus, Piece
from invoices.selectors import invoices_visible_to
from organisations.models import Organisation, Role
from organisations.tokens import api_token_create
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_create, webhook_event_publish

from factories import (
    ChainActionFactory,
    DocumentFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)

SCHEMATHESIS = Path(__file__).resolve().parents[3] / ".venv-tools" / "bin" / "schemathesis"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"
EXAMPLES_PER_OPERATION = 8
SEED = 20_261_124
TIME_LIMIT_SECONDS = 90

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(manifest, make_programme):
    """Users of a supplier, a core firm and a lender that trade with each other: invoices at
    several stages, pieces, a programme, financing requests, actions and webhook deliveries."""
    supplier, core_firm, lender = (RegisteredOrganisationFactory(role=role) for role in
                                   (Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER))
    RegisteredOrganisationFactory(role=Role.SUPPLIER)  # a second supplier to split and transfer to
    users = {role: UserFactory(organisation=org) for role, org in
             ((Role.SUPPLIER, supplier), (Role.CORE_FIRM, core_firm), (Role.LENDER, lender))}
    today = timezone.now().date()
    for status in (InvoiceStatus.REGISTERED, InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE):
        invoice = InvoiceFactory(seller=supplier, buyer=core_firm, status=status, due_date=today + timedelta(days=30))
        piece = PieceFactory(invoice=invoice)
        FinancingRequestFactory(piece=piece, lender=lender, status=FinancingStatus.REJECTED,
                                reject_reason="over_limit")
    PieceFactory(invoice=InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.CONFIRMED),
                 holder=lender, financed=True)
    DocumentFactory.create_batch(2, organisation=supplier)
    make_programme(lender, core_firm)
    for user in users.values():
        account = user.organisation.chain_account
        ChainActionFactory(purpose=ActionPurpose.TOKEN_APPROVE, subject=account, sequence=1, signer=account,
                           function="approve")
        webhook_endpoint_create(created_by=user, url="https://erp.example.com/hooks")
        webhook_event_publish(organisations=[user.organisation_id], event="invoice.confirmed", payload={"n": 1})
    return users


def _config(path: Path, organisation: Organisation) -> Path:
    """A schemathesis.toml that mostly puts the ids of the caller's own objects (and amounts that
    parse) where the schema asks for them, so generated requests reach past the 404s and 400s to
    the answers that act, and those are checked against the schema too."""
    others = Organisation.objects.exclude(pk=organisation.pk).values_list
    dictionaries = {
        "invoices": invoices_visible_to(organisation).values_list("pk", flat=True),
        "pieces": Piece.objects.filter(holder=organisation).values_list("pk", flat=True),
        "requests": FinancingRequest.objects.values_list("pk", flat=True),
        "programmes": Programme.objects.filter(lender=organisation).values_list("pk", flat=True),
        "organisations": others("pk", flat=True),
        "actions": ChainAction.objects.filter(signer__organisation=organisation).values_list("pk", flat=True),
        "endpoints": WebhookEndpoint.objects.filter(organisation=organisation).values_list("pk", flat=True),
        "documents": Document.objects.filter(organisation=organisation).values_list("pk", flat=True),
        "suppliers": others("pk", flat=True).filter(role=Role.SUPPLIER),
        "core_firms": others("pk", flat=True).filter(role=Role.CORE_FIRM),
        "lenders": others("pk", flat=True).filter(role=Role.LENDER),
        "amounts": ["1", "25.5", "100"],
    }
    parameters = {
        "path.invoice_id": "invoices", "path.piece_id": "pieces", "path.request_id": "requests",
        "path.programme_id": "programmes", "path.organisation_id": "organisations", "path.action_id": "actions",
        "path.endpoint_id": "endpoints", "body.documents[*]": "documents", "body.to_organisation": "suppliers",
        "body.buyer": "core_firms", "body.core_firm": "core_firms", "body.lender": "lenders",
        "body.amount": "amounts", "body.limit": "amounts",
    }
    lines = ["[dictionaries]"]
    lines += [f"{name} = {{ values = {json.dumps(list(values))} }}" for name, values in dictionaries.items() if values]
    lines += ["", "[parameters]"]
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.8 }}' for key, name in parameters.items()
              if dictionaries[name]]
    path.write_text("\n".join(lines) + "\n")
    return path


def _schemathesis(live_server, key: str, config: Path) -> subprocess.CompletedProcess:
    if not SCHEMATHESIS.exists():
        pytest.fail(f"{SCHEMATHESIS} is missing: `make tools` builds the tools venv (schemathesis).")
    command = [
        str(SCHEMATHESIS), "--config-file", str(config),
        "run", f"{live_server.url}/api/schema/", "--url", live_server.url,
        "-H", f"Authorization: Token {key}",
        # Django's live server answers a kept-alive connection ~40 ms late (delayed ACK): one
        # connection per request is ten times faster.
        "-H", "Connection: close",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(EXAMPLES_PER_OPERATION),
        "--seed", str(SEED), "--generation-database", "none",
        "--workers", "1", "--request-timeout", "10", "--no-color",
    ]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS, check=False)
    except subprocess.TimeoutExpired as slow:
        pytest.fail(f"schemathesis ran over {TIME_LIMIT_SECONDS} s:\n{slow.stdout or ''}")


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER])
def test_the_api_keeps_to_its_schema(world, live_server, role, tmp_path):
    _, key = api_token_create(created_by=world[role], name="contract test")

    run = _schemathesis(live_server, key, _config(tmp_path / "schemathesis.toml", world[role].organisation))

    assert run.returncode == 0, f"schemathesis failed for the {role} role:\n{run.stdout}\n{run.stderr}"
