"""Stateful property test of the whole platform: a Hypothesis rule-based state machine drives random
registrations (including invoice keys and documents used before, by the same or another seller,
alone or in batches), confirmations and disputes, splits and transfers, financing requests,
liquidity moves, repayments, claims, overdue and default marks, KYC suspensions and renewals and
the passage of time, while a Python model predicts every outcome: success, the exact custom-error
revert ("ErrorName: args"), the credit decision and its quote, events, token movements. The chain is compared with the model after every step.

Invariants (see ``_verify`` and ``_verify_model``):
  1. an invoice is (seller, key): its fingerprint is keccak256(abi.encode(seller id, key)), the
     same key registers once per seller (again: ``InvoiceAlreadyRegistered``) and freely for
     another seller; a document backs one invoice, platform-wide (again, by anyone:
     ``InvoiceDocumentAlreadyUsed``, unless something fails first) and its index never changes;
     the InvoiceRegistered events on chain are exactly the model's registrations, each
     fingerprint and each document once;
  2. the pieces of every obligation (``scf.piece(fp, i)`` for ``i < pieceCount``) sum to its amount,
     and no unlocked piece is below 1/16,384 of it (so no holder can exhaust the piece limit);
  3. every programme's exposure equals the model (= face of financed pieces not yet collected nor
     written off) and never exceeds its limit;
  4. settlement tokens are conserved: the contract holds exactly the programmes' liquidity plus
     what was repaid and not yet claimed (micro-units x currency scale), every account holds what
     the model says, and the balances of all accounts sum to the minted supply;
  5. holders are paid pro rata (``claimable`` matches the model, no piece ever collects more than
     its share of what was repaid) and, once an obligation is fully repaid and claimed, every
     piece received exactly its amount and the claims sum to the invoice amount;
  6. the platform never loses its last admin: whatever the admins do to each other's and their own
     records (renew, shorten, suspend, demote), at least one admin keeps current KYC, because no
     admin changes its own record and nobody changes the founding admin's (``ParticipantLockout``).
Claims, repayments and withdrawals of a participant whose KYC was suspended are expected to
succeed (money already owed is never blocked); new business by it is expected to fail.

Each step's on-chain comparison covers what the step could have touched (obligations, programmes,
accounts) plus the contract's token balances; at the end of every run a full sweep compares all
state, so a change to anything the step should not have touched is still caught.
``STATEFUL_FULL_CHECK=1`` runs the full sweep after every step instead (slower).

Every run starts from the same snapshot: the deployment of scripts/world.py plus a partial-advance
programme for other_lender and the BASELINE obligations below, so short runs still reach
financing and settlement.

Settings from the environment: ``STATEFUL_EXAMPLES`` (default 50) runs of ``STATEFUL_STEPS``
(default 20) steps, at least their product in total; ``STATEFUL_VERBOSE=1`` prints the outcome
counts (rejection reasons, revert errors, claims, ...) and timings at the end; ``STATEFUL_DEBUG=1``
makes Hypothesis print every step. A failing example is stored in Hypothesis's database
(~/.brownie/hypothesis) and replayed first on the next run.
"""

import copy
import importlib.util
import os
import pathlib
import time
from collections import Counter
from dataclasses import dataclass, field

import brownie
import brownie.test
from brownie import accounts, chain, web3
from hexbytes import HexBytes
from hypothesis import HealthCheck, Verbosity
from hypothesis import strategies as st

from scripts.world import (
    ANY_PAYOUT,
    NO_DEADLINE,
    DAY,
    FINANCED,
    MICRO,
    PARTLY_CLAIMED,
    SETTLED,
    Reject,
    Role,
    Status,
    fingerprint_of,
    invoice_fingerprint,
)

EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "50"))
STEPS = int(os.environ.get("STATEFUL_STEPS", "20"))
FULL_CHECK = os.environ.get("STATEFUL_FULL_CHECK", "") not in ("", "0")
VERBOSE = os.environ.get("STATEFUL_VERBOSE", "") not in ("", "0")

RESERVE = 8  # piece flag: the holder's unfinanced rest of a financed piece (never refinanced)
WRITTEN_OFF = 16  # piece flag: a financed piece of a defaulted obligation its lender wrote off
MIN_PIECE_DIVISOR = 16_384  # a split leaves no piece below 1/16,384 of the obligation
BPS = 10_000
BEST_RATING = 10
UINT64_MAX = 2**64 - 1
ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
SCALES = {1: 1, 2: 10**12}
# Terms of a second, partial-advance programme (other_lender), so reserve pieces, lower ratings,
# a shorter tenor and scarce liquidity all occur: limit, advance, base, tenor, spread, min rating,
# max rating age (days).
PARTIAL_TERMS = (100_000 * MICRO, 8_000, 300, 120, 50, 1, 365)
PARTIAL_LIQUIDITY = 50_000 * MICRO
# Obligations every run starts from (registered once, before the snapshot): name, seller, buyer,
# amount, currency, days to due date, buyer's review, splits (parent piece, holder, recipient, amount).
BASELINE = [
    ("A", "supplier", "core_firm", 120_000 * MICRO, 1, 90, "confirm",
     [(0, "supplier", "tier2", 30_000 * MICRO), (0, "supplier", "tier3", 10_000 * MICRO), (1, "tier2", "tier3", 5_000 * MICRO)]),
    ("B", "tier2", "other_buyer", 80_000 * MICRO, 2, 40, "confirm", []),
    ("C", "supplier", "other_buyer", 50_000 * MICRO, 1, 150, None, []),
    ("D", "tier3", "core_firm", 1_001, 1, 8, "confirm", [(0, "tier3", "tier2", 1), (0, "tier3", "supplier", 333)]),
    ("E", "supplier", "core_firm", 200_000 * MICRO, 2, 25, "confirm", [(0, "supplier", "tier2", 77_777_777)]),
    ("F", "tier2", "core_firm", 90_000 * MICRO, 1, 170, "confirm", [(0, "tier2", "supplier", 45_000 * MICRO)]),
    ("G", "supplier", "core_firm", 160_000 * MICRO, 1, 60, "confirm", []),  # over other_lender's limit
    ("H", "tier3", "other_buyer", 70_000 * MICRO, 2, 30, "dispute", []),
]
# Time-dependent outcomes closer than this to their threshold may go either way.
TIME_MARGIN = 600


def err(name, *args):
    """The revert message Brownie decodes from custom error `name(args)`."""

    def fmt(value):
        if isinstance(value, (bytes, bytearray)):
            return str(bytes(value))
        if hasattr(value, "address"):
            return str(value.address).lower()
        if isinstance(value, str):
            return value.lower()
        return str(int(value))

    return f"{name}: {', '.join(fmt(arg) for arg in args)}"


def b32(value):
    return bytes(HexBytes(value))


@dataclass
class Piece:
    holder: str
    amount: int
    parent: int
    flags: int = 0
    claimed: int = 0  # total the holders of this piece collected


@dataclass
class Obligation:
    fp: bytes
    key: bytes
    seller: str
    buyer: str
    amount: int
    currency: int
    due: int
    doc: bytes
    status: int = Status.REGISTERED
    repaid: int = 0
    pieces: list = field(default_factory=list)


STATS = Counter()  # outcome counts and timings over the whole test
RUN_LENGTHS = []  # steps of each run


class PlatformMachine:
    stats, run_lengths = STATS, RUN_LENGTHS

    st_pick = st.integers(min_value=0, max_value=2**16 - 1)
    st_roll = st.integers(min_value=0, max_value=99)
    st_bool = st.booleans()
    st_amount = st.one_of(
        st.integers(min_value=1, max_value=10_000),
        st.integers(min_value=10_000, max_value=300_000 * MICRO),
    )
    st_currency = st.sampled_from([1, 2])
    st_due_days = st.one_of(st.integers(min_value=1, max_value=10), st.integers(min_value=1, max_value=200))
    st_sleep = st.one_of(
        st.integers(min_value=3_600, max_value=5 * DAY),
        st.integers(min_value=5 * DAY, max_value=90 * DAY),
    )
    st_bps = st.integers(min_value=0, max_value=BPS)
    st_amount_mode = st.sampled_from(["part"] * 6 + ["zero", "all", "over", "one"])
    st_mutation = st.sampled_from(
        ["ok"] * 12
        + ["zero_amount", "past_due", "future_issue", "bad_currency", "buyer_not_core",
           "sender_not_supplier", "zero_doc", "zero_key"] + ["batch"] * 3
    )
    st_repay_mode = st.sampled_from(["part"] * 4 + ["all"] * 3 + ["zero", "over", "one"])

    # ------------------------------------------------------------------ set-up

    def __init__(cls, scf, usdc, eurt, parties, outsider):
        """Runs once (as a class method): adds a partial-advance programme and reads the baseline
        the model starts from. Brownie snapshots the chain after this and reverts to it per run."""
        cls.scf, cls.tokens = scf, {1: usdc, 2: eurt}
        cls.admin = parties["admin"]
        cls.suppliers = [str(parties[n]) for n in ("supplier", "tier2", "tier3")]
        cls.buyers = [str(parties[n]) for n in ("core_firm", "other_buyer")]
        cls.lenders = [str(parties[n]) for n in ("lender", "other_lender")]
        cls.outsider = str(outsider)
        cls.accounts = {str(a): a for a in list(parties.values()) + [outsider]}
        cls.kyc_targets = cls.suppliers + cls.buyers + cls.lenders

        other_lender = parties["other_lender"]
        for buyer, currency in ((parties["core_firm"], 1), (parties["other_buyer"], 2)):
            if scf.programme(other_lender, buyer, currency)["limit"] == 0:  # not set by an earlier round
                scf.setProgrammeTerms(buyer, currency, PARTIAL_TERMS, {"from": other_lender})
                scf.fundProgramme(buyer, currency, PARTIAL_LIQUIDITY, {"from": other_lender})

        now = chain.time()
        baseline_fps = {}
        for name, seller, buyer, amount, currency, due_days, review, splits in BASELINE:
            key = fingerprint_of("stateful-baseline", name)
            fp = baseline_fps[name] = b32(invoice_fingerprint(scf.participant(parties[seller])["id"], key))
            if scf.invoice(fp)["status"] != Status.NONE:  # registered by an earlier round
                continue
            scf.registerInvoice(key, fingerprint_of("docs", "stateful-baseline", name), ZERO32, parties[buyer],
                                amount, currency, now - DAY, now + due_days * DAY, {"from": parties[seller]})
            if review == "confirm":
                scf.confirmInvoice(fp, {"from": parties[buyer]})
            elif review == "dispute":
                scf.disputeInvoice(fp, fingerprint_of("dispute", name), {"from": parties[buyer]})
            for parent, holder, recipient, part in splits:
                scf.splitPiece(fp, parent, parties[recipient], part, {"from": parties[holder]})
        cls.base_obs = {}
        for name, *_ in BASELINE:
            fp, doc = baseline_fps[name], b32(fingerprint_of("docs", "stateful-baseline", name))
            record = scf.invoice(fp)
            assert b32(scf.invoiceOfDocument(doc)) == fp
            ob = Obligation(fp=fp, key=b32(fingerprint_of("stateful-baseline", name)),
                            seller=scf.accountOf(record["sellerId"]), buyer=scf.accountOf(record["buyerId"]),
                            amount=record["amount"], currency=record["currency"], due=record["dueDate"],
                            doc=doc, status=record["status"], repaid=record["repaid"])
            for index in range(record["pieceCount"]):
                stored = scf.piece(fp, index)
                ob.pieces.append(Piece(stored["holder"], stored["amount"], stored["parent"], stored["flags"]))
            assert ob.repaid == 0 and all(p.flags == 0 for p in ob.pieces)
            cls.base_obs[fp] = ob

        cls.base_participants = {}
        for address in cls.accounts:
            record = scf.participant(address)
            cls.base_participants[address] = {
                "role": int(record["role"]),
                "kyc": int(record["kycExpiresAt"]),
                "rating": int(record["rating"]),
                "ratedAt": int(record["ratedAt"]),
                "id": int(record["id"]),
            }
        cls.renewed_kyc = min(cls.base_participants[a]["kyc"] for a in cls.kyc_targets)
        # A second admin, so the admins can act on each other's records as well as their own.
        cls.founding_admin, cls.deputy = str(cls.admin), str(accounts[10])
        if scf.participant(cls.deputy)["role"] == Role.NONE:  # not registered by an earlier round
            scf.registerParticipant(cls.deputy, Role.ADMIN, fingerprint_of("stateful-deputy"), cls.renewed_kyc,
                                    {"from": cls.admin})
        record = scf.participant(cls.deputy)
        cls.base_participants[cls.deputy] = {"role": int(record["role"]), "kyc": int(record["kycExpiresAt"]),
                                             "rating": 0, "ratedAt": 0, "id": int(record["id"])}
        cls.admins = [cls.founding_admin, cls.deputy]
        cls.time_horizon = cls.renewed_kyc - 3 * DAY
        cls.grace, cls.default_period = (int(x) for x in scf.periods())

        cls.base_books = {}
        for lender in cls.lenders:
            for buyer in cls.buyers:
                for currency in (1, 2):
                    book = scf.programme(lender, buyer, currency)
                    if int(book["limit"]) == 0:
                        continue
                    cls.base_books[(lender, buyer, currency)] = {
                        k: int(book[k])
                        for k in ("limit", "exposure", "liquidity", "advanceRateBps", "baseRateBps",
                                  "maxTenorDays", "ratingSpreadBps", "minRating", "maxRatingAgeDays")
                    }
        assert len(cls.base_books) == 6

        cls.holders = list(cls.accounts) + [scf.address]
        cls.base_balances = {c: {a: int(t.balanceOf(a)) for a in cls.holders} for c, t in cls.tokens.items()}
        cls.supply = {c: int(t.totalSupply()) for c, t in cls.tokens.items()}
        for currency in (1, 2):
            assert sum(cls.base_balances[currency].values()) == cls.supply[currency]
        cls.registered_topic = scf.topics["InvoiceRegistered"]

    def setup(self):
        self.people = copy.deepcopy(self.base_participants)
        self.books = copy.deepcopy(self.base_books)
        self.balances = copy.deepcopy(self.base_balances)
        self.obs = copy.deepcopy(self.base_obs)  # fingerprint -> Obligation, in registration order
        self.documents = {ob.doc: fp for fp, ob in self.obs.items()}  # document hash -> the invoice it backs
        self.ghosts = set()  # fingerprints tried but never registered
        self.ghost_docs = set()  # document hashes tried but never registered
        self.serial = 0
        self.dirty_obs, self.dirty_books, self.dirty_accounts, self.dirty_docs = set(), set(), set(), set()
        self.check_registrations = False
        self.stats["runs"] += 1
        self.checks_this_run = 0

    def teardown(self):
        # Hypothesis checks the invariants once before the first step, then after every step.
        steps = max(self.checks_this_run - 1, 0)
        self.stats["steps"] += steps
        self.run_lengths.append(steps)
        started = time.perf_counter()
        self._verify(full=True)
        self.stats["ms_full_sweeps"] += int((time.perf_counter() - started) * 1000)

    # ------------------------------------------------------------------ model helpers

    def _acct(self, address):
        return self.accounts[address]

    def _role(self, address):
        return self.people.get(address, {}).get("role", Role.NONE)

    def _kyc(self, address):
        return self.people.get(address, {}).get("kyc", 0)

    def _current(self, address, at):
        return self._kyc(address) > at

    def _require_current(self, address, role, at):
        if self._role(address) != role:
            return err("ParticipantRoleRequired", address, role, self._role(address))
        if not self._current(address, at):
            return err("ParticipantKycExpired", address, self._kyc(address))
        return None

    def _fresh_fp(self, *parts):
        self.serial += 1
        return b32(fingerprint_of("stateful", self.serial, *parts))

    def _fresh_key(self, *parts):
        self.serial += 1
        return b32(fingerprint_of("stateful-key", self.serial, *parts))

    def _fresh_doc(self):
        self.serial += 1
        return b32(fingerprint_of("docs", "stateful", self.serial))

    def _supporting(self):
        """Supporting documents' hash: often none, else one that other invoices share (allowed)."""
        return ZERO32 if self.serial % 3 == 0 else b32(fingerprint_of("purchase order", self.serial % 4))

    def _fp(self, seller, key):
        """The fingerprint the contract stores `seller`'s invoice `key` under."""
        return b32(invoice_fingerprint(self.people.get(seller, {}).get("id", 0), key))

    def _pick(self, items, index):
        return items[index % len(items)] if items else None

    def _all_pieces(self, predicate=lambda ob, idx, piece: True):
        return [(ob, idx) for ob in self.obs.values() for idx, piece in enumerate(ob.pieces) if predicate(ob, idx, piece)]

    def _pick_piece(self, pick, roll, predicate, bias=80):
        """A (obligation, index) pair: usually one matching `predicate`, sometimes any piece, and
        now and then a piece index past the end or of an unknown fingerprint."""
        if roll >= 97 or not self.obs:
            fp = self._ghost()
            return fp, None, pick % 3
        if roll >= 93:
            ob = self._pick(list(self.obs.values()), pick)
            return ob.fp, ob, len(ob.pieces)
        candidates = self._all_pieces(predicate) if roll < bias else []
        if not candidates:
            candidates = self._all_pieces()
        ob, idx = self._pick(candidates, pick)
        return ob.fp, ob, idx

    def _pick_obligation(self, pick, roll, predicate, bias=85):
        if roll >= 97 or not self.obs:
            return self._ghost(), None
        candidates = [ob for ob in self.obs.values() if predicate(ob)] if roll < bias else []
        if not candidates:
            candidates = list(self.obs.values())
        ob = self._pick(candidates, pick)
        return ob.fp, ob

    def _ghost(self):
        fp = self._fresh_fp("never-registered")
        self.ghosts.add(fp)
        return fp

    def _move_tokens(self, currency, source, target, micro):
        amount = micro * SCALES[currency]
        self.balances[currency][source] -= amount
        self.balances[currency][target] += amount
        self.dirty_accounts.update({(currency, source), (currency, target)})

    def _entitlement(self, ob, piece):
        """What the contract pays the piece's holder now, and whether that settles the piece."""
        if piece.flags & SETTLED:
            return 0, False
        if ob.repaid == ob.amount:
            return piece.amount - piece.claimed, True
        return piece.amount * ob.repaid // ob.amount - piece.claimed, False

    def _send(self, expected, function, *args):
        """Sends the transaction; `expected` is None for success, else the exact revert message."""
        if expected is None:
            return function(*args)
        with brownie.reverts(expected):
            function(*args)
        self.stats["reverts"] += 1
        self.stats["revert:" + expected.split(":")[0]] += 1
        return None

    # ------------------------------------------------------------------ registration

    def _register_error(self, sender, registration, at):
        """registerInvoice's checks, in the contract's order: the seller, then the invoice."""
        return self._require_current(sender, Role.SUPPLIER, at) or self._registration_error(sender, registration, at)

    def _registration_error(self, sender, registration, at, pending=None):
        """The error `_register` raises for `sender`'s registration at block time `at`, or None;
        `pending` maps the documents registered earlier in the same batch to their fingerprints."""
        key, doc, _, buyer, amount, currency, issue, due = registration
        pending = pending or {}
        if key == ZERO32 or doc == ZERO32:
            return err("InvoiceMissingHash", key, doc)
        if amount == 0:
            return err("InvoiceInvalidAmount", amount)
        if issue > at or due <= at:
            return err("InvoiceInvalidDates", issue, due)
        error = self._require_current(buyer, Role.CORE_FIRM, at)
        if error:
            return error
        if currency not in (1, 2):
            return err("ConfigUnknownCurrency", currency)
        fp = self._fp(sender, key)
        if fp in self.obs or fp in pending.values():
            return err("InvoiceAlreadyRegistered", fp)
        backed = self.documents.get(doc) or pending.get(doc)
        if backed:
            return err("InvoiceDocumentAlreadyUsed", doc, backed)
        return None

    def _batch_error(self, sender, registrations, at):
        """registerInvoices' checks: the seller once, then each invoice in order."""
        expected = self._require_current(sender, Role.SUPPLIER, at)
        pending = {}
        for registration in registrations:
            if expected:
                break
            expected = self._registration_error(sender, registration, at, pending)
            pending[registration[1]] = self._fp(sender, registration[0])
        return expected

    def _registration(self, seller, buyer, amount, currency, due_days, mutation="ok"):
        now = chain.time()
        issue, due = now - DAY, now + due_days * DAY
        doc = self._fresh_doc()
        if mutation == "zero_amount":
            amount = 0
        elif mutation == "past_due":
            due = now - DAY
        elif mutation == "future_issue":
            issue = now + DAY
        elif mutation == "bad_currency":
            currency = 3
        elif mutation == "buyer_not_core":
            buyer = self.suppliers[1] if seller != self.suppliers[1] else self.lenders[0]
        elif mutation == "zero_doc":
            doc = ZERO32
        key = ZERO32 if mutation == "zero_key" else self._fresh_key(seller, buyer, amount, issue)
        return (key, doc, self._supporting(), buyer, amount, currency, issue, due)

    def _note_attempt(self, sender, registrations):
        """Fingerprints and documents an attempt may leave behind: none unless it succeeds."""
        for key, doc, *_ in registrations:
            fp = self._fp(sender, key)
            if key != ZERO32 and fp not in self.obs:
                self.ghosts.add(fp)
            if doc != ZERO32 and doc not in self.documents:
                self.ghost_docs.add(doc)

    def _send_registration(self, expected, sender, registrations, batch):
        """Sends the registration(s); records them on success, else marks what they touched."""
        self._note_attempt(sender, registrations)
        if batch:
            tx = self._send(expected, self.scf.registerInvoices, registrations, {"from": self._acct(sender)})
        else:
            tx = self._send(expected, self.scf.registerInvoice, *registrations[0], {"from": self._acct(sender)})
        if tx is not None:
            self._record_registration(tx, sender, registrations)
            return tx
        for reason in ("InvoiceAlreadyRegistered", "InvoiceDocumentAlreadyUsed"):
            if expected.startswith(reason):
                self.stats["refused:" + reason] += 1
        for key, doc, *_ in registrations:
            for fp in (self._fp(sender, key), self.documents.get(doc)):
                if fp in self.obs:
                    self.dirty_obs.add(fp)
                    self.dirty_docs.add(fp)
        self.check_registrations = True
        return None

    def _record_registration(self, tx, sender, registrations):
        events = tx.events["InvoiceRegistered"]
        assert len(events) == len(registrations)
        for event, (key, doc, supporting, buyer, amount, currency, issue, due) in zip(events, registrations):
            fp = self._fp(sender, key)
            assert b32(event["fingerprint"]) == fp and b32(event["invoiceKey"]) == key
            assert b32(event["documentHash"]) == doc and b32(event["supportingDocumentsHash"]) == supporting
            assert event["seller"] == sender and event["buyer"] == buyer
            assert (event["amount"], event["currency"], event["issueDate"], event["dueDate"]) == (
                amount, currency, issue, due)
            ob = Obligation(fp=fp, key=key, seller=sender, buyer=buyer, amount=amount, currency=currency, due=due,
                            doc=doc)
            ob.pieces.append(Piece(holder=sender, amount=amount, parent=0))
            self.obs[fp] = ob
            self.documents[doc] = fp
            self.ghosts.discard(fp)
            self.ghost_docs.discard(doc)
            self.dirty_obs.add(fp)
            self.dirty_docs.add(fp)
            if any(o.key == key and o.seller != sender for o in self.obs.values()):
                self.stats["key_shared_by_sellers"] += 1
        self.check_registrations = True
        self.stats["registered"] += len(registrations)

    def rule_register(self, seller="st_pick", buyer="st_pick", amount="st_amount", currency="st_currency",
                      due_days="st_due_days", mutation="st_mutation"):
        if mutation == "batch":
            modes = ["fresh", "internal_key", "existing_key", "internal_doc", "existing_doc"]
            return self._register_batch(seller, buyer, amount, due_days, modes[due_days % len(modes)])
        sender = self.suppliers[seller % 3]
        if mutation == "sender_not_supplier":
            sender = (self.buyers + [self.outsider, self.lenders[0]])[seller % 4]
        registration = self._registration(sender, self.buyers[buyer % 2], amount, currency, due_days, mutation)
        expected = self._register_error(sender, registration, chain.time())
        self._send_registration(expected, sender, [registration], batch=False)

    def rule_register_reused(self, which="st_pick", seller="st_pick", buyer="st_pick", amount="st_amount",
                             reuse="st_pick", batch="st_bool"):
        """Registers, from any supplier, with the key or the document (or both) of a registered
        invoice, with other buyer and amount, alone or after a valid invoice in a batch. The
        invoice's own seller reusing its key, or anyone reusing its document, must revert whole;
        another seller using the same key with a fresh document registers a new invoice."""
        if not self.obs:
            return self.rule_register(seller, buyer, amount, 1, 30, "ok")
        ob = self._pick(list(self.obs.values()), which)
        sender = self.suppliers[seller % 3]
        if reuse % 4 == 3:  # another seller's key with a fresh document: the reuse that must succeed
            others = [s for s in self.suppliers if s != ob.seller]
            sender = others[seller % len(others)]
        now = chain.time()
        reused_key, reused_doc = [(True, False), (False, True), (True, True), (True, False)][reuse % 4]
        registration = (ob.key if reused_key else self._fresh_key(sender), ob.doc if reused_doc else self._fresh_doc(),
                        self._supporting(), self.buyers[buyer % 2], amount, 1 + (seller % 2), now - DAY, now + 30 * DAY)
        if batch:
            fresh = self._registration(sender, self.buyers[(buyer + 1) % 2], amount, 2, 20)
            registrations = [fresh, registration]
        else:
            registrations = [registration]
        expected = self._batch_error(sender, registrations, now)
        if sender == ob.seller and reused_key or reused_doc:
            assert expected is not None
        self.dirty_obs.add(ob.fp)
        self.dirty_docs.add(ob.fp)
        self._send_registration(expected, sender, registrations, batch)

    def _register_batch(self, seller, buyer, amount, size, mode):
        """registerInvoices: fresh invoices, or with a key or a document twice in the batch, or
        with one registered before; a key the sender used before, or any document used before,
        reverts the whole batch."""
        sender = self.suppliers[seller % 3]
        regs = [
            self._registration(sender, self.buyers[(buyer + i) % 2], max(1, amount // (i + 1)), 1 + i % 2, 3 + 20 * i)
            for i in range(1 + size % 3)
        ]
        first = regs[0]
        if mode == "internal_key":
            regs.append((first[0], self._fresh_doc()) + first[2:4] + (first[4] + 1,) + first[5:])
        elif mode == "internal_doc":
            regs.append((self._fresh_key(sender), first[1]) + first[2:])
        elif mode in ("existing_key", "existing_doc") and self.obs:
            ob = self._pick(list(self.obs.values()), size)
            if mode == "existing_key":
                reused = (ob.key, self._fresh_doc()) + first[2:]
            else:
                reused = (self._fresh_key(sender), ob.doc) + first[2:]
            regs.insert(size % (len(regs) + 1), reused)
        expected = self._batch_error(sender, regs, chain.time())
        self._send_registration(expected, sender, regs, batch=True)

    # ------------------------------------------------------------------ confirmation and dispute

    def rule_review(self, which="st_pick", roll="st_roll", dispute="st_bool"):
        fp, ob = self._pick_obligation(which, roll, lambda o: o.status == Status.REGISTERED)
        caller_roll = (which * 7 + roll) % 100
        if ob is None or caller_roll >= 90:
            caller = (self.buyers + [self.suppliers[0], self.outsider])[which % 4]
        elif caller_roll < 80:
            caller = ob.buyer
        else:
            caller = [b for b in self.buyers if b != ob.buyer][0]
        expected = self._require_current(caller, Role.CORE_FIRM, chain.time())
        if expected is None:
            if ob is None:
                expected = err("InvoiceUnknown", fp)
            elif caller != ob.buyer:
                expected = err("InvoiceNotBuyer", fp, caller)
            elif ob.status != Status.REGISTERED:
                expected = err("InvoiceWrongStatus", fp, ob.status)
        if dispute:
            reason = b32(fingerprint_of("dispute", self.serial))
            tx = self._send(expected, self.scf.disputeInvoice, fp, reason, {"from": self._acct(caller)})
        else:
            tx = self._send(expected, self.scf.confirmInvoice, fp, {"from": self._acct(caller)})
        if tx is not None:
            name = "InvoiceDisputed" if dispute else "InvoiceConfirmed"
            event = tx.events[name]
            assert b32(event["fingerprint"]) == fp and event["buyer"] == caller
            ob.status = Status.DISPUTED if dispute else Status.CONFIRMED
            self.stats["disputed" if dispute else "confirmed"] += 1
        if ob is not None:
            self.dirty_obs.add(fp)

    # ------------------------------------------------------------------ splitting and transfer

    def _movable(self, ob, idx, piece):
        return ob.status == Status.CONFIRMED and piece.flags == 0 and self._role(piece.holder) == Role.SUPPLIER

    def _move_error(self, fp, ob, idx, sender, to, at):
        error = self._require_current(sender, Role.SUPPLIER, at)
        if error:
            return error
        if ob is None:
            return err("InvoiceUnknown", fp)
        if ob.status != Status.CONFIRMED:
            return err("InvoiceWrongStatus", fp, ob.status)
        if idx >= len(ob.pieces):
            return err("PieceUnknown", fp, idx)
        piece = ob.pieces[idx]
        if piece.holder != sender:
            return err("PieceNotHolder", fp, idx, sender)
        if piece.flags != 0:
            return err("PieceLocked", fp, idx, piece.flags)
        if to == sender or self._role(to) != Role.SUPPLIER or not self._current(to, at):
            return err("PieceInvalidRecipient", to)
        return None

    def _mover(self, ob, idx, roll, pick):
        if ob is not None and idx < len(ob.pieces) and roll < 88:
            return ob.pieces[idx].holder
        return (self.suppliers + [self.outsider, self.buyers[0]])[pick % 5]

    def _recipient(self, sender, pick, roll):
        if roll >= 92:
            return (self.lenders + self.buyers + [self.outsider, sender])[pick % 6]
        others = [s for s in self.suppliers if s != sender] or self.suppliers
        return others[pick % len(others)]

    def rule_split(self, which="st_pick", roll="st_roll", to="st_pick", mode="st_amount_mode", bps="st_bps"):
        fp, ob, idx = self._pick_piece(which, roll, self._movable)
        sender = self._mover(ob, idx, (roll * 13 + to) % 100, which)
        recipient = self._recipient(sender, to, (roll * 7 + which) % 100)
        face = ob.pieces[idx].amount if ob is not None and idx < len(ob.pieces) else 1_000
        amount = {"part": face * bps // BPS, "zero": 0, "all": face, "over": min(face + 1, UINT64_MAX), "one": 1}[mode]
        at = chain.time()
        expected = self._move_error(fp, ob, idx, sender, recipient, at)
        if expected is None and (amount == 0 or amount >= face):
            expected = err("PieceInvalidAmount", amount, face)
        minimum = -(-ob.amount // MIN_PIECE_DIVISOR) if ob is not None else 0
        if expected is None and (amount < minimum or face - amount < minimum):
            expected = err("PieceBelowMinimum", amount, minimum)
        tx = self._send(expected, self.scf.splitPiece, fp, idx, recipient, amount, {"from": self._acct(sender)})
        if tx is not None:
            new_index = len(ob.pieces)
            event = tx.events["PieceSplit"]
            assert (b32(event["fingerprint"]), event["parent"], event["piece"], event["to"], event["amount"]) == (
                fp, idx, new_index, recipient, amount)
            ob.pieces[idx].amount -= amount
            ob.pieces.append(Piece(holder=recipient, amount=amount, parent=idx))
            self.stats["split"] += 1
        if ob is not None:
            self.dirty_obs.add(fp)

    def rule_transfer(self, which="st_pick", roll="st_roll", to="st_pick"):
        fp, ob, idx = self._pick_piece(which, roll, self._movable)
        sender = self._mover(ob, idx, (roll * 13 + to) % 100, which)
        recipient = self._recipient(sender, to, (roll * 7 + which) % 100)
        expected = self._move_error(fp, ob, idx, sender, recipient, chain.time())
        tx = self._send(expected, self.scf.transferPiece, fp, idx, recipient, {"from": self._acct(sender)})
        if tx is not None:
            event = tx.events["PieceTransferred"]
            assert (b32(event["fingerprint"]), event["piece"], event["from"], event["to"]) == (fp, idx, sender, recipient)
            ob.pieces[idx].holder = recipient
            self.stats["transferred"] += 1
        if ob is not None:
            self.dirty_obs.add(fp)

    # ------------------------------------------------------------------ financing

    def _decide(self, ob, piece, holder, lender, at, min_payout, deadline):
        """The contract's decision at block time `at`: (reason, advance, discount, tenor days)."""
        if at > deadline:
            return Reject.QUOTE_EXPIRED, 0, 0, 0
        book = self.books.get((lender, ob.buyer, ob.currency))
        if book is None or book["limit"] == 0:
            return Reject.NO_PROGRAMME, 0, 0, 0
        if self._role(holder) != Role.SUPPLIER:
            return Reject.HOLDER_NOT_SUPPLIER, 0, 0, 0
        if not self._current(holder, at):
            return Reject.HOLDER_KYC_EXPIRED, 0, 0, 0
        if self._role(lender) != Role.LENDER:
            return Reject.LENDER_NOT_LENDER, 0, 0, 0
        if not self._current(lender, at):
            return Reject.LENDER_KYC_EXPIRED, 0, 0, 0
        if self._role(ob.buyer) != Role.CORE_FIRM or not self._current(ob.buyer, at):
            return Reject.OBLIGOR_KYC_EXPIRED, 0, 0, 0
        if ob.status == Status.REGISTERED:
            return Reject.NOT_CONFIRMED, 0, 0, 0
        if ob.status == Status.DISPUTED:
            return Reject.DISPUTED, 0, 0, 0
        if ob.status == Status.REPAID or ob.repaid != 0:
            return Reject.SETTLED, 0, 0, 0
        if ob.status in (Status.OVERDUE, Status.DEFAULTED) or at >= ob.due:
            return Reject.OVERDUE, 0, 0, 0
        if piece.flags & (FINANCED | RESERVE):
            return Reject.ALREADY_FINANCED, 0, 0, 0
        if piece.flags != 0:
            return Reject.SETTLED, 0, 0, 0
        tenor = (ob.due - at + DAY - 1) // DAY
        if tenor > book["maxTenorDays"]:
            return Reject.TENOR_TOO_LONG, 0, 0, tenor
        rating = self.people[holder]["rating"]
        if rating == 0 or rating < book["minRating"]:
            return Reject.RATING_TOO_LOW, 0, 0, tenor
        if at - self.people[holder]["ratedAt"] > book["maxRatingAgeDays"] * DAY:
            return Reject.RATING_STALE, 0, 0, tenor
        advance = piece.amount * book["advanceRateBps"] // BPS
        if advance == 0:
            return Reject.ADVANCE_TOO_SMALL, 0, 0, tenor
        if book["exposure"] + advance > book["limit"]:
            return Reject.OVER_LIMIT, advance, 0, tenor
        rate = book["baseRateBps"] + book["ratingSpreadBps"] * (BEST_RATING - rating)
        discount = advance * rate * tenor // (BPS * 365)
        if advance - discount < min_payout:
            return Reject.PAYOUT_BELOW_MINIMUM, advance, discount, tenor
        if advance - discount > book["liquidity"]:
            return Reject.INSUFFICIENT_LIQUIDITY, advance, discount, tenor
        return Reject.NONE, advance, discount, tenor

    def _price_bound(self, bound, roll):
        """The holder's bound: mostly none; sometimes a deadline already past (or far off), or a
        minimum payout of some fraction of the piece, which the quote may or may not meet."""
        if bound % 10 == 0:
            return ANY_PAYOUT, chain.time() - 1 - roll
        if bound % 10 in (1, 2):
            return roll * 10**6, chain.time() + DAY
        return ANY_PAYOUT, NO_DEADLINE

    def rule_finance(self, which="st_pick", roll="st_roll", lender="st_pick"):
        def eligible(ob, idx, piece):
            return ob.status == Status.CONFIRMED and piece.flags == 0 and ob.repaid == 0

        fp, ob, idx = self._pick_piece(which, roll, eligible, bias=75)
        if ob is not None and idx < len(ob.pieces) and (roll * 11 + lender) % 100 < 90:
            sender = ob.pieces[idx].holder
        else:
            sender = (self.suppliers + [self.outsider, self.lenders[0]])[which % 5]
        lender_address = ([self.lenders[0]] * 4 + [self.lenders[1]] * 3 + [self.buyers[0]])[lender % 8]
        if ob is None or idx >= len(ob.pieces):
            expected = err("PieceUnknown", fp, idx)
        elif ob.pieces[idx].holder != sender:
            expected = err("PieceNotHolder", fp, idx, sender)
        else:
            expected = None
        min_payout, deadline = self._price_bound(which + lender, roll)
        tx = self._send(expected, self.scf.requestFinancing, fp, idx, lender_address, min_payout, deadline,
                        {"from": self._acct(sender)})
        if tx is None:
            if ob is not None:
                self.dirty_obs.add(fp)
            return
        piece = ob.pieces[idx]
        reason, advance, discount, tenor = self._decide(ob, piece, sender, lender_address, tx.timestamp, min_payout,
                                                        deadline)
        self.stats[f"finance_{Reject(reason).name.lower()}"] += 1
        if reason != Reject.NONE:
            assert "FinancingApproved" not in tx.events
            event = tx.events["FinancingRejected"]
            assert (b32(event["fingerprint"]), event["piece"], event["lender"], event["holder"], event["reason"]) == (
                fp, idx, lender_address, sender, reason), (dict(event), reason)
            return
        assert "FinancingRejected" not in tx.events, dict(tx.events["FinancingRejected"])
        reserve = len(ob.pieces) if advance < piece.amount else 0
        event = tx.events["FinancingApproved"]
        assert (b32(event["fingerprint"]), event["piece"], event["lender"], event["holder"]) == (
            fp, idx, lender_address, sender)
        assert (event["advance"], event["discount"], event["tenorDays"], event["rating"], event["reservePiece"]) == (
            advance, discount, tenor, self.people[sender]["rating"], reserve), (dict(event), advance, discount, tenor)
        book_key = (lender_address, ob.buyer, ob.currency)
        book = self.books[book_key]
        payout = advance - discount
        book["exposure"] += advance
        book["liquidity"] -= payout
        if reserve:
            ob.pieces.append(Piece(holder=sender, amount=piece.amount - advance, parent=idx, flags=RESERVE))
            piece.amount = advance
        piece.holder, piece.flags = lender_address, FINANCED
        self._move_tokens(ob.currency, self.scf.address, sender, payout)
        self.dirty_obs.add(fp)
        self.dirty_books.add(book_key)

    def rule_liquidity(self, lender="st_pick", buyer="st_pick", currency="st_currency", withdraw="st_bool",
                       mode="st_amount_mode", bps="st_bps"):
        sender = (self.lenders * 4 + [self.suppliers[0]])[lender % 9]
        core = (self.buyers * 6 + [self.suppliers[1]])[buyer % 13]
        key = (sender, core, currency)
        book = self.books.get(key, {"liquidity": 0, "advanceRateBps": 0})
        base = book["liquidity"] if withdraw else 200_000 * MICRO
        amount = {"part": base * bps // BPS, "zero": 0, "all": base, "over": base + 1, "one": 1}[mode]
        if withdraw:
            # No role or KYC check: a lender (even suspended) withdraws from its own book only.
            expected = None
            if amount == 0 or amount > book["liquidity"]:
                expected = err("CreditInvalidLiquidity", amount, book["liquidity"])
        else:
            at = chain.time()
            expected = self._require_current(sender, Role.LENDER, at)
            if expected is None and (self._role(core) != Role.CORE_FIRM or not self._current(core, at)):
                expected = err("CreditInvalidParty", core)  # no new money for a suspended obligor
            if expected is None and (book["advanceRateBps"] == 0 or amount == 0):
                expected = err("CreditInvalidLiquidity", amount, book["liquidity"])
        function = self.scf.defundProgramme if withdraw else self.scf.fundProgramme
        tx = self._send(expected, function, core, currency, amount, {"from": self._acct(sender)})
        if tx is None:
            return
        name = "ProgrammeDefunded" if withdraw else "ProgrammeFunded"
        assert tx.events[name]["amount"] == amount
        book["liquidity"] += -amount if withdraw else amount
        if withdraw:
            self._move_tokens(currency, self.scf.address, sender, amount)
        else:
            self._move_tokens(currency, sender, self.scf.address, amount)
        self.dirty_books.add(key)
        self.stats["defunded" if withdraw else "funded"] += 1

    # ------------------------------------------------------------------ settlement

    def rule_repay(self, which="st_pick", roll="st_roll", mode="st_repay_mode", bps="st_bps", collect="st_bool"):
        """The buyer repays part or all of an obligation (often one it started repaying); with
        `collect`, every holder then claims at once, so pieces see several partial claims."""
        payable = (Status.CONFIRMED, Status.OVERDUE, Status.DEFAULTED)
        started = [o for o in self.obs.values() if o.status in payable and o.repaid]
        if started and roll < 40:
            ob = self._pick(started, which)
            fp = ob.fp
        else:
            fp, ob = self._pick_obligation(which, roll, lambda o: o.status in payable)
        payer_roll = (roll * 17 + which) % 100
        if ob is None or payer_roll >= 92:
            payer = (self.buyers + [self.suppliers[0]])[which % 3]
        elif payer_roll < 84:
            payer = ob.buyer
        else:
            payer = [b for b in self.buyers if b != ob.buyer][0]
        owed = ob.amount - ob.repaid if ob is not None else 1_000
        amount = {"part": owed * bps // BPS, "zero": 0, "all": owed, "over": min(owed + 1, UINT64_MAX), "one": 1}[mode]
        if ob is None:
            expected = err("InvoiceUnknown", fp)
        elif payer != ob.buyer:  # identity only: a buyer with lapsed KYC still repays
            expected = err("InvoiceNotBuyer", fp, payer)
        elif ob.status not in payable:
            expected = err("InvoiceWrongStatus", fp, ob.status)
        elif amount == 0 or amount > owed:
            expected = err("SettlementInvalidAmount", amount, owed)
        else:
            expected = None
        tx = self._send(expected, self.scf.repay, fp, amount, {"from": self._acct(payer)})
        if tx is not None:
            ob.repaid += amount
            event = tx.events["ObligationRepaid"]
            assert (b32(event["fingerprint"]), event["amount"], event["totalRepaid"]) == (fp, amount, ob.repaid)
            if ob.repaid == ob.amount:
                ob.status = Status.REPAID
                self.stats["repaid_full"] += 1
            else:
                self.stats["repaid_part"] += 1
            self._move_tokens(ob.currency, payer, self.scf.address, amount)
            if collect:
                self._claim_all(ob)
        if ob is not None:
            self.dirty_obs.add(fp)

    def rule_claim(self, which="st_pick", roll="st_roll"):
        fp, ob, idx = self._pick_piece(which, roll, lambda o, i, p: self._entitlement(o, p)[0] > 0, bias=85)
        if ob is not None and idx < len(ob.pieces) and roll < 30:
            return self._claim_all(ob)
        if ob is not None and idx < len(ob.pieces) and (roll * 3 + which) % 100 < 90:
            sender = ob.pieces[idx].holder
        else:
            sender = (self.suppliers + self.lenders + [self.outsider])[which % 6]
        self._claim(fp, ob, idx, sender)

    def _claim_all(self, ob):
        """Every holder of the obligation with something to collect claims it, in piece order."""
        for index, piece in enumerate(ob.pieces):
            if self._entitlement(ob, piece)[0] > 0:
                self._claim(ob.fp, ob, index, piece.holder)

    def _claim(self, fp, ob, idx, sender):
        if ob is None or idx >= len(ob.pieces):
            expected = err("PieceUnknown", fp, idx)
        elif ob.pieces[idx].holder != sender:
            expected = err("PieceNotHolder", fp, idx, sender)
        else:
            piece = ob.pieces[idx]
            amount, final = self._entitlement(ob, piece)
            expected = err("SettlementNothingToClaim", fp, idx) if amount == 0 else None
        tx = self._send(expected, self.scf.claim, fp, idx, {"from": self._acct(sender)})
        if tx is not None:
            event = tx.events["PieceClaimed"]
            assert (b32(event["fingerprint"]), event["piece"], event["holder"], event["amount"]) == (fp, idx, sender, amount)
            if piece.flags & (FINANCED | WRITTEN_OFF) == FINANCED:
                key = (sender, ob.buyer, ob.currency)
                self.books[key]["exposure"] -= amount
                self.dirty_books.add(key)
            piece.flags |= SETTLED if final else PARTLY_CLAIMED
            piece.claimed += amount
            self._move_tokens(ob.currency, self.scf.address, sender, amount)
            self.stats["claimed_final" if final else "claimed_part"] += 1
            if ob.repaid == ob.amount and all(p.flags & SETTLED for p in ob.pieces):
                self.stats["obligations_fully_claimed"] += 1
        if ob is not None:
            self.dirty_obs.add(fp)

    def rule_write_off(self, which="st_pick", roll="st_roll"):
        def written_off_able(o, i, p):
            return o.status == Status.DEFAULTED and p.flags & FINANCED and not p.flags & (SETTLED | WRITTEN_OFF)

        fp, ob, idx = self._pick_piece(which, roll, written_off_able, bias=90)
        if ob is not None and idx < len(ob.pieces) and roll < 85:
            sender = ob.pieces[idx].holder
        else:
            sender = (self.suppliers + self.lenders + [self.outsider])[which % 6]
        if ob is None or idx >= len(ob.pieces):
            expected = err("PieceUnknown", fp, idx)
        elif ob.pieces[idx].holder != sender:
            expected = err("PieceNotHolder", fp, idx, sender)
        elif not written_off_able(ob, idx, ob.pieces[idx]):
            expected = err("SettlementCannotWriteOff", fp, idx)
        else:
            expected = None
        tx = self._send(expected, self.scf.writeOff, fp, idx, {"from": self._acct(sender)})
        if tx is not None:
            piece = ob.pieces[idx]
            released = piece.amount - piece.claimed
            event = tx.events["PieceWrittenOff"]
            assert (b32(event["fingerprint"]), event["piece"], event["lender"], event["released"]) == (
                fp, idx, sender, released)
            key = (sender, ob.buyer, ob.currency)
            self.books[key]["exposure"] -= released
            self.dirty_books.add(key)
            piece.flags |= WRITTEN_OFF
            self.stats["written_off"] += 1
        if ob is not None:
            self.dirty_obs.add(fp)

    # Rules the machine should run more often than the others (Hypothesis draws rules uniformly).

    def rule_finance_more(self, which="st_pick", roll="st_roll", lender="st_pick"):
        self.rule_finance(which, roll, lender)

    def rule_repay_more(self, which="st_pick", roll="st_roll", mode="st_repay_mode", bps="st_bps", collect="st_bool"):
        self.rule_repay(which, roll, mode, bps, collect)

    def rule_claim_more(self, which="st_pick", roll="st_roll"):
        self.rule_claim(which, roll)

    def rule_sleep_more(self, seconds="st_sleep"):
        self.rule_sleep(seconds)

    def rule_mark_more(self, which="st_pick", roll="st_roll", default="st_bool"):
        self.rule_mark(which, roll, default)

    def rule_mark(self, which="st_pick", roll="st_roll", default="st_bool"):
        now = chain.time()

        def markable(o):
            if o.status == Status.CONFIRMED:
                return now >= o.due + self.grace
            return o.status == Status.OVERDUE and now >= o.due + self.grace + self.default_period

        due = [o for o in self.obs.values() if markable(o)]
        if due and roll < 70:
            ob = self._pick(due, which)
            fp = ob.fp
        else:  # mostly one not due yet, which must be too early; sometimes any, or an unknown one
            fp, ob = self._pick_obligation(which, roll, lambda o: o.status in (Status.CONFIRMED, Status.OVERDUE))
        if ob is not None and roll < 85:
            default = ob.status == Status.OVERDUE
        caller = self._acct((self.suppliers + self.lenders + [self.outsider])[which % 6])  # anyone may call
        function = self.scf.markDefaulted if default else self.scf.markOverdue
        now = chain.time()
        threshold = None
        if ob is None:
            expected = err("InvoiceUnknown", fp)
        elif ob.status != (Status.OVERDUE if default else Status.CONFIRMED):
            expected = err("InvoiceWrongStatus", fp, ob.status)
        else:
            threshold = ob.due + self.grace + (self.default_period if default else 0)
            expected = err("SettlementTooEarly", fp, threshold) if now < threshold else None
        if threshold is not None and abs(now - threshold) < TIME_MARGIN:
            # Too close to call from the wall clock: accept either outcome, then follow the chain.
            try:
                tx = function(fp, {"from": caller})
            except brownie.exceptions.VirtualMachineError as exc:
                assert exc.revert_msg == err("SettlementTooEarly", fp, threshold)
                tx = None
        else:
            tx = self._send(expected, function, fp, {"from": caller})
        if tx is not None:
            assert tx.timestamp >= threshold
            unpaid = ob.amount - ob.repaid
            if default:
                event = tx.events["RecourseRecorded"]
                assert (b32(event["fingerprint"]), event["seller"], event["unpaid"]) == (fp, ob.seller, unpaid)
                ob.status = Status.DEFAULTED
            else:
                event = tx.events["ObligationOverdue"]
                assert (b32(event["fingerprint"]), event["unpaid"]) == (fp, unpaid)
                ob.status = Status.OVERDUE
            self.stats["defaulted" if default else "overdue"] += 1
        if ob is not None:
            self.dirty_obs.add(fp)

    # ------------------------------------------------------------------ time and KYC

    def rule_sleep(self, seconds="st_sleep"):
        # Keep clear of the participants' KYC expiry: lapses are driven by rule_kyc instead.
        seconds = min(seconds, self.time_horizon - chain.time())
        if seconds > 0:
            chain.sleep(seconds)
            self.stats["slept_days"] += seconds // DAY

    def rule_kyc(self, who="st_pick", roll="st_roll"):
        """Suspends a participant, or renews a suspended one. Claims and repayments must keep
        working for a participant whose KYC lapsed; new business must not."""
        suspended = [a for a in self.kyc_targets if self._kyc(a) == 0]
        if suspended and roll < 60:
            address = self._pick(suspended, who)
            self.scf.renewKyc(address, self.renewed_kyc, {"from": self.admin})
            self.people[address]["kyc"] = self.renewed_kyc
            self.stats["kyc_renewed"] += 1
        else:
            address = self._pick(self.kyc_targets, who)
            self.scf.suspendParticipant(address, {"from": self.admin})
            self.people[address]["kyc"] = 0
            self.stats["kyc_suspended"] += 1

    def rule_admin_records(self, caller="st_pick", whom="st_pick", action="st_roll"):
        """An admin renews (for long or short), suspends, demotes or restores an admin's record,
        its own included. Only the founding admin acting on the deputy may succeed."""
        sender, subject = self._pick(self.admins, caller), self._pick(self.admins, whom)
        at = chain.time()
        kyc = self._kyc(sender)
        if kyc != 0 and abs(kyc - at) < TIME_MARGIN:
            return  # the caller's KYC lapses about now: either outcome is right
        kind = ("renew", "shorten", "suspend", "demote", "restore")[action % 5]
        expiry = {"renew": self.renewed_kyc, "shorten": at + 2 * DAY}.get(kind)
        if kind in ("renew", "shorten"):
            call, args = self.scf.renewKyc, (subject, expiry)
        elif kind == "suspend":
            call, args = self.scf.suspendParticipant, (subject,)
        else:
            call, args = self.scf.changeRole, (subject, Role.SUPPLIER if kind == "demote" else Role.ADMIN)
        expected = self._require_current(sender, Role.ADMIN, at)
        if expected is None and (subject == sender or subject == self.founding_admin):
            expected = err("ParticipantLockout", subject)
        if self._send(expected, call, *args, {"from": self._acct_or_deputy(sender)}) is None:
            return
        record = self.people[subject]
        if kind in ("renew", "shorten"):
            record["kyc"] = expiry
        elif kind == "suspend":
            record["kyc"] = 0
        else:
            record["role"] = Role.SUPPLIER if kind == "demote" else Role.ADMIN
        self.stats[f"admin_{kind}"] += 1

    def _acct_or_deputy(self, address):
        return accounts[10] if address == self.deputy else self._acct(address)

    # ------------------------------------------------------------------ invariants

    def invariant_an_admin_keeps_current_kyc(self):
        """6. At least one admin can act: the platform can always be unpaused and administered."""
        records = self._read([(self.scf.participant, (admin,)) for admin in self.admins])
        now = chain.time()
        assert any(record[0] == Role.ADMIN and record[1] > now for record in records), records
        for admin, record in zip(self.admins, records):
            assert (int(record[0]), int(record[1])) == (self._role(admin), self._kyc(admin)), (admin, record)

    def invariant_platform(self):
        self.checks_this_run += 1
        started = time.perf_counter()
        self._verify(full=FULL_CHECK)
        self.stats["ms_step_checks"] += int((time.perf_counter() - started) * 1000)

    def _read(self, calls):
        """Runs view calls [(contract method, args)] as one JSON-RPC batch: each eth_call costs
        Ganache about 5 ms in a batch and 8 ms alone, and the invariants read a lot."""
        with web3.batch_requests() as batch:
            for method, args in calls:
                batch.add(web3.eth.call({"to": method._address, "data": method.encode_input(*args)}))
            raw = batch.execute()
        return [method.decode_output(data) for (method, _), data in zip(calls, raw)]

    def _verify(self, full):
        scf = self.scf
        obligations = list(self.obs) if full else [fp for fp in self.dirty_obs if fp in self.obs]
        books = list(self.books) if full else list(self.dirty_books)
        accounts = [(c, a) for c in (1, 2) for a in self.holders] if full else sorted(self.dirty_accounts)
        docs = set(self.obs) if full else self.dirty_docs
        self.dirty_obs, self.dirty_books, self.dirty_accounts, self.dirty_docs = set(), set(), set(), set()

        # The model agrees with itself (cheap, every step, everything).
        self._verify_model()

        # 1. One registration per fingerprint, ever.
        if full or self.check_registrations:
            self.check_registrations = False
            logs = web3.eth.get_logs(
                {"address": scf.address, "fromBlock": 0, "toBlock": "latest", "topics": [self.registered_topic]}
            )
            registered = [bytes(log["topics"][1]) for log in logs]
            assert len(registered) == len(set(registered)) == len(self.obs), "a fingerprint registered twice"
            assert set(registered) == set(self.obs)
            # The data's second word is the documentHash (invoiceKey, documentHash, ...).
            documents = [bytes(log["data"][32:64]) for log in logs]
            assert len(set(documents)) == len(documents), "a document backs two invoices"
            assert dict(zip(documents, registered)) == self.documents

        # Everything the chain must agree with, read in one batch.
        calls = []

        def read(method, *args):
            calls.append((method, args))
            return len(calls) - 1

        plan = []
        for fp in obligations:
            ob = self.obs[fp]
            plan.append((
                ob,
                read(scf.invoice, fp),
                read(scf.invoiceOfDocument, ob.doc) if fp in docs else None,
                [read(scf.piece, fp, i) for i in range(len(ob.pieces))],
                [read(scf.claimable, fp, i) for i in range(len(ob.pieces))] if ob.repaid else [],
                read(scf.piece, fp, len(ob.pieces)) if full else None,
            ))
        if FULL_CHECK and full:  # otherwise covered by the event check: nothing else registered
            ghosts = [read(scf.invoice, fp) for fp in self.ghosts - set(self.obs)]
            ghost_docs = [read(scf.invoiceOfDocument, doc) for doc in self.ghost_docs - set(self.documents)]
        else:
            ghosts, ghost_docs = [], []
        book_reads = [(key, read(scf.programme, *key)) for key in books]
        held_reads = {c: read(t.balanceOf, scf.address) for c, t in self.tokens.items()}
        balance_reads = [(c, a, read(self.tokens[c].balanceOf, a)) for c, a in accounts]
        supply_reads = {c: read(t.totalSupply) for c, t in self.tokens.items()} if full else {}
        got = self._read(calls)

        for at in ghosts:
            assert got[at]["status"] == Status.NONE
        for at in ghost_docs:
            assert b32(got[at]) == ZERO32

        # 2 and 5 on chain: each touched obligation, piece by piece.
        for ob, record_at, doc_at, piece_ats, claimable_ats, beyond_at in plan:
            record = got[record_at]
            assert (record["sellerId"], record["buyerId"]) == (self.people[ob.seller]["id"], self.people[ob.buyer]["id"])
            assert (record["amount"], record["repaid"], record["dueDate"], record["currency"]) == (
                ob.amount, ob.repaid, ob.due, ob.currency), (record, ob)
            assert record["status"] == ob.status, (record, ob)
            assert record["pieceCount"] == len(ob.pieces), (record, ob)
            if doc_at is not None:
                assert b32(got[doc_at]) == ob.fp, "a registration attempt changed the document's index"
            total = 0
            for idx, (piece, at) in enumerate(zip(ob.pieces, piece_ats)):
                stored = got[at]
                assert (stored["holder"], stored["amount"], stored["parent"], stored["flags"]) == (
                    piece.holder, piece.amount, piece.parent, piece.flags), (idx, stored, piece)
                assert stored["flags"] != 0 or stored["amount"] >= -(-ob.amount // MIN_PIECE_DIVISOR), (idx, stored)
                total += stored["amount"]
            assert total == record["amount"], f"pieces sum to {total}, not {record['amount']}"
            for idx, (piece, at) in enumerate(zip(ob.pieces, claimable_ats)):
                assert got[at] == self._entitlement(ob, piece)[0], (idx, piece, got[at])
            if beyond_at is not None:
                assert got[beyond_at]["holder"] == ZERO_ADDRESS

        # 3. Programmes: exposure as modelled and within the limit.
        for key, at in book_reads:
            stored, book = got[at], self.books[key]
            assert (stored["limit"], stored["exposure"], stored["liquidity"]) == (
                book["limit"], book["exposure"], book["liquidity"]), (key, stored, book)
            assert stored["exposure"] <= stored["limit"]

        # 4. Tokens: the contract holds exactly liquidity + repaid - claimed, accounts as modelled.
        for currency, at in held_reads.items():
            held = int(got[at])
            liquidity = sum(b["liquidity"] for (_, _, c), b in self.books.items() if c == currency)
            outstanding = sum(ob.repaid - sum(p.claimed for p in ob.pieces) for ob in self.obs.values()
                              if ob.currency == currency)
            assert held == (liquidity + outstanding) * SCALES[currency], (currency, held, liquidity, outstanding)
            assert held == self.balances[currency][scf.address]
        seen = Counter()
        for currency, address, at in balance_reads:
            balance = int(got[at])
            assert balance == self.balances[currency][address], (currency, address, balance)
            seen[currency] += balance
        for currency, at in supply_reads.items():
            # Every holder was read above: the balances sum to the supply, which no step mints.
            assert int(got[at]) == self.supply[currency] == seen[currency]

    def _verify_model(self):
        exposure = Counter()
        for ob in self.obs.values():
            assert sum(p.amount for p in ob.pieces) == ob.amount
            claimed = sum(p.claimed for p in ob.pieces)
            assert claimed <= ob.repaid <= ob.amount
            for piece in ob.pieces:
                if ob.repaid < ob.amount:
                    assert piece.claimed <= piece.amount * ob.repaid // ob.amount
                assert piece.claimed <= piece.amount
                if piece.flags & FINANCED:
                    exposure[(piece.holder, ob.buyer, ob.currency)] += piece.amount - piece.claimed
            # 5. Fully repaid and fully claimed: every holder got exactly its piece.
            if ob.repaid == ob.amount and all(self._entitlement(ob, p)[0] == 0 for p in ob.pieces):
                assert all(p.claimed == p.amount for p in ob.pieces)
                assert claimed == ob.amount
        for key, book in self.books.items():
            assert book["exposure"] == exposure[key], (key, book, exposure[key])
            assert book["exposure"] <= book["limit"]
            assert book["liquidity"] >= 0
        for currency in (1, 2):
            assert sum(self.balances[currency].values()) == self.supply[currency]


def _brownie_state_machine():
    """Brownie's `state_machine`, run from its pure-Python source.

    The mypyc-compiled brownie/test/stateful (eth-brownie 1.22.2 wheel) rejects every machine it
    builds: its compiled `_BrownieStateMachine.__init__` raises "TypeError:
    brownie.test.stateful._BrownieStateMachine object expected; got ...BrownieStateMachine" for
    the subclass `state_machine` itself creates, so the `state_machine` fixture cannot run any
    state machine. The same module's .py source, shipped next to the extension, works unchanged.
    """
    source = pathlib.Path(brownie.test.__file__).with_name("stateful.py")
    if not source.exists():
        return brownie.test.state_machine
    spec = importlib.util.spec_from_file_location("_brownie_stateful_source", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.state_machine


def test_platform_invariants(scf, usdc, eurt, parties, outsider):
    """Runs the machine until at least STATEFUL_EXAMPLES x STATEFUL_STEPS steps have run.

    Hypothesis ends some runs early (its first examples of a search are deliberately tiny), so
    one search of STATEFUL_EXAMPLES examples runs fewer steps than examples x steps; further
    searches, each from the same deployment snapshot, make up the difference."""
    run_machine = _brownie_state_machine()
    STATS.clear()
    RUN_LENGTHS.clear()
    target = EXAMPLES * STEPS
    started = time.perf_counter()
    for _ in range(20):
        remaining = target - STATS["steps"]
        if remaining <= 0:
            break
        # Hypothesis keeps its first clamp(10, examples // 10, 50) examples deliberately small
        # (mostly one step); add that many so the first search alone usually reaches the target.
        examples = -(-remaining // STEPS)
        examples += min(max(10, examples // 10), 50)
        run_machine(
            PlatformMachine,
            scf,
            usdc,
            eurt,
            parties,
            outsider,
            settings={
                "max_examples": examples,
                "stateful_step_count": STEPS,
                "deadline": None,
                "verbosity": Verbosity.debug if os.environ.get("STATEFUL_DEBUG") else Verbosity.normal,
                "suppress_health_check": HealthCheck.all(),
            },
        )
        chain.revert()  # back to the deployment snapshot the machine started from
        STATS["searches"] += 1
    STATS["seconds"] = int(time.perf_counter() - started)
    if VERBOSE:
        print("\nstateful stats: " + ", ".join(f"{k}={v}" for k, v in sorted(STATS.items())))
        print("steps per run: " + str(sorted(Counter(RUN_LENGTHS).items())))
    assert STATS["steps"] >= target, f"only {STATS['steps']} of {target} steps ran"
