"""The admin's and auditor's portal pages: who may open them and who may decide KYC, the KYC review,
the chain's health with the node unreachable or answering, the invoice audit trail with its
lineage, and query counts that do not grow with rows."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chain import health
from chain.health import heartbeat_record
from chain.models import (
    ActionPurpose, ActionStatus, ChainAction, ChainTransaction, IndexerState, TransactionAttempt, TransactionStatus,
)
from chain.services import action_enqueue
from signin import verified
from factories import (
    ChainAccountFactory,
    ChainEventFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    OrganisationFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from financing.models import FinancingStatus, Programme
from invoices.models import Currency, InvoiceStatus
from organisations.models import KycStatus, Role
from portal.operator import lineage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

CLOSED_PORT = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _chain_unreachable(settings):
    settings.CHAIN_RPC_URL = CLOSED_PORT


@pytest.fixture
def admin(client):
    return verified(client, UserFactory(organisation=RegisteredOrganisationFactory(role=Role.ADMIN, name="Platform")))


@pytest.fixture
def auditor(client):
    return verified(client, UserFactory(organisation=OrganisationFactory(role=Role.AUDITOR)))


@pytest.fixture
def invoice():
    """A confirmed invoice split once to a tier-2 supplier, whose piece was then financed."""
    invoice = InvoiceFactory(number="INV-LINEAGE", status=InvoiceStatus.CONFIRMED)
    lender = RegisteredOrganisationFactory(role=Role.LENDER, name="Harbour Bank")
    tier2 = RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Tier Two Ltd")
    PieceFactory(invoice=invoice, index=0, amount=700_000_000)
    PieceFactory(invoice=invoice, index=1, parent_index=0, holder=lender, amount=240_000_000, financed=True)
    PieceFactory(invoice=invoice, index=2, parent_index=1, holder=tier2, amount=60_000_000)
    ChainEventFactory(name="InvoiceRegistered", block_number=10, args={
        "fingerprint": invoice.fingerprint, "seller": invoice.seller.chain_account.address, "amount": invoice.amount,
    })
    ChainEventFactory(name="PieceSplit", block_number=12, args={
        "fingerprint": invoice.fingerprint, "parent": 0, "piece": 1, "to": tier2.chain_account.address,
        "amount": 300_000_000,
    })
    ChainEventFactory(name="InvoiceRegistered", block_number=11, args={"fingerprint": "0x" + "99" * 32})
    action_enqueue(purpose=ActionPurpose.INVOICE_REGISTER, subject=invoice, signer=invoice.seller.chain_account,
                   function="registerInvoice", args=[invoice.fingerprint, "0x"])
    action_enqueue(purpose=ActionPurpose.INVOICE_REGISTER, subject=InvoiceFactory(seller=invoice.seller),
                   signer=invoice.seller.chain_account, function="registerInvoice", args=["0x" + "99" * 32])
    return invoice


def _pages(invoice=None, organisation=None, action=None) -> dict[str, dict]:
    return {
        "dashboard": {},
        "participants": {},
        "chain": {},
        "receivables": {},
        "participant": {"organisation_id": organisation.pk if organisation else 0},
        "receivable": {"invoice_id": invoice.pk if invoice else 0},
        "action": {"action_id": action.pk if action else 0},
    }


def _urls(invoice):
    action = ChainAction.objects.first()
    return [reverse(f"portal:operator:{name}", kwargs=kwargs)
            for name, kwargs in _pages(invoice, invoice.seller, action).items()]


# Access


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_every_page_opens_for_admins_and_auditors(request, invoice, role):
    client = request.getfixturevalue(role)

    for url in _urls(invoice):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER])
def test_every_page_is_forbidden_to_other_roles(client, invoice, role):
    verified(client, UserFactory(organisation=RegisteredOrganisationFactory(role=role)))

    for url in _urls(invoice):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("name", ["participant", "receivable", "action"])
def test_an_unknown_object_is_not_found(admin, name):
    assert admin.get(reverse(f"portal:operator:{name}", kwargs=_pages()[name])).status_code == 404


# KYC review


def _kyc_url(name, organisation):
    return reverse(f"portal:operator:participant-{name}", kwargs={"organisation_id": organisation.pk})


def test_admin_approves_kyc_until_a_date_and_registration_is_queued(admin):
    pending = RegisteredOrganisationFactory(role=Role.SUPPLIER, kyc_status=KycStatus.PENDING, onchain_id=None)
    until = timezone.localdate() + timedelta(days=200)

    response = admin.post(_kyc_url("approve", pending), {"valid_until": until.isoformat()})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.kyc_status == KycStatus.APPROVED
    assert pending.kyc_expires_at.date() == until
    assert ChainAction.objects.filter(function="registerParticipant", args__0=pending.chain_account.address).exists()


@pytest.mark.parametrize("until", ["", "yesterday", (timezone.localdate() - timedelta(days=1)).isoformat()])
def test_approval_until_a_past_or_bad_date_is_refused_next_to_the_field(admin, until):
    pending = RegisteredOrganisationFactory(role=Role.SUPPLIER, kyc_status=KycStatus.PENDING)

    response = admin.post(_kyc_url("approve", pending), {"valid_until": until})

    assert response.status_code == 200
    assert response.context["approval"].errors["valid_until"]
    pending.refresh_from_db()
    assert pending.kyc_status == KycStatus.PENDING
    assert not ChainAction.objects.exists()


def test_admin_rejects_a_pending_review(admin):
    pending = OrganisationFactory(kyc_status=KycStatus.PENDING)

    admin.post(_kyc_url("reject", pending))

    pending.refresh_from_db()
    assert pending.kyc_status == KycStatus.REJECTED


def test_admin_suspends_an_approved_organisation(admin):
    approved = OrganisationFactory(kyc_status=KycStatus.APPROVED)

    admin.post(_kyc_url("suspend", approved))

    approved.refresh_from_db()
    assert approved.kyc_status == KycStatus.SUSPENDED


def test_a_refused_decision_is_shown_and_changes_nothing(admin):
    rejected = OrganisationFactory(kyc_status=KycStatus.REJECTED)

    response = admin.post(_kyc_url("suspend", rejected), follow=True)

    assert "Only an approved organisation can be suspended" in response.content.decode()
    rejected.refresh_from_db()
    assert rejected.kyc_status == KycStatus.REJECTED


@pytest.mark.parametrize("name", ["approve", "reject", "suspend"])
def test_an_auditor_cannot_decide_kyc(auditor, name):
    pending = OrganisationFactory(kyc_status=KycStatus.PENDING)

    response = auditor.post(_kyc_url(name, pending), {"valid_until": "2099-01-01"})

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.kyc_status == KycStatus.PENDING


def test_the_auditor_sees_no_kyc_buttons_and_the_admin_does(admin, auditor, client):
    pending = OrganisationFactory(kyc_status=KycStatus.PENDING)
    url = reverse("portal:operator:participant", kwargs={"organisation_id": pending.pk})

    assert 'data-testid="kyc-approve"' not in auditor.get(url).content.decode()
    verified(client, UserFactory(organisation=OrganisationFactory(role=Role.ADMIN)))
    content = client.get(url).content.decode()
    assert 'data-testid="kyc-approve"' in content and 'data-testid="kyc-reject"' in content


def test_kyc_decisions_need_a_post(admin):
    pending = OrganisationFactory(kyc_status=KycStatus.PENDING)

    assert admin.get(_kyc_url("reject", pending)).status_code == 405


def test_participants_list_their_role_kyc_chain_id_rating_and_users(admin):
    supplier = RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Rated Supplier", rating=8, onchain_id=4242)
    UserFactory(organisation=supplier, username="alice")
    OrganisationFactory(role=Role.LENDER, name="Pending Bank", kyc_status=KycStatus.PENDING)

    content = admin.get(reverse("portal:operator:participants")).content.decode()
    pending_only = admin.get(reverse("portal:operator:participants"), {"kyc": "pending"}).context["page"]

    assert "Rated Supplier" in content and "4242" in content and "alice" in content
    assert [organisation.name for organisation in pending_only] == ["Pending Bank"]


# Chain health


def _stuck_transaction(nonce=0):
    tx = ChainTransaction.objects.create(
        signer=ChainAccountFactory(), nonce=nonce, to_address="0x" + "5c" * 20, data="0x", gas=100_000,
        status=TransactionStatus.SENT,
    )
    TransactionAttempt.objects.create(transaction=tx, tx_hash=f"0x{'ab' * 30}{tx.pk:04x}", raw=b"", max_fee_per_gas=1,
                                      max_priority_fee_per_gas=1)
    ChainTransaction.objects.filter(pk=tx.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    return tx


def _failed_action(invoice=None):
    action = action_enqueue(purpose=ActionPurpose.INVOICE_CONFIRM, subject=invoice or InvoiceFactory(),
                            signer=ChainAccountFactory(), function="confirmInvoice", args=[])
    ChainAction.objects.filter(pk=action.pk).update(status=ActionStatus.FAILED, error="InvoiceWrongStatus(…)")
    return action


def test_chain_health_says_the_chain_is_unreachable_and_shows_what_the_database_knows(admin):
    IndexerState.objects.create(chain_id=1337, genesis_hash="0x00", contract_address="0x" + "5c" * 20, last_block=77)
    _stuck_transaction()
    _failed_action()

    response = admin.get(reverse("portal:operator:chain"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="chain-unreachable"' in content
    assert response.context["health"].indexer.last_block == 77
    assert response.context["health"].stuck_count == 1
    assert "0xabababab" in content and "InvoiceWrongStatus" in content
    assert dict((status, count) for status, _label, count in response.context["health"].backlog)["failed"] == 1


def test_chain_health_warns_when_no_worker_reports(admin):
    silent = admin.get(reverse("portal:operator:chain")).content.decode()
    heartbeat_record()
    beating = admin.get(reverse("portal:operator:chain")).content.decode()

    assert 'data-testid="worker-stale"' in silent and 'data-testid="worker-stale"' not in beating


def test_chain_health_refreshes_itself_with_htmx(admin):
    page = admin.get(reverse("portal:operator:chain")).content.decode()
    panel = admin.get(reverse("portal:operator:chain"), HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="every 5s"' in page
    assert "<html" not in panel and 'id="chain-health"' in panel


class _Batch:
    """A JSON-RPC batch whose every balance is 0.05 of the chain's coin."""

    def __enter__(self):
        self.calls = []
        return self

    def __exit__(self, *exc):
        return False

    def add(self, call):
        self.calls.append(call)

    def execute(self):
        return [5 * 10**16 for _ in self.calls]


class _AnsweringNode:
    """A node at block 120."""

    eth = SimpleNamespace(block_number=120, get_balance=lambda address: address)

    def batch_requests(self):
        return _Batch()


def test_chain_health_with_the_node_answering_shows_lag_and_low_balances(admin, monkeypatch):
    monkeypatch.setattr(health, "_probe", _AnsweringNode)
    IndexerState.objects.create(chain_id=1337, genesis_hash="0x00", contract_address="0x" + "5c" * 20, last_block=100)
    signer = ChainAccountFactory(label="operator")

    response = admin.get(reverse("portal:operator:chain"))

    chain = response.context["health"]
    assert (chain.head, chain.lag, chain.unreachable) == (120, 20, "")
    [balance] = chain.balances
    assert (balance.account, balance.wei, balance.low) == (signer, 5 * 10**16, True)
    assert "0.0500" in response.content.decode()


def test_signers_listed_are_bounded(admin):
    for number in range(health.LISTED + 5):
        signer = ChainAccountFactory()
        action_enqueue(purpose=ActionPurpose.GAS_FUNDING, subject=signer, signer=signer, function="x", args=[])

    assert len(admin.get(reverse("portal:operator:chain")).context["health"].balances) == health.LISTED


# Receivables


def test_search_finds_an_invoice_by_number_or_fingerprint(admin, invoice):
    InvoiceFactory(number="OTHER-1")
    url = reverse("portal:operator:receivables")

    by_number = admin.get(url, {"q": "lineage"}).context["invoices"]
    by_fingerprint = admin.get(url, {"q": invoice.fingerprint.upper().replace("0X", "0x")}).context["invoices"]

    assert list(by_number) == list(by_fingerprint) == [invoice]
    assert admin.get(url).context["invoices"] is None


def test_audit_trail_has_every_event_and_action_of_the_invoice_only(admin, invoice):
    response = admin.get(reverse("portal:operator:receivable", kwargs={"invoice_id": invoice.pk}))

    assert [event.name for event in response.context["events"]] == ["InvoiceRegistered", "PieceSplit"]
    assert [(action.purpose, action.subject) for action in response.context["actions"]] == [
        (ActionPurpose.INVOICE_REGISTER, invoice)
    ]
    content = response.content.decode()
    assert "Tier Two Ltd" in content  # the PieceSplit's recipient, by name
    event = response.context["events"][1]
    assert event.tx_hash[:10] in content and f">{event.block_number}<" in content


def test_lineage_graph_draws_every_piece_with_its_holder(admin, invoice):
    response = admin.get(reverse("portal:operator:receivable", kwargs={"invoice_id": invoice.pk}))

    content = response.content.decode()
    assert content.count('data-testid="lineage-node"') == 3
    assert content.count("<path ") == 2
    assert "Harbour Bank" in content and "240.00" in content


def test_a_written_off_piece_shows_when_and_what_was_released(admin, invoice):
    invoice.pieces.filter(index=1).update(written_off_at=timezone.now(), written_off_amount=150_000_000)

    content = admin.get(reverse("portal:operator:receivable", kwargs={"invoice_id": invoice.pk})).content.decode()

    assert content.count('data-testid="piece-written-off"') == 3
    assert f"{timezone.localtime():%Y-%m-%d}" in content and "150.00 USDC released" in content


def test_financing_on_the_invoice_is_listed_with_the_reason_in_words(admin, invoice):
    FinancingRequestFactory(piece=invoice.pieces.get(index=2), status=FinancingStatus.REJECTED,
                            reject_reason="over_limit")

    content = admin.get(reverse("portal:operator:receivable", kwargs={"invoice_id": invoice.pk})).content.decode()

    assert "limit for this buyer is used up" in content


def _piece(index, parent=None):
    return SimpleNamespace(index=index, parent_index=parent)


def test_lineage_centres_each_parent_over_its_children_and_leaves_never_overlap():
    tree = lineage.lineage([_piece(0), _piece(1, 0), _piece(2, 0), _piece(3, 1), _piece(4, 1), _piece(5, 2)])

    x = {node.piece.index: node.x for node in tree.nodes}
    y = {node.piece.index: node.y for node in tree.nodes}
    assert x[1] == (x[3] + x[4]) // 2 and x[0] == (x[1] + x[2]) // 2
    assert y[0] < y[1] == y[2] < y[3] == y[4] == y[5]
    leaves = sorted(x[index] for index in (3, 4, 5))
    assert all(right - left >= lineage.NODE_WIDTH for left, right in zip(leaves, leaves[1:]))
    assert tree.width >= max(x.values()) + lineage.NODE_WIDTH
    assert len(tree.edges) == 5


def test_lineage_of_a_long_split_chain_needs_no_recursion():
    chain = [_piece(0)] + [_piece(index, index - 1) for index in range(1, 3000)]

    assert len(lineage.lineage(chain).nodes) == 3000


# Dashboard


def test_dashboard_shows_platform_figures_and_charts(admin):
    core_firm = RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Acme Motors")
    lender = RegisteredOrganisationFactory(role=Role.LENDER)
    Programme.objects.create(lender=lender, core_firm=core_firm, currency=Currency.USDC, limit=10**12,
                             exposure=800_000_000, liquidity=5 * 10**9)
    FinancingRequestFactory(lender=lender, status=FinancingStatus.APPROVED, advance=800_000_000, discount=8_000_000,
                            tenor_days=50, decided_at=timezone.now())
    OrganisationFactory(kyc_status=KycStatus.PENDING)

    response = admin.get(reverse("portal:operator:dashboard"))

    assert response.context["organisations"]["pending_kyc"] == 1
    [financing] = response.context["financing"]
    assert (financing["financings"], financing["advanced"], financing["exposure"]) == (1, 800_000_000, 800_000_000)
    assert response.context["exposure_chart"]["config"]["data"]["labels"] == ["Acme Motors"]
    assert response.context["volume_chart"]["config"]["data"]["datasets"][0]["data"] == [800.0]


# Query counts


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def _add_rows(number):
    organisation = RegisteredOrganisationFactory(name=f"Row {number}")
    UserFactory(organisation=organisation)
    invoice = InvoiceFactory(seller=organisation, number=f"ROW-{number}")
    piece = PieceFactory(invoice=invoice)
    PieceFactory(invoice=invoice, index=1, parent_index=0, amount=1)
    FinancingRequestFactory(piece=piece, status=FinancingStatus.APPROVED, advance=10, discount=1, tenor_days=5,
                            decided_at=timezone.now())
    Programme.objects.create(lender=RegisteredOrganisationFactory(role=Role.LENDER), core_firm=invoice.buyer,
                             currency=Currency.USDC, exposure=5)
    ChainEventFactory(name="PieceSplit", args={"fingerprint": invoice.fingerprint, "to": organisation.chain_account.address})
    action_enqueue(purpose=ActionPurpose.INVOICE_REGISTER, subject=invoice, signer=organisation.chain_account,
                   function="registerInvoice", args=[invoice.fingerprint])
    _stuck_transaction()
    _failed_action(invoice)
    return invoice


@pytest.mark.parametrize(("page", "params"), [
    ("dashboard", {}), ("participants", {}), ("chain", {}), ("receivables", {"q": "ROW"}),
])
def test_list_queries_do_not_grow_with_rows(admin, page, params):
    url = reverse(f"portal:operator:{page}")
    _add_rows(0)
    few = _queries(admin, url, **params)
    for number in range(1, 6):
        _add_rows(number)

    assert _queries(admin, url, **params) == few


def test_audit_trail_queries_do_not_grow_with_events_or_pieces(admin):
    invoice = _add_rows(0)
    url = reverse("portal:operator:receivable", kwargs={"invoice_id": invoice.pk})
    few = _queries(admin, url)
    for index in range(2, 8):
        piece = PieceFactory(invoice=invoice, index=index, parent_index=index - 1, amount=1)
        ChainEventFactory(name="PieceSplit",
                          args={"fingerprint": invoice.fingerprint, "to": invoice.seller.chain_account.address})
        action_enqueue(purpose=ActionPurpose.PIECE_SPLIT, subject=piece, signer=invoice.seller.chain_account,
                       function="splitPiece", args=[invoice.fingerprint, index])

    assert _queries(admin, url) == few


# Possible duplicates and invoices not verified from an e-invoice


def test_the_admin_lists_possible_duplicates_with_the_earlier_invoice(admin, invoice):
    lookalike = InvoiceFactory(seller=invoice.seller, buyer=invoice.buyer, number="INV-LOOKALIKE",
                               amount=invoice.amount, issue_date=invoice.issue_date, possible_duplicate_of=invoice)
    InvoiceFactory(number="INV-ORDINARY")

    page = admin.get(reverse("portal:operator:duplicates")).content.decode()

    assert "INV-LOOKALIKE" in page and "INV-LINEAGE" in page and "INV-ORDINARY" not in page
    assert reverse("portal:operator:receivable", args=[invoice.pk]) in page
    detail = admin.get(reverse("portal:operator:receivable", args=[lookalike.pk])).content.decode()
    assert 'data-testid="possible-duplicate"' in detail


def test_the_auditor_reads_the_possible_duplicates_too(auditor, invoice):
    assert auditor.get(reverse("portal:operator:duplicates")).status_code == 200


def test_an_invoice_not_verified_from_an_einvoice_is_marked_for_the_admin(admin):
    typed = InvoiceFactory(number="INV-TYPED", verified_from_einvoice=False)

    detail = admin.get(reverse("portal:operator:receivable", args=[typed.pk])).content.decode()
    found = admin.get(reverse("portal:operator:receivables"), {"q": "INV-TYPED"}).content.decode()

    assert 'data-testid="not-verified"' in detail and 'data-testid="not-verified"' in found
