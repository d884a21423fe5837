"""One invoice, one registration, whatever its spelling: the identity is the seller and the
canonical invoice number. A table of spellings goes through the service, the API and the portal
form; a hypothesis property pins the canonical form down."""

import itertools
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from chain.models import ChainAction
from invoices import services
from invoices.identity import canonical_invoice_number, invoice_key
from invoices.models import Invoice
from organisations.models import Role
from organisations.tokens import api_token_create

from factories import DocumentFactory, RegisteredOrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

TODAY = timezone.now().date()
ISSUED = TODAY - timedelta(days=10)
FIELDS = {"amount": "2500.00", "currency": "USDC", "issue_date": ISSUED, "due_date": TODAY + timedelta(days=60)}
OTHER_AMOUNT = {"amount": "2500.01"}
OTHER_DATES = {"issue_date": ISSUED + timedelta(days=1), "due_date": TODAY + timedelta(days=61)}

# (first spelling, second spelling, what else differs, the same invoice?)
SPELLINGS = [
    ("INV-D-1", "inv-d-1", {}, True),
    ("INV-D-1", "Inv-D-1", {}, True),
    ("INV-D-1", "INV-D-01", {}, True),
    ("INV-D-1", "INV-D-0001", {}, True),
    ("INV-D-1", "INV D 1", {}, True),
    ("INV-D-1", "INVD1", {}, True),
    ("INV-D-1", "INV_D_1", {}, True),
    ("INV-D-1", "INV/D/1", {}, True),
    ("INV-D-1", "INV.D.1", {}, True),
    ("INV-D-1", "#INV-D-1", {}, True),
    ("INV-D-1", "INV--D--1", {}, True),
    ("INV-D-1", "  INV-D-1  ", {}, True),
    ("INV-D-1", "INV\tD 1", {}, True),
    ("INV-D-1", "ＩＮＶ－Ｄ－１", {}, True),  # full-width letters, hyphen and digit
    ("INV-D-1", "INV－D－０１", {}, True),
    ("INV-D-1", "INV＿D／1", {}, True),
    ("INV-D-1", "ｉｎｖ．ｄ．１", {}, True),
    ("INV-D-1", "INV＃D＃1", {}, True),
    ("INV-D-1", "INV\u3000D\u30001", {}, True),  # ideographic spaces
    ("INV-D-1", "INV\u2013D\u20131", {}, True),  # en dashes
    ("INV-D-1", "INV-D-1", OTHER_AMOUNT, True),
    ("INV-D-1", "INV-D-1", OTHER_DATES, True),
    ("INV-D-1", "INV-D-01", OTHER_AMOUNT | OTHER_DATES, True),
    ("2026/000123", "2026-123", {}, True),
    ("INV-2026-001", "inv 2026 1", {}, True),
    ("FP 44031234", "fp44031234", {}, True),
    ("No. 0042", "NO42", {}, True),
    ("STRASSE-7", "straße-007", {}, True),  # case folding: ß is ss
    ("发票-0012", "发票12", {}, True),
    ("INV-D-1", "INV-D-2", {}, False),
    ("INV-D-1", "INV-D-10", {}, False),
    ("INV-D-10", "INV-D-100", {}, False),
    ("INV-D-1", "INV-E-1", {}, False),
    ("INV-D-1", "INV-D-1A", {}, False),
    ("INV-D-1", "INV-D-I", {}, False),
    ("INV-D-1", "CN-D-1", {}, False),
    ("2026-123", "2026-124", {}, False),
    ("发票-0012", "发票-0013", {}, False),
]
IDS = [f"{n:02d}-{'same' if same else 'other'}" for n, (*_, same) in enumerate(SPELLINGS)]


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, legal_id="LEI-SPELLING-SELLER")


@pytest.fixture
def buyer():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM)


@pytest.fixture
def clerk(supplier):
    return UserFactory(organisation=supplier)


def _by_service(clerk, buyer, number: str, fields: dict) -> dict[str, list[str]]:
    try:
        services.invoice_submit(
            submitted_by=clerk, buyer_id=buyer.pk, number=number,
            document_ids=[DocumentFactory(organisation=clerk.organisation).pk], **fields,
        )
    except ValidationError as refusal:
        return refusal.message_dict
    return {}


def _by_api(clerk, buyer, number: str, fields: dict) -> dict[str, list[str]]:
    _, key = api_token_create(created_by=clerk, name=f"ERP {uuid.uuid4().hex[:6]}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"buyer": buyer.pk, "number": number, "documents": [DocumentFactory(organisation=clerk.organisation).pk]}
    body |= {name: str(value) for name, value in fields.items()}
    response = client.post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code in (201, 400), response.content
    return {} if response.status_code == 201 else response.json()


def _by_portal(clerk, buyer, number: str, fields: dict) -> dict[str, list[str]]:
    from django.test import Client

    client = Client()
    client.force_login(clerk)
    document = DocumentFactory(organisation=clerk.organisation)
    response = client.post(reverse("portal:supplier:review", args=[document.pk]),
                           {"buyer": buyer.pk, "number": number, **fields})
    if response.status_code == 302:
        return {}
    return {field: list(errors) for field, errors in response.context["form"].errors.items()}


CHANNELS = {"service": _by_service, "api": _by_api, "portal": _by_portal}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("first", "second", "changes", "same"), SPELLINGS, ids=IDS)
def test_an_invoice_registers_once_whatever_its_spelling(clerk, buyer, channel, first, second, changes, same):
    submit = CHANNELS[channel]
    assert submit(clerk, buyer, first, FIELDS) == {}

    refusal = submit(clerk, buyer, second, FIELDS | changes)

    if same:
        [message] = refusal["number"]
        earlier = Invoice.objects.get()
        assert earlier.number in message and earlier.issue_date.isoformat() in message
        assert str(earlier.get_status_display()) in message
        assert ChainAction.objects.count() == 1
    else:
        assert refusal == {}
        assert Invoice.objects.count() == 2 and ChainAction.objects.count() == 2


def test_the_same_number_of_another_seller_is_another_invoice(clerk, buyer):
    other_seller = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))

    assert _by_service(clerk, buyer, "INV-D-1", FIELDS) == {}
    assert _by_service(other_seller, buyer, "INV-D-1", FIELDS) == {}
    keys = set(Invoice.objects.values_list("invoice_key", flat=True))
    fingerprints = set(Invoice.objects.values_list("fingerprint", flat=True))
    assert len(keys) == len(fingerprints) == 2


def test_the_key_hashes_only_the_seller_and_the_canonical_number():
    assert invoice_key(seller_legal_id="LEI-1", number="INV-D-01") == invoice_key(seller_legal_id="LEI-1",
                                                                                  number="inv d 1")
    assert invoice_key(seller_legal_id="LEI-1", number="INV-D-1") != invoice_key(seller_legal_id="LEI-2",
                                                                                 number="INV-D-1")


def test_the_key_depends_on_the_platform_salt(settings):
    before = invoice_key(seller_legal_id="LEI-1", number="INV-D-1")

    settings.FINGERPRINT_SALT = "another-platform"

    assert invoice_key(seller_legal_id="LEI-1", number="INV-D-1") != before


# The canonical form as a property

SEPARATORS = ["", " ", "-", "_", "/", ".", "#", "－", "＿", "／", "．", "＃", "\u3000", "\t", "--", " - "]
FULL_WIDTH = {chr(code): chr(code + 0xFEE0) for code in itertools.chain(range(0x30, 0x3A), range(0x41, 0x5B),
                                                                       range(0x61, 0x7B))}

letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=4)
digits = st.integers(min_value=0, max_value=10**6).map(str)


@st.composite
def numbers_and_respellings(draw):
    """An invoice number as alternating runs of letters and digits (so that no two digit runs can
    meet), written plainly and written again in the ways the canonical form ignores: case,
    separators, full-width forms and leading zeros."""
    count = draw(st.integers(min_value=1, max_value=5))
    first_is_letters = draw(st.booleans())
    runs = [draw(letters if (n % 2 == 0) == first_is_letters else digits) for n in range(count)]
    plain = "-".join(runs)
    written = []
    for run in runs:
        if run.isdigit():
            run = "0" * draw(st.integers(min_value=0, max_value=3)) + run
        else:
            run = "".join(draw(st.sampled_from([char.upper(), char.lower()])) for char in run)
        if draw(st.booleans()):
            run = "".join(FULL_WIDTH[char] for char in run)
        written.append(run + draw(st.sampled_from(SEPARATORS)))
    return plain, draw(st.sampled_from(SEPARATORS)) + "".join(written)


@settings(max_examples=300, deadline=None)
@given(numbers_and_respellings())
def test_spellings_that_differ_only_in_ignored_ways_always_collide(pair):
    plain, respelled = pair
    assert canonical_invoice_number(respelled) == canonical_invoice_number(plain)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
@example("a-\u0301")  # removing the separator joins a letter and its accent, which NFKC then composes
@example("0-01")  # removing the separator joins two runs of digits
def test_canonicalisation_is_idempotent(text):
    canonical = canonical_invoice_number(text)
    assert canonical_invoice_number(canonical) == canonical
