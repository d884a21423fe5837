"""The whole story in a real browser: headless Chromium (Debian's), driven by Playwright, against
a live server, with a real Celery worker and Ganache behind it. Each step is done by its actor in
its own browser session, through the portal's pages only, and photographed into reports/e2e/.

  1. the supplier uploads a UBL invoice and submits it;  2. the core firm confirms it;
  3. the supplier splits a piece to its tier-2 supplier;  4. tier 2 asks for financing and is
  approved;  5. the lender sees it in its portfolio;  6. the core firm repays, with the invoice open in
  two tabs;  7. the holders are paid as soon as the repayment is seen (the maturity sweep, an hour
  away, plays no part). Along the way: the supplier's Security page draws its authenticator QR code,
  the core firm disputes a second invoice, whose reason the supplier then reads, the supplier
  finds the invoice with the search, and the core firm's dashboard says what it did and what its
  account holds against its dues."""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Page, expect, sync_playwright

from authenticators.models import EncryptedTOTPDevice
from demo import cast, seed
from demo.documents import ubl_invoice_xml
from chain.models import ActionPurpose, ChainAction
from financing.models import FinancingRequest, Programme
from invoices.models import Invoice, InvoiceStatus, Piece
from invoices.services import invoice_submit
from invoices.tasks import payer_holdings_refresh
from users.models import User

from localnet import wait_until
from world import due_in, invoice_document

SHOTS = Path(__file__).resolve().parents[3] / "reports" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STEP_TIMEOUT_MS = 60_000
NUMBER = "E2E-" + secrets.token_hex(3).upper()
AMOUNT = "100000.00"
SPLIT = "40000"


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own queries between
    # browser steps are synchronous all the same (the live server has its own threads).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def world(platform):
    """The demo's cast on chain: participants registered, tokens and allowances in place,
    suppliers rated, both lenders' programmes with the core firm set and funded."""
    platform.worker(MATURITY_SWEEP_SECONDS="3600")  # the claims must come from the indexer, not the sweep
    password = secrets.token_urlsafe(12)
    users, _ = seed.participants(password)
    seed._wait("registration and tokens", lambda: seed._settled() and seed._registered(
        *[user for user in users.values() if user.organisation.acts_on_chain]))
    users = {name: User.objects.select_related("organisation").get(pk=user.pk) for name, user in users.items()}
    seed.programmes_open(users)
    seed._wait("the programmes", lambda: Programme.objects.filter(liquidity__gt=0).count() == len(cast.LENDERS))
    return users, password


def _option(user: User) -> str:
    """How the portal's recipient and lender pickers name an organisation: by name only (its
    registration number is shown only where an invoice names it, in the buyer picker)."""
    return user.organisation.name


class Actor:
    """One person at their own browser, signed in to the portal."""

    def __init__(self, browser, base_url: str, user: User, password: str):
        self.page: Page = browser.new_context(base_url=base_url, locale="en-GB").new_page()
        self.page.set_default_timeout(STEP_TIMEOUT_MS)
        self.user = user
        self.page.goto("/login/")
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        if device := EncryptedTOTPDevice.objects.filter(user=user, confirmed=True).first():
            code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
            self.page.get_by_label("Authenticator code").fill(f"{code:06d}")
            self.page.get_by_role("button", name="Verify").click()
        expect(self.page.locator("header .who")).to_contain_text(user.organisation.name)

    def shot(self, name: str) -> None:
        self.shot_of(self.page, name)

    @staticmethod
    def shot_of(page: Page, name: str) -> None:
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)

    def open_link(self, text: str) -> None:
        self.page.get_by_role("link", name=text, exact=True).first.click()


def _ask_at_the_contracts_quote(holder: "Actor", lender: User) -> int:
    """On a piece page: reads the cash `lender`'s quote pays (micro-units), which the page loads
    from the contract, and asks that lender at it. Returns the cash shown."""
    quote = holder.page.get_by_test_id(f"quote-{lender.organisation_id}")
    payout = quote.get_by_test_id("quote-payout")
    expect(payout).to_have_text(re.compile(r"[1-9][0-9,]*\.[0-9]{2} [A-Z]{3,4}"))
    expect(quote.get_by_test_id("quote-rate")).to_have_text(re.compile(r"[0-9]+\.[0-9]{2}%"))
    holder.shot("04a-tier-2-quotes")
    shown = int(payout.get_attribute("data-micro"))
    quote.get_by_role("button", name=f"Ask {_option(lender)}").click()
    expect(holder.page.locator("[data-testid=progress-finance] [data-action-status]")).to_have_attribute(
        "data-action-status", "confirmed"
    )
    return shown


def _repay_in_two_tabs(buyer: Actor, invoice: Invoice) -> None:
    """The core firm has the invoice open in two tabs and repays in full in the first. The second
    tab's full repayment is refused by the server, saying why, and only one repayment is queued;
    the first tab opens itself again once it is done: Repaid, the amount repaid, no Repay form."""
    first, second = buyer.page, buyer.page.context.new_page()
    second.set_default_timeout(STEP_TIMEOUT_MS)
    for tab in (first, second):
        tab.goto(f"/core-firm/invoices/{invoice.pk}/")
        expect(tab.get_by_test_id("repay-form").get_by_label("Amount")).to_have_value(re.compile(r"^100,?000(\.0+)?$"))
    with first.expect_navigation():  # the first payment is queued before the second tab asks
        first.get_by_test_id("repay-form").get_by_role("button", name="Repay").click()
    second.get_by_test_id("repay-form").get_by_role("button", name="Repay").click()
    expect(second.get_by_test_id("refusal")).to_contain_text(re.compile("nothing more is owed", re.IGNORECASE))
    buyer.shot_of(second, "06a-core-firm-second-tab-refused")
    assert ChainAction.objects.filter(purpose=ActionPurpose.REPAY, subject_id=invoice.pk).count() == 1
    expect(first.get_by_test_id("invoice-repaid")).to_contain_text("100,000.00 USD")
    expect(first.get_by_test_id("invoice-status")).to_contain_text("Repaid")
    expect(first.get_by_test_id("repay-form")).to_have_count(0)
    second.close()


def _paid_without_the_sweep(holder: Actor, invoice: Invoice) -> None:
    """The holder's claim is queued by the indexer with the repayment (the sweep is an hour away),
    and its piece page says it is being paid, or shows it collected."""
    piece = Piece.objects.get(invoice=invoice, index=0, holder=holder.user.organisation)
    wait_until(lambda: ChainAction.objects.filter(purpose=ActionPurpose.PIECE_CLAIM, subject_id=piece.pk).exists(),
               60, message="the claim queued on the repayment")
    holder.page.goto(f"/supplier/receivables/{piece.pk}/")
    expect(holder.page.get_by_test_id("piece-collected")).to_contain_text(
        re.compile(r"being paid to you|^60,000\.00")
    )
    holder.shot("07-tier-1-being-paid")


def _security_page_draws_the_qr_code(actor: Actor) -> None:
    """The authenticator's QR code is an image the browser decoded, not a broken one."""
    actor.open_link("Security")
    expect(actor.page.locator("img.qr")).to_be_visible()
    actor.page.wait_for_function("() => { const qr = document.querySelector('img.qr');"
                                 " return qr.complete && qr.naturalWidth > 0; }")
    actor.shot("01c-security-qr-code")


def _dispute_is_read_by_the_seller(supplier: Actor, buyer: Actor, core_firm: User) -> None:
    """The core firm disputes a second invoice with a reason; the supplier reads that reason."""
    number, reason = NUMBER + "-D", "Only 40 of the 50 pallets arrived; the invoice bills 50."
    invoice = invoice_submit(
        submitted_by=supplier.user, buyer_id=core_firm.organisation_id, number=number, amount="2500.00",
        currency="USDC", issue_date=due_in(-2), due_date=due_in(45),
        document_ids=[invoice_document(supplier.user.organisation, number).pk],
    )
    wait_until(lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.REGISTERED, 60,
               message="the second invoice registered")
    buyer.page.goto(f"/core-firm/invoices/{invoice.pk}/")
    dispute = buyer.page.get_by_test_id("dispute-form")
    dispute.get_by_label("Why do you dispute this invoice?").fill(reason)
    dispute.get_by_role("button", name="Dispute invoice").click()
    expect(buyer.page.get_by_test_id("invoice-status")).to_contain_text("Disputed")
    wait_until(lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.DISPUTED, 60,
               message="the dispute in the mirror")
    supplier.page.goto(f"/supplier/invoices/{invoice.pk}/")
    expect(supplier.page.get_by_test_id("dispute-reason-text")).to_have_text(reason)
    supplier.shot("02b-supplier-reads-the-dispute-reason")


def _supplier_searches_its_invoices(supplier: Actor) -> None:
    """By the invoice's number, then by an amount range written as the pages show amounts."""
    supplier.page.goto("/supplier/invoices/")
    search = supplier.page.get_by_test_id("invoice-search")
    search.get_by_label("Number or counterparty").fill(NUMBER)
    search.get_by_role("button", name="Search").click()
    expect(supplier.page.get_by_test_id("invoice-row")).to_have_count(1)
    expect(supplier.page.get_by_test_id("invoice-row")).to_contain_text(NUMBER)
    supplier.page.goto("/supplier/invoices/")
    search = supplier.page.get_by_test_id("invoice-search")
    search.get_by_label("Amount from").fill("99,999.99")
    search.get_by_label("Amount up to").fill("100000.01")
    search.get_by_role("button", name="Search").click()
    expect(supplier.page.get_by_test_id("invoice-row")).to_have_count(1)
    expect(supplier.page.get_by_test_id("invoice-row")).to_contain_text(NUMBER)
    supplier.shot("01c-supplier-search")


def _core_firm_dashboard_tells_the_confirmation_and_its_cover(buyer: Actor, seller: User) -> None:
    """The confirmation in words, and (once the scheduled job has read the chain) the account's
    balance and allowance against what it now owes."""
    payer_holdings_refresh()
    buyer.page.goto("/core-firm/")
    expect(buyer.page.get_by_test_id("recent-activity")).to_contain_text(
        f"Confirmed invoice {NUMBER} from {seller.organisation.name}, 100,000.00 USDC"
    )
    cover = buyer.page.get_by_test_id("cover-USDC")
    expect(cover).to_contain_text("100,000.00 USDC")
    expect(cover.get_by_test_id("cover-balance")).to_have_text(re.compile(r"[0-9][0-9,]*\.[0-9]{2} USDC"))
    expect(cover.get_by_test_id("cover-allowance")).to_have_text("without limit")
    buyer.shot("02b-core-firm-dashboard")


def test_the_whole_story_in_a_browser(world, live_server, browser):
    users, password = world
    tier_1, tier_2 = users[cast.TIER_1[3]], users[cast.TIER_2[3]]
    core_firm, lender = users[cast.CORE_FIRM[3]], users[cast.LENDERS[0][3]]
    supplier = Actor(browser, live_server.url, tier_1, password)

    # 1. The supplier uploads a UBL invoice, checks the fields read from it, and submits.
    today = timezone.now().date()
    ubl = ubl_invoice_xml(
        number=NUMBER, seller_name=tier_1.organisation.name, seller_id=tier_1.organisation.legal_id,
        buyer_name=core_firm.organisation.name, buyer_id=core_firm.organisation.legal_id, amount=AMOUNT,
        currency="USD", issue_date=today - timedelta(days=3), due_date=today + timedelta(days=75),
    )
    supplier.page.goto("/supplier/upload/")
    supplier.page.locator("input[name=invoice]").set_input_files(
        files=[{"name": f"{NUMBER}.xml", "mimeType": "application/xml", "buffer": ubl}]
    )
    supplier.page.get_by_role("button", name="Upload and review").click()
    review = supplier.page.get_by_test_id("review-form")
    expect(review.get_by_label("Invoice number")).to_have_value(NUMBER)
    expect(review.get_by_label("Buyer")).to_have_value(str(core_firm.organisation_id))
    supplier.shot("01a-review-extracted-fields")
    review.get_by_role("button", name="Submit invoice").click()
    expect(supplier.page.get_by_test_id("invoice-status")).to_contain_text("Registered", timeout=STEP_TIMEOUT_MS)
    supplier.shot("01b-invoice-registered-on-chain")
    invoice = Invoice.objects.get(number=NUMBER)
    _security_page_draws_the_qr_code(supplier)
    _supplier_searches_its_invoices(supplier)

    # 2. The core firm confirms it from its inbox, after looking at the document.
    buyer = Actor(browser, live_server.url, core_firm, password)
    buyer.page.goto("/core-firm/inbox/")
    buyer.open_link(NUMBER)
    expect(buyer.page.get_by_test_id("invoice-documents")).to_contain_text(f"{NUMBER}.xml")
    buyer.page.get_by_test_id("confirm-form").get_by_role("button", name="Confirm invoice").click()
    expect(buyer.page.get_by_test_id("invoice-status")).to_contain_text("Confirmed")
    buyer.shot("02-core-firm-confirmed")
    _dispute_is_read_by_the_seller(supplier, buyer, core_firm)
    _core_firm_dashboard_tells_the_confirmation_and_its_cover(buyer, tier_1)

    # 3. The supplier splits a piece off to its tier-2 supplier, chosen by name.
    supplier.page.goto("/supplier/receivables/")
    supplier.open_link(NUMBER)
    split = supplier.page.get_by_test_id("split-form")
    split.get_by_label("Recipient").select_option(label=_option(tier_2))
    split.get_by_label("Amount to split off").fill(SPLIT)
    split.get_by_role("button", name="Split").click()
    expect(supplier.page.locator("[data-testid=progress-split] [data-action-status]")).to_have_attribute(
        "data-action-status", "confirmed"
    )
    supplier.shot("03-split-to-tier-2")
    wait_until(lambda: Piece.objects.filter(invoice=invoice, holder=tier_2.organisation).exists(), 60,
               message="the tier-2 piece in the mirror")

    # 4. Tier 2 reads each lender's quote and asks one at the payout shown; the contract approves it
    # at once, paying exactly the quote, which the contract itself gave.
    second_tier = Actor(browser, live_server.url, tier_2, password)
    second_tier.page.goto("/supplier/receivables/")
    second_tier.open_link(NUMBER)
    shown = _ask_at_the_contracts_quote(second_tier, lender)
    second_tier.page.goto("/supplier/financing/")
    expect(second_tier.page.get_by_test_id("financing-status").first).to_contain_text("Approved")
    second_tier.shot("04b-tier-2-financing-approved")
    financed = FinancingRequest.objects.get(piece__invoice=invoice, holder=tier_2.organisation)
    assert financed.advance - financed.discount == financed.quoted_payout == shown

    # 5. The lender sees the financed piece in its portfolio.
    bank = Actor(browser, live_server.url, lender, password)
    bank.page.goto("/lender/portfolio/")
    expect(bank.page.get_by_test_id("portfolio-list")).to_contain_text(NUMBER)
    bank.shot("05-lender-portfolio")

    # 6. The core firm repays in full, with the invoice open in two tabs.
    _repay_in_two_tabs(buyer, invoice)
    buyer.shot("06-core-firm-repaid")

    # 7. Every holder is paid: the indexer queues each piece's claim as soon as it sees the repayment.
    _paid_without_the_sweep(supplier, invoice)

    def all_claimed() -> bool:
        pieces = list(Piece.objects.filter(invoice=invoice))
        return bool(pieces) and all(piece.claimed == piece.amount for piece in pieces)

    wait_until(all_claimed, 90, message="every piece's claim")
    supplier.page.goto("/supplier/cash/?show=claims")
    expect(supplier.page.get_by_test_id("cash-claims")).to_contain_text(NUMBER)
    supplier.shot("07a-tier-1-paid")
    second_tier.page.goto("/supplier/cash/?show=claims")
    expect(second_tier.page.get_by_test_id("cash-claims")).to_contain_text(NUMBER)
    second_tier.shot("07b-tier-2-paid")
    bank.page.goto("/lender/portfolio/")
    expect(bank.page.get_by_test_id("portfolio-list")).to_contain_text(NUMBER)
    bank.shot("07c-lender-repaid")
    holders = {piece.holder.name: piece.claimed for piece in Piece.objects.filter(invoice=invoice).select_related("holder")}
    assert sum(holders.values()) == invoice.amount
    assert set(holders) >= {tier_1.organisation.name, lender.organisation.name}
