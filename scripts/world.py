"""The platform's test world, shared by the Brownie tests and the benchmarks: a deployment with
its currencies, participants, ratings and a funded credit programme, plus helpers."""

from dataclasses import dataclass
from enum import IntEnum

from brownie import chain, web3
from eth_abi import encode

# The accounts of the test world, by role, in the order of the chain's unlocked accounts.
PARTY_NAMES = ("admin", "supplier", "tier2", "tier3", "core_firm", "lender", "oracle", "other_buyer", "other_lender")

DAY = 86_400
YEAR = 365 * DAY
MICRO = 10**6  # platform amounts are micro-units of their currency


class Role(IntEnum):
    NONE = 0
    SUPPLIER = 1
    CORE_FIRM = 2
    LENDER = 3
    RISK_ORACLE = 4
    ADMIN = 5


class Status(IntEnum):
    NONE = 0
    REGISTERED = 1
    CONFIRMED = 2
    DISPUTED = 3
    REPAID = 4
    OVERDUE = 5
    DEFAULTED = 6


class Reject(IntEnum):
    NONE = 0
    NO_PROGRAMME = 1
    OVER_LIMIT = 2
    TENOR_TOO_LONG = 3
    HOLDER_KYC_EXPIRED = 4
    LENDER_KYC_EXPIRED = 5
    RATING_TOO_LOW = 6
    NOT_CONFIRMED = 7
    DISPUTED = 8
    OVERDUE = 9
    ALREADY_FINANCED = 10
    SETTLED = 11
    INSUFFICIENT_LIQUIDITY = 12
    ADVANCE_TOO_SMALL = 13
    OBLIGOR_KYC_EXPIRED = 14
    HOLDER_NOT_SUPPLIER = 15
    LENDER_NOT_LENDER = 16
    RATING_STALE = 17
    QUOTE_EXPIRED = 18
    PAYOUT_BELOW_MINIMUM = 19


FINANCED, SETTLED, PARTLY_CLAIMED, RESERVE, WRITTEN_OFF = 1, 2, 4, 8, 16

# limit, advanceRateBps, baseRateBps, maxTenorDays, ratingSpreadBps, minRating, maxRatingAgeDays
STANDARD_TERMS = (1_000_000 * MICRO, 10_000, 500, 180, 25, 4, 365)
# A financing request's price bound when the test does not care: any payout, no deadline.
ANY_PAYOUT = 0
NO_DEADLINE = 2**32 - 1
FUNDED_LIQUIDITY = 600_000 * MICRO
GRACE_PERIOD = 5 * DAY
DEFAULT_PERIOD = 30 * DAY
RATINGS = {"supplier": 8, "tier2": 7, "tier3": 3}
MODEL_VERSION = 3
ZERO_HASH = b"\x00" * 32  # bytes32 zero, e.g. the supportingDocumentsHash of an invoice without any


def units(amount):
    """Whole currency units to platform micro-units."""
    return int(amount * MICRO)


def fingerprint_of(*parts):
    """A salted canonical hash, as the platform computes it off chain: an invoice key, an
    organisation's or a dispute reason's hash, or (standing in for a document's bytes) a document hash."""
    text = "|".join(str(part) for part in ("test-salt",) + parts)
    return web3.keccak(text=text)


def invoice_fingerprint(seller_id, invoice_key):
    """The invoice's id on chain, as the contract computes it from the seller's participant id and
    the key: keccak256(abi.encode(uint32 sellerId, bytes32 invoiceKey))."""
    return web3.keccak(encode(["uint32", "bytes32"], [int(seller_id), bytes(invoice_key)]))


def fingerprint_for(scf, seller, invoice_key):
    """The id `seller`'s invoice `invoice_key` is (or would be) stored under."""
    return invoice_fingerprint(scf.participant(seller)["id"], invoice_key)


def list_currency(scf, token, admin):
    """Lists a mock token as a settlement currency: addCurrency test-transfers one whole token
    from the admin, which mints and approves it first."""
    probe = 10 ** token.decimals()
    token.mint(admin, probe, {"from": admin})
    token.approve(scf, probe, {"from": admin})
    return scf.addCurrency(token, {"from": admin})


@dataclass
class Platform:
    scf: object
    usdc: object
    eurt: object


def deploy_platform(SupplyChainFinance, MockStablecoin, parties):
    admin = parties["admin"]
    scf = SupplyChainFinance.deploy(fingerprint_of("operator"), GRACE_PERIOD, DEFAULT_PERIOD, {"from": admin})
    usdc = MockStablecoin.deploy("USD Coin (mock)", "USDC", 6, {"from": admin})
    eurt = MockStablecoin.deploy("Euro Token (mock)", "EURT", 18, {"from": admin})
    list_currency(scf, usdc, admin)
    list_currency(scf, eurt, admin)

    kyc_until = chain.time() + YEAR
    roles = {
        "supplier": Role.SUPPLIER,
        "tier2": Role.SUPPLIER,
        "tier3": Role.SUPPLIER,
        "core_firm": Role.CORE_FIRM,
        "other_buyer": Role.CORE_FIRM,
        "lender": Role.LENDER,
        "other_lender": Role.LENDER,
        "oracle": Role.RISK_ORACLE,
    }
    for name, role in roles.items():
        scf.registerParticipant(parties[name], role, fingerprint_of("org", name), kyc_until, {"from": admin})
    for name, rating in RATINGS.items():
        scf.postRating(parties[name], rating, MODEL_VERSION, {"from": parties["oracle"]})

    for token, scale in ((usdc, 1), (eurt, 10**12)):
        for name in ("core_firm", "other_buyer", "lender", "other_lender"):
            token.mint(parties[name], 10_000_000 * MICRO * scale, {"from": admin})
            token.approve(scf, 2**256 - 1, {"from": parties[name]})

    lender = parties["lender"]
    for buyer in ("core_firm", "other_buyer"):
        for currency in (1, 2):
            scf.setProgrammeTerms(parties[buyer], currency, STANDARD_TERMS, {"from": lender})
            scf.fundProgramme(parties[buyer], currency, FUNDED_LIQUIDITY, {"from": lender})
    return Platform(scf=scf, usdc=usdc, eurt=eurt)
