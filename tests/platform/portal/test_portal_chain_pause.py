"""The portal while on-chain actions are paused (the indexer halted on a replaced chain): every
signed-in user sees the banner, the operator reads why with both heads, a decision is refused on
its form and stores nothing, and the chain-health page says in words that the chain is behind the
mirror instead of "0 blocks behind"."""

from types import SimpleNamespace

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

import samples
from chain import health
from chain.halt import ChainPaused, chain_halt_forget
from chain.models import ChainAction, HaltCause, IndexerState
from documents.models import Document, DocumentKind
from documents.services import document_upload
from factories import InvoiceFactory, OrganisationFactory, RegisteredOrganisationFactory, UserFactory
from invoices.models import InvoiceStatus
from organisations.models import Role
from portal.chain_pause import ChainPausedRefusal
from signin import verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

REPLACED = "Chain replaced: expected chain 1337 genesis 0xaa, found chain 1337 genesis 0xbb."
BANNER = 'data-testid="chain-paused"'
WHY = "The chain was replaced: its head is block 5, the mirror had indexed block 63."


@pytest.fixture(autouse=True)
def _nothing_listens(settings):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"
    chain_halt_forget()


def _indexed(**halted) -> IndexerState:
    return IndexerState.objects.create(
        chain_id=1337, genesis_hash="0xaa", contract_address="0x" + "5c" * 20, last_block=63,
        last_block_hash="0x" + "63" * 32, **halted,
    )


@pytest.fixture
def replaced():
    return _indexed(halted_reason=REPLACED, halted_cause=HaltCause.REPLACED, halted_head=5)


@pytest.fixture
def core_firm():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Core Manufacturing plc")


@pytest.fixture
def buyer_client(client, core_firm):
    client.force_login(UserFactory(organisation=core_firm))
    return client


@pytest.fixture
def admin(client):
    return verified(client, UserFactory(organisation=RegisteredOrganisationFactory(role=Role.ADMIN, name="Platform")))


@pytest.fixture
def registered(core_firm):
    supplier = RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Acme Supplies Ltd")
    invoice = InvoiceFactory(buyer=core_firm, seller=supplier, status=InvoiceStatus.REGISTERED)
    document = document_upload(organisation=supplier, uploaded_by=None, kind=DocumentKind.INVOICE, name="inv.pdf",
                               content=samples.pdf_bytes("registered"))
    Document.objects.filter(pk=document.pk).update(invoice=invoice)
    return invoice


def test_no_banner_while_the_indexer_runs(buyer_client):
    _indexed()

    page = buyer_client.get(reverse("portal:core_firm:dashboard")).content.decode()

    assert BANNER not in page


def test_a_business_user_sees_the_banner_without_the_operators_detail(buyer_client, replaced):
    page = buyer_client.get(reverse("portal:core_firm:dashboard")).content.decode()

    assert BANNER in page and "On-chain actions are paused" in page
    assert "may be out of date" in page
    assert WHY not in page and "genesis" not in page


def test_the_operator_sees_why_with_both_heads(admin, replaced):
    page = admin.get(reverse("portal:operator:dashboard")).content.decode()

    assert BANNER in page and WHY in page
    assert reverse("portal:operator:chain") in page


def test_the_banner_speaks_chinese(buyer_client, replaced):
    page = buyer_client.get(reverse("portal:core_firm:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert BANNER in page and "On-chain actions are paused" not in page


def test_a_confirmation_is_refused_on_its_form_and_stores_nothing(buyer_client, replaced, registered):
    response = buyer_client.post(reverse("portal:core_firm:invoice-confirm", kwargs={"invoice_id": registered.pk}))

    assert response.status_code == 200
    refusal = " ".join(response.context["confirm_form"].non_field_errors())
    assert "On-chain actions are paused" in refusal and "nothing was saved" in refusal
    assert not ChainAction.objects.exists()
    before = registered.updated_at
    registered.refresh_from_db()
    assert (registered.status, registered.updated_at) == (InvoiceStatus.REGISTERED, before)


class _NodeAtBlock5:
    """A node whose chain is at block 5: the one that replaced the mirrored chain."""

    eth = SimpleNamespace(block_number=5, get_balance=lambda address: 0)

    def batch_requests(self):
        raise AssertionError("no signing account to ask about")


def test_chain_health_shows_both_heads_and_says_the_chain_is_behind_the_mirror(admin, monkeypatch):
    monkeypatch.setattr(health, "_probe", _NodeAtBlock5)
    _indexed()

    response = admin.get(reverse("portal:operator:chain"))

    found = response.context["health"]
    assert (found.head, found.indexer.last_block, found.lag) == (5, 63, None)
    content = response.content.decode()
    assert 'data-testid="mirror-problem"' in content
    assert "The chain was rewound or replaced: its head is block 5, the mirror had indexed block 63." in content
    assert "The indexer will halt at its next pass" in content


def test_chain_health_of_a_halted_indexer_says_actions_are_paused(admin, replaced, monkeypatch):
    monkeypatch.setattr(health, "_probe", _NodeAtBlock5)

    content = admin.get(reverse("portal:operator:chain")).content.decode()

    assert WHY in content and "On-chain actions are paused until it is resolved" in content
    assert 'data-testid="indexer-halted"' in content and REPLACED in content


def test_an_auditor_is_an_operator_too(client, replaced):
    auditor = verified(client, UserFactory(organisation=OrganisationFactory(role=Role.AUDITOR)))

    assert WHY in auditor.get(reverse("portal:operator:dashboard")).content.decode()



def _refused(rf, **headers):
    """What the portal answers when a view let ChainPaused through, and the messages it shows."""
    request = rf.post("/core-firm/invoices/7/confirm/", **headers)
    request.htmx = HtmxDetails(request)
    request.session = {}
    request._messages = FallbackStorage(request)
    answer = ChainPausedRefusal(lambda request: None).process_exception(request, ChainPaused())
    return answer, [str(message) for message in request._messages]


def test_a_refusal_no_view_caught_sends_the_user_back_with_the_message(rf, replaced):
    answer, shown = _refused(rf, HTTP_REFERER="http://testserver/core-firm/invoices/7/")

    assert (answer.status_code, answer["Location"]) == (302, "http://testserver/core-firm/invoices/7/")
    assert len(shown) == 1 and "On-chain actions are paused" in shown[0]


def test_a_refusal_never_sends_the_user_to_another_site(rf, replaced):
    answer, _shown = _refused(rf, HTTP_REFERER="https://evil.example.com/")

    assert answer["Location"] == reverse("portal:home")


def test_a_refused_htmx_request_reloads_its_page_to_show_the_message(rf, replaced):
    answer, shown = _refused(rf, HTTP_HX_REQUEST="true")

    assert (answer.status_code, answer["HX-Refresh"]) == (204, "true")
    assert len(shown) == 1
