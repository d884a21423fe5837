"""The portal in Simplified Chinese: the zh_Hans catalogue is complete, keeps its placeholders and
is compiled as it stands; and every role's main pages, rendered after the language switch to
zh-hans, show Chinese labels and no English label left over.

A text node of a rendered page that equals an English message of the catalogue is a label the
translation missed (a string not marked, or marked but not in the compiled catalogue)."""

import ast
import gettext
import re
import zoneinfo
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from chain import accounts
from chain.health import WORKER
from chain.models import ActionPurpose, Heartbeat, IndexerState
from signin import verified
from factories import (
    ChainAccountFactory,
    ChainActionFactory,
    DocumentFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    OrganisationFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from financing.models import FinancingStatus, Programme
from financing.services import financing_request
from invoices import services as invoice_services
from invoices.models import Currency, InvoiceStatus
from organisations.models import KycStatus, Role
from portal.context import COMMON, MENUS

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
CHINESE = "zh-hans"


# The catalogue


def _po_entries() -> list[dict]:
    """The entries of django.po: flags, msgid, msgid_plural and the msgstr forms, unescaped."""
    entries = []
    for block in (CATALOGUE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        entry = {"flags": set(), "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif match := re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line):
                key = match.group(1)
                value = ast.literal_eval(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(value)
                else:
                    entry[key] = value
            elif line.startswith('"') and key:
                value = ast.literal_eval(line)
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += value
                else:
                    entry[key] += value
        if "msgid" in entry:
            entries.append(entry)
    return entries


ENTRIES = _po_entries()
HEADER, MESSAGES = ENTRIES[0], ENTRIES[1:]


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sdr]", text))


def test_the_catalogue_has_one_plural_form_as_chinese_does():
    assert HEADER["msgid"] == "" and "fuzzy" not in HEADER["flags"]
    assert "Plural-Forms: nplurals=1; plural=0;" in HEADER["msgstr"][0]


def test_every_message_is_translated_and_none_is_fuzzy():
    assert len(MESSAGES) > 500
    assert [entry["msgid"] for entry in MESSAGES if "fuzzy" in entry["flags"]] == []
    assert [entry["msgid"] for entry in MESSAGES if not all(form.strip() for form in entry["msgstr"])] == []
    assert [entry["msgid"] for entry in MESSAGES if "msgid_plural" in entry and len(entry["msgstr"]) != 1] == []


def test_every_translation_keeps_the_placeholders_of_its_message():
    broken = [
        entry["msgid"]
        for entry in MESSAGES
        for form in entry["msgstr"]
        if _placeholders(form) != _placeholders(entry["msgid"]) | _placeholders(entry.get("msgid_plural", ""))
    ]
    assert broken == []


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo in the repository is what compilemessages makes of the .po as it stands, so that
    nobody needs gettext installed. Compared by content: a checkout does not keep file times."""
    with open(CATALOGUE / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [
        entry["msgid"]
        for entry in MESSAGES
        if (
            catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            if "msgid_plural" in entry
            else catalogue.gettext(entry["msgid"])
        )
        != entry["msgstr"][0]
    ]
    assert stale == []


def test_sign_in_reads_as_chinese_users_expect():
    with translation.override(CHINESE):
        assert translation.gettext("Sign in") == "登录"
        assert translation.gettext("Core firm") == "核心企业"
        assert translation.gettext("Lender") == "资金方"


# The pages


class _VisibleText(HTMLParser):
    """The text nodes of a page a reader sees, and the attributes a screen reader reads out."""

    READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.texts += [value for name, value in attrs if name in self.READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.texts.append(data)


def _visible_texts(html: str) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    return {" ".join(text.split()).strip(" :·") for text in parser.texts} - {""}


# English messages that a page would show as they are: their translation differs from them.
ENGLISH = {
    entry["msgid"].strip(" :")
    for entry in MESSAGES
    if re.search(r"[A-Za-z]{2}", entry["msgid"]) and entry["msgstr"][0] != entry["msgid"]
}


def _menu_labels(role: str) -> list:
    return [label for label, _name in MENUS[role] + COMMON]


# Words that a page once showed in English inside Chinese sentences or as labels of their own:
# technical terms that have Chinese names, and the keys of the platform's accounts.
ENGLISH_WORDS = re.compile(r"\b(Nonce|Gas|UTC|risk-oracle|operator)\b")


def _english_words(texts: set[str]) -> list[str]:
    return sorted({word for text in texts for word in ENGLISH_WORDS.findall(text)})


def _assert_in_chinese(response, role: str | None = None) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    # IANA zone names (the time zone picker's "UTC", "Etc/UTC") are identifiers, alike in every language.
    texts = _visible_texts(html) - zoneinfo.available_timezones()
    assert f'<html lang="{CHINESE}">' in html
    assert "供应链金融" in texts
    assert sorted(texts & ENGLISH) == []
    assert _english_words(texts) == []
    if role:
        with translation.override(CHINESE):
            chinese = {str(label) for label in _menu_labels(role)}
        with translation.override("en"):
            english = {str(label) for label in _menu_labels(role)}
        assert chinese <= texts
        assert not english & texts


def _in_chinese(client):
    client.post(reverse("set_language"), {"language": CHINESE, "next": "/"})
    return client


@pytest.fixture
def world(db, settings, manifest):
    """One of each role's organisations with something to show on each page: a confirmed and a
    registered invoice, a piece financed under a programme, a queued chain action, and an
    organisation waiting for KYC review."""
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # nothing listens: the chain page says so, at once
    supplier = RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Acme Supplies Ltd")
    core_firm = RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Acme Motors")
    lender = RegisteredOrganisationFactory(role=Role.LENDER, name="Harbour Bank")
    platform = RegisteredOrganisationFactory(role=Role.ADMIN, name="Operator Co")
    OrganisationFactory(role=Role.SUPPLIER, name="Newcomer Parts", kyc_status=KycStatus.PENDING)
    due = timezone.localdate() + timedelta(days=40)
    confirmed = InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.CONFIRMED, due_date=due)
    registered = InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.REGISTERED, due_date=due)
    DocumentFactory(organisation=supplier, invoice=registered)
    held = PieceFactory(invoice=confirmed, holder=supplier, amount=200_000_000)
    financed = PieceFactory(invoice=confirmed, index=1, holder=lender, amount=800_000_000, financed=True)
    FinancingRequestFactory(
        piece=financed, holder=supplier, lender=lender, status=FinancingStatus.APPROVED, advance=780_000_000,
        discount=8_000_000, tenor_days=40, rating=3, decided_at=timezone.now(),
    )
    programme = Programme.objects.create(
        lender=lender, core_firm=core_firm, currency=Currency.USDC, limit=100_000_000_000, advance_rate_bps=8_000,
        base_rate_bps=500, max_tenor_days=120, rating_spread_bps=25, min_rating=5, exposure=800_000_000,
        liquidity=50_000_000_000,
    )
    ChainActionFactory(
        purpose=ActionPurpose.INVOICE_REGISTER, subject=registered, signer=supplier.chain_account,
        function="registerInvoice", args=[],
    )
    # The chain page's platform accounts, a worker that stopped reporting and an indexer's cursor.
    for label in (accounts.OPERATOR, accounts.RISK_ORACLE):
        ChainAccountFactory(label=label)
    Heartbeat.objects.create(name=WORKER, beat_at=timezone.now() - timedelta(hours=1))
    IndexerState.objects.create(chain_id=1337, genesis_hash="0x" + "11" * 32, contract_address="0x" + "22" * 20,
                                last_block=42)
    return {
        Role.SUPPLIER: (supplier, [
            ("portal:supplier:dashboard", {}),
            ("portal:supplier:invoices", {}),
            ("portal:supplier:invoice", {"invoice_id": registered.pk}),
            ("portal:supplier:upload", {}),
            ("portal:supplier:receivables", {}),
            ("portal:supplier:piece", {"piece_id": held.pk}),
            ("portal:supplier:financing", {}),
            ("portal:supplier:cash", {}),
            ("portal:team", {}),
            ("portal:tokens", {}),
            ("portal:otp-setup", {}),
        ]),
        Role.CORE_FIRM: (core_firm, [
            ("portal:core_firm:dashboard", {}),
            ("portal:core_firm:inbox", {}),
            ("portal:core_firm:payables", {}),
            ("portal:core_firm:invoice", {"invoice_id": registered.pk}),
            ("portal:core_firm:invoice", {"invoice_id": confirmed.pk}),
            ("portal:core_firm:calendar", {}),
            ("portal:core_firm:exposure", {}),
        ]),
        Role.LENDER: (lender, [
            ("portal:lender:dashboard", {}),
            ("portal:lender:programmes", {}),
            ("portal:lender:programme", {"programme_id": programme.pk}),
            ("portal:lender:portfolio", {}),
            ("portal:lender:decisions", {}),
        ]),
        Role.ADMIN: (platform, [
            ("portal:operator:dashboard", {}),
            ("portal:operator:participants", {}),
            ("portal:operator:participant", {"organisation_id": supplier.pk}),
            ("portal:operator:chain", {}),
            ("portal:operator:receivables", {}),
            ("portal:operator:receivable", {"invoice_id": confirmed.pk}),
        ]),
    }


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER, Role.ADMIN])
def test_every_main_page_of_each_role_is_in_chinese(client, world, role):
    organisation, pages = world[role]
    _in_chinese(verified(client, UserFactory(organisation=organisation)))

    for name, kwargs in pages:
        _assert_in_chinese(client.get(reverse(name, kwargs=kwargs)), role)


def test_the_check_sees_english_labels_on_a_page_left_in_english(client, world):
    lender, _pages = world[Role.LENDER]
    verified(client, UserFactory(organisation=lender))

    texts = _visible_texts(client.get(reverse("portal:lender:dashboard")).content.decode())

    assert {"Dashboard", "Programmes", "Sign out"} <= texts & ENGLISH


def test_the_check_sees_english_words_left_in_chinese_sentences():
    texts = {"交易 Nonce", "签名账户的 Gas 余额", "索引器最近一次推进于 2026-12-03 12:00 UTC。", "risk-oracle"}

    assert _english_words(texts) == ["Gas", "Nonce", "UTC", "risk-oracle"]


def test_the_sign_in_and_sign_up_pages_are_in_chinese(client, db):
    _in_chinese(client)

    for name in ("portal:login", "portal:sign-up"):
        _assert_in_chinese(client.get(reverse(name)))


def test_a_service_refusal_reaches_the_page_in_chinese(client, world):
    core_firm, _pages = world[Role.CORE_FIRM]
    _in_chinese(verified(client, UserFactory(organisation=core_firm)))
    confirmed = core_firm.invoices_bought.get(status=InvoiceStatus.CONFIRMED)

    response = client.post(reverse("portal:core_firm:invoice-confirm", kwargs={"invoice_id": confirmed.pk}))

    assert "只有已上链登记的发票才能确权；该发票当前状态为“买方已确权”。" in response.content.decode()


# Refusals that say what state a thing is in name the state's label, never its stored code.
RAW_STATUS = re.compile(r"\b(" + "|".join(InvoiceStatus.values) + r")\b")


def _refusal_in_chinese(attempt) -> str:
    with translation.override(CHINESE), pytest.raises(ValidationError) as refusal:
        attempt()
    return " ".join(refusal.value.messages)


@pytest.mark.parametrize("status", [InvoiceStatus.REPAID, InvoiceStatus.DISPUTED, InvoiceStatus.SUBMITTED])
def test_a_refusal_names_the_invoice_status_by_its_chinese_label(db, status):
    supplier = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    core_firm = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    invoice = InvoiceFactory(seller=supplier, buyer=core_firm, status=status)
    piece = PieceFactory(invoice=invoice, holder=supplier)
    buyer, seller = UserFactory(organisation=core_firm), UserFactory(organisation=supplier)
    attempts = [
        lambda: invoice_services.invoice_confirm(invoice=invoice, confirmed_by=buyer),
        lambda: invoice_services.invoice_dispute(invoice=invoice, disputed_by=buyer, reason="Wrong goods"),
        lambda: invoice_services.invoice_repay(invoice=invoice, repaid_by=buyer, amount="1", request_key="k"),
        lambda: invoice_services.piece_transfer(piece=piece, transferred_by=seller, to_organisation_id=core_firm.pk),
        lambda: financing_request(piece=piece, requested_by=seller, lender_id=core_firm.pk, min_payout=None),
    ]
    with translation.override(CHINESE):
        label = str(InvoiceStatus(status).label)

    for attempt in attempts:
        refusal = _refusal_in_chinese(attempt)
        assert RAW_STATUS.findall(refusal) == [], refusal
        assert f"“{label}”" in refusal


def test_the_check_sees_a_raw_status_code_in_a_refusal():
    assert RAW_STATUS.findall("该发票当前状态为 repaid。") == ["repaid"]
