"""financing.quotes: a quote is the contract's answer (chain.quotes.financing_quotes), put in the
platform's words: the reason named as the mirror names it, the cash paid and its effective yearly
rate, and a clear refusal when the chain cannot answer. The chain's answers here are given by
hand, as the reader would return them; tests/platform/integration/test_e2e_story.py reads them
from the real contract."""

from decimal import Decimal

import pytest

from chain import quotes as chain_quotes
from chain.errors import ChainRevert
from chain.quotes import LenderQuote, PieceQuotes
from financing.quotes import Quote, QuotesUnavailable, piece_quote, piece_quotes
from invoices.models import InvoiceStatus
from organisations.models import Role

from factories import InvoiceFactory, PieceFactory, ProgrammeFactory, RegisteredOrganisationFactory

pytestmark = [pytest.mark.django_db]

RATING_TOO_LOW, INSUFFICIENT_LIQUIDITY = 6, 12  # ICreditDesk.RejectReason


class Chain:
    """The reader's answers, set by each test, and what it was asked."""

    def __init__(self):
        self.answers: dict[str, tuple] = {}
        self.asked: list[dict] = []
        self.failure: Exception | None = None

    def financing_quotes(self, **asked) -> PieceQuotes:
        self.asked.append(asked)
        if self.failure:
            raise self.failure
        return PieceQuotes(block=9, holder="0xholder", holder_rating=7, quotes=tuple(
            LenderQuote(address, *self.answers.get(address, (0, 0, 0, 0, 0))) for address in asked["lenders"]
        ))


@pytest.fixture
def chain(monkeypatch) -> Chain:
    answering = Chain()
    monkeypatch.setattr(chain_quotes, "financing_quotes", answering.financing_quotes)
    return answering


@pytest.fixture
def piece():
    seller = RegisteredOrganisationFactory(role=Role.SUPPLIER, rated=True)
    return PieceFactory(invoice=InvoiceFactory(seller=seller, status=InvoiceStatus.CONFIRMED))


def _programme(piece, name: str):
    return ProgrammeFactory(core_firm=piece.invoice.buyer, lender__name=name)


def _address(organisation) -> str:
    return organisation.chain_account.address


def test_each_open_programme_is_quoted_by_the_contract_by_lender_name(chain, piece):
    zenith, acme = _programme(piece, "Zenith Bank").lender, _programme(piece, "Acme Capital").lender
    ProgrammeFactory(core_firm=piece.invoice.buyer, limit=0)  # closed: not asked
    chain.answers = {_address(acme): (0, 800_000_000, 4_000_000, 30, 4),
                     _address(zenith): (RATING_TOO_LOW, 0, 0, 30, 9)}

    quotes = piece_quotes(piece=piece)

    assert quotes == [Quote(acme, "", 800_000_000, 4_000_000, 30, 4, 7), Quote(zenith, "rating_too_low", 0, 0, 30, 9, 7)]
    [asked] = chain.asked
    invoice = piece.invoice
    assert asked == {"fingerprint": invoice.fingerprint, "index": piece.index,
                     "lenders": [_address(acme), _address(zenith)], "core_firm": _address(invoice.buyer),
                     "currency": invoice.currency}


def test_no_open_programme_asks_nothing_of_the_chain(chain, piece):
    assert piece_quotes(piece=piece) == [] and chain.asked == []


def test_one_lenders_quote_is_asked_even_without_a_programme(chain, piece):
    stranger = RegisteredOrganisationFactory(role=Role.LENDER)
    chain.answers = {_address(stranger): (1, 0, 0, 0, 0)}

    quote = piece_quote(piece=piece, lender=stranger)

    assert (quote.lender, quote.reason, quote.approved) == (stranger, "no_programme", False)
    assert quote.reason_sentence == "The lender has no open programme for this buyer and currency."


def test_a_refusal_keeps_the_figures_the_contract_decided(chain, piece):
    lender = _programme(piece, "Acme Capital").lender
    chain.answers = {_address(lender): (INSUFFICIENT_LIQUIDITY, 800_000_000, 4_000_000, 30, 4)}

    [quote] = piece_quotes(piece=piece)

    assert (quote.reason, quote.advance, quote.payout) == ("insufficient_liquidity", 800_000_000, 796_000_000)


def test_the_cash_paid_is_the_advance_less_the_discount_and_its_rate_is_yearly():
    quote = Quote(lender=None, advance=800_000_000, discount=4_000_000, tenor_days=30)

    assert quote.payout == 796_000_000
    # 4.00 for 796.00 over 30 days: 0.5025% a month, 6.11% a year of 365 days
    assert quote.effective_yearly_rate == Decimal(4_000_000 * 365) / Decimal(796_000_000 * 30)
    assert quote.effective_yearly_rate_bps == 611


def test_a_quote_without_a_price_has_no_rate():
    assert Quote(lender=None, reason="rating_too_low").effective_yearly_rate is None
    assert Quote(lender=None, reason="rating_too_low").effective_yearly_rate_bps is None


def test_a_silent_chain_is_said_in_words(chain, piece):
    _programme(piece, "Acme Capital")
    chain.failure = chain_quotes.ChainSilent("ReadTimeout: http://node.internal:8545")

    with pytest.raises(QuotesUnavailable) as refusal:
        piece_quotes(piece=piece)

    assert str(refusal.value) == "The chain does not answer just now, so no lender can quote: try again in a minute."


def test_a_contract_that_refuses_to_quote_says_why(chain, piece):
    _programme(piece, "Acme Capital")
    chain.failure = ChainRevert("ConfigPaused", {}, "The platform is paused by its operator. [ConfigPaused]")

    with pytest.raises(QuotesUnavailable) as refusal:
        piece_quotes(piece=piece)

    assert "The platform is paused by its operator." in str(refusal.value)
