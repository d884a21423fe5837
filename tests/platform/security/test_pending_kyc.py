"""Finding 11: an organisation whose KYC is not approved may complete its profile and upload its
KYC documents, nothing else (pending, rejected); a suspended one keeps reading what it had.
Every route of the portal and the API is walked for a pending organisation in the permission
matrix (tests/platform/portal/test_portal_permission_matrix.py); here are the behaviours."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

import samples
from documents.models import Document, DocumentKind
from documents.services import document_upload
from factories import OrganisationFactory, RegisteredOrganisationFactory, UserFactory
from invoices.services import invoice_submit
from organisations.models import ApiToken, KycStatus, Organisation, Role
from organisations.tokens import api_token_create
from portal.supplier.forms import TransferForm
from signin import verified
from users.models import Invitation
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

PENDING_SENTENCE = "KYC review is pending: until the platform approves it"


def _member(kyc_status: str, role: str = Role.SUPPLIER):
    organisation = OrganisationFactory(role=role, kyc_status=kyc_status, name=f"{kyc_status.title()} Parts")
    return UserFactory(organisation=organisation)


def _portal(user) -> Client:
    return verified(Client(), user)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _kyc_upload(client: Client, name: str = "certificate.pdf", content: bytes | None = None):
    upload = SimpleUploadedFile(name, content or samples.pdf_bytes(), content_type="application/pdf")
    return client.post(reverse("portal:kyc"), {"file": upload})


@pytest.fixture
def pending():
    return _member(KycStatus.PENDING)


@pytest.fixture
def core_firm():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Shanghai Motors", legal_id="91310000-MOTORS")


# The portal


def test_a_pending_supplier_cannot_open_the_invoice_upload(pending):
    response = _portal(pending).get(reverse("portal:supplier:upload"))

    assert response.status_code == 403
    assert PENDING_SENTENCE in response.text


def test_a_pending_member_cannot_create_a_token(pending):
    response = _portal(pending).post(reverse("portal:tokens"), {"name": "ERP"})

    assert response.status_code == 403
    assert PENDING_SENTENCE in response.text
    assert not ApiToken.objects.exists()


def test_a_pending_member_cannot_invite_a_colleague(pending):
    response = _portal(pending).post(reverse("portal:team"), {"email": "friend@example.com"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_a_pending_member_may_complete_its_profile(pending):
    client = _portal(pending)

    assert client.get(reverse("portal:team")).status_code == 200
    response = client.post(reverse("portal:team"), {"time_zone": "Asia/Shanghai"})

    assert response.status_code == 302
    pending.organisation.refresh_from_db()
    assert pending.organisation.time_zone == "Asia/Shanghai"


def test_a_pending_member_is_sent_to_its_kyc_documents(pending):
    response = _portal(pending).get(reverse("portal:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:kyc")


def test_a_pending_member_uploads_a_kyc_document(pending):
    client = _portal(pending)

    response = _kyc_upload(client)

    assert response.status_code == 302
    document = Document.objects.get(organisation=pending.organisation)
    assert (document.kind, document.uploaded_by, document.invoice) == (DocumentKind.KYC, pending, None)
    assert "certificate.pdf" in client.get(reverse("portal:kyc")).text


def test_a_kyc_upload_refusal_names_the_file(pending):
    response = _kyc_upload(_portal(pending), content=b"not a document")

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Document.objects.exists()


def test_an_approved_organisation_renews_its_kyc_documents():
    approved = _member(KycStatus.APPROVED)

    assert _kyc_upload(_portal(approved)).status_code == 302
    assert Document.objects.get().kind == DocumentKind.KYC


def test_a_kyc_document_cannot_back_an_invoice(core_firm):
    supplier = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    user = UserFactory(organisation=supplier)
    invoice_document = document_upload(organisation=supplier, uploaded_by=user, kind=DocumentKind.INVOICE,
                                       name="i.pdf", content=samples.pdf_bytes())
    kyc = document_upload(organisation=supplier, uploaded_by=user, kind=DocumentKind.KYC, name="id.pdf",
                          content=samples.pdf_bytes("Identity"))

    with pytest.raises(ValidationError) as refusal:
        invoice_submit(submitted_by=user, buyer_id=core_firm.pk, number="INV-1", amount="10", currency="USDC",
                       issue_date=date(2026, 11, 1), due_date=date(2027, 1, 1), document_ids=[invoice_document.pk, kyc.pk])
    assert "documents" in refusal.value.message_dict


def test_the_admin_sees_the_kyc_documents_on_the_participant_page(pending):
    _kyc_upload(_portal(pending))
    document = Document.objects.get()
    admin = UserFactory(organisation=OrganisationFactory(role=Role.ADMIN))
    client = _portal(admin)

    page = client.get(reverse("portal:operator:participant", kwargs={"organisation_id": pending.organisation_id}))
    url = reverse("portal:operator:participant-kyc-document",
                  kwargs={"organisation_id": pending.organisation_id, "document_id": document.pk})
    assert "certificate.pdf" in page.text and url in page.text
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == samples.pdf_bytes()


def test_the_participant_page_serves_only_that_organisations_kyc_documents(pending):
    invoice_document = Document.objects.create(
        organisation=pending.organisation, kind=DocumentKind.INVOICE, format="pdf", original_name="i.pdf", size=1,
        keccak="0x" + "11" * 32, file="documents/x.pdf",
    )
    admin = UserFactory(organisation=OrganisationFactory(role=Role.ADMIN))
    url = reverse("portal:operator:participant-kyc-document",
                  kwargs={"organisation_id": pending.organisation_id, "document_id": invoice_document.pk})

    assert _portal(admin).get(url).status_code == 404


def test_a_rejected_organisation_may_upload_new_kyc_documents_only():
    rejected = _member(KycStatus.REJECTED)
    client = _portal(rejected)

    assert _kyc_upload(client).status_code == 302
    response = client.get(reverse("portal:supplier:dashboard"))
    assert response.status_code == 403
    assert "rejected" in response.text


def test_a_suspended_organisation_reads_but_does_not_write():
    suspended = _member(KycStatus.SUSPENDED)
    client = _portal(suspended)

    assert client.get(reverse("portal:supplier:invoices")).status_code == 200
    response = client.post(reverse("portal:tokens"), {"name": "ERP"})
    assert response.status_code == 403
    assert "suspended" in response.text
    assert not ApiToken.objects.exists()


def test_a_pending_member_sees_only_its_kyc_menu(pending):
    menu = _portal(pending).get(reverse("portal:kyc")).context["menu"]

    assert [item["url"] for item in menu] == [reverse("portal:kyc"), reverse("portal:team"),
                                              reverse("portal:otp-setup")]


# The API


def test_the_api_refuses_a_pending_member_with_the_reason(pending, core_firm):
    response = _api(pending).get("/api/organisations/")

    assert response.status_code == 403
    assert PENDING_SENTENCE in response.json()["detail"]


def test_the_api_refuses_a_pending_members_webhook(pending):
    response = _api(pending).post("/api/webhooks/", {"url": "https://erp.example.com/hook", "events": []},
                                  format="json")

    assert response.status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_a_token_of_a_pending_organisation_opens_nothing(pending):
    _token, key = api_token_create(created_by=pending, name="made before the rule")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert client.get("/api/invoices/").status_code == 403


def test_a_suspended_organisation_reads_the_api_but_does_not_write():
    suspended = _member(KycStatus.SUSPENDED)

    assert _api(suspended).get("/api/invoices/").status_code == 200
    response = _api(suspended).post("/api/webhooks/", {"url": "https://erp.example.com/hook", "events": []},
                                    format="json")
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]


# Registration ids


def test_the_transfer_picker_shows_names_without_registration_ids(core_firm):
    RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Ningbo Parts", legal_id="91330200-NINGBO")
    form = TransferForm(recipients=Organisation.objects.filter(role=Role.SUPPLIER))
    labels = [label for _value, label in form.fields["to_organisation"].choices]
    assert "Ningbo Parts" in labels
    assert not any("91330200-NINGBO" in str(label) for label in labels)
