"""The book `make bench-web` loads the portal with: about 10,000 invoices of a supply chain around
five core firms (one of them buys half of everything), 200 suppliers in three tiers and 4 lenders,
written straight into the tables with bulk inserts, in seconds. No services and no chain: every
row looks as the mirror would have left it (pieces split down the tiers, financed pieces held by
their lender next to the seller's reserve piece, claims after repayment), with the outbox's
actions, their transactions and the indexer's events behind it, ratings, documents and webhook
deliveries.

`seed()` returns each role's logins (every password is PASSWORD; each user of a lender, the
operator or the auditor has a confirmed TOTP device of its own, whose key comes with the login;
suppliers, core firms and lenders come with an API key), busiest organisations first. The same arguments
always give the same book."""

import hashlib
import random
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone as dt_timezone

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from authenticators.models import EncryptedTOTPDevice
from chain import keys
from chain.models import (
    ActionPurpose, ActionStatus, ChainAccount, ChainAction, ChainEvent, ChainTransaction, IndexerState, TokenHolding,
    TransactionStatus, action_key,
)
from chain.services import MAX_ALLOWANCE
from documents.models import Document, DocumentFormat, DocumentKind
from financing.models import FinancingRequest, FinancingStatus, Programme, RatingRecord
from invoices.models import Currency, Invoice, InvoiceStatus, Piece
from organisations.models import ONCHAIN_ROLE, KycStatus, Organisation, Role
from organisations.tokens import api_token_create
from users.models import User
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

PASSWORD = "bench-web-password"
CORE_FIRM_SHARES = (0.50, 0.20, 0.15, 0.10, 0.05)
SUPPLIERS_PER_TIER = {1: 20, 2: 60, 3: 120}
TIER_SALES_WEIGHT = {1: 6.0, 2: 2.0, 3: 1.0}  # a tier-1 supplier sells about six times what a tier-3 one does
LENDERS = 4
# A TOTP code is accepted once per device and 30 s step, so every simulated user of a role with a
# second factor signs in as a user (with a device) of its own.
USERS_PER_ORGANISATION = {Role.SUPPLIER: 1, Role.CORE_FIRM: 2, Role.LENDER: 5, Role.ADMIN: 12, Role.AUDITOR: 2}
SECOND_FACTOR_ROLES = (Role.LENDER, Role.ADMIN, Role.AUDITOR)
API_ROLES = (Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER)
HISTORY_DAYS = 540
TERMS_DAYS = (30, 45, 60, 90, 120)
GRACE_DAYS, DEFAULT_DAYS = 5, 30
SPLIT_SHARE, FINANCED_SHARE, CLAIMED_SHARE = 0.25, 0.35, 0.9
ACTIONS_PER_TRANSACTION = 10
QUOTE_VALIDITY = timedelta(hours=1)  # FINANCING_QUOTE_VALIDITY_SECONDS's default
REJECT_REASONS = ("over_limit", "rating_too_low", "tenor_too_long", "insufficient_liquidity")
OFF_CHAIN = (InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED)
MOVABLE = (InvoiceStatus.CONFIRMED, InvoiceStatus.REPAID, InvoiceStatus.OVERDUE, InvoiceStatus.DEFAULTED)
BATCH = 2000


@dataclass
class Login:
    username: str
    role: str
    organisation: str
    totp_key: str = ""
    api_key: str = ""


def _hash(text: str) -> str:
    return "0x" + hashlib.sha256(text.encode()).hexdigest()


def _address(text: str) -> str:
    return "0x" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _insert(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _insert_authenticators(totp_secrets: dict[int, bytes]) -> None:
    """Confirmed authenticators with these secrets, by user id, encrypted as the portal stores them.
    Django cannot bulk-create a multi-table child, so the child rows go in with one executemany."""
    parents = _insert(TOTPDevice, [TOTPDevice(user_id=pk, name="authenticator", confirmed=True) for pk in totp_secrets])
    rows = [(parent.pk, keys.encrypt(totp_secrets[parent.user_id])) for parent in parents]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {EncryptedTOTPDevice._meta.db_table} (totpdevice_ptr_id, encrypted_key) VALUES (%s, %s)", rows
        )


@contextmanager
def _past_timestamps(*models):
    """Lets bulk inserts write created_at / updated_at of the past instead of now."""
    fields = [field for model in models for field in model._meta.concrete_fields
              if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Book:
    """The rows, built in memory in the order the platform would have written them."""

    def __init__(self, invoice_count: int, seed: int):
        self.rng = random.Random(seed)
        self.invoice_count = invoice_count
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.actions: list[ChainAction] = []
        self.events: list[tuple[str, dict]] = []  # the event each action led to, by position
        self.subject_of: list[tuple[ChainAction, object]] = []  # subjects may not be inserted yet: no id

    def pick(self, table: dict):
        return self.rng.choices(list(table), list(table.values()))[0]

    def moment(self, day) -> datetime:
        return datetime.combine(day, time(8), tzinfo=dt_timezone.utc) + timedelta(seconds=self.rng.randint(0, 36_000))

    # Organisations and their custodial accounts.

    def organisations(self) -> None:
        rows = [Organisation(name="Platform operator", legal_id="PLATFORM-OPERATOR", role=Role.ADMIN),
                Organisation(name="Audit & Co", legal_id="AUDITOR-1", role=Role.AUDITOR)]
        rows += [Organisation(name=f"Core firm {n}", legal_id=f"CF-{n}", role=Role.CORE_FIRM)
                 for n in range(1, len(CORE_FIRM_SHARES) + 1)]
        rows += [Organisation(name=f"Lender {n}", legal_id=f"LD-{n}", role=Role.LENDER) for n in range(1, LENDERS + 1)]
        self.tier_of = {}
        for tier, count in SUPPLIERS_PER_TIER.items():
            for n in range(1, count + 1):
                rows.append(Organisation(name=f"Tier-{tier} supplier {n:03d}", legal_id=f"S{tier}-{n:03d}",
                                         role=Role.SUPPLIER))
                self.tier_of[rows[-1].legal_id] = tier
        expires = self.now + timedelta(days=365)
        for number, organisation in enumerate(rows, start=1):
            organisation.kyc_status, organisation.kyc_expires_at = KycStatus.APPROVED, expires
            organisation.onchain_id = number if organisation.role in ONCHAIN_ROLE else None
        # Suppliers waiting for KYC review, and a suspended one: the operator has work.
        for organisation in rows[-4:-1]:
            organisation.kyc_status, organisation.kyc_expires_at = KycStatus.PENDING, None
            organisation.onchain_id = None
        rows[-1].kyc_status = KycStatus.SUSPENDED
        for organisation in rows[-9:-4]:  # approvals lapsing soon: the operator's attention list
            organisation.kyc_expires_at = self.now + timedelta(days=self.rng.randint(3, 25))
        self.all = _insert(Organisation, rows)
        self.by_role = defaultdict(list)
        for organisation in self.all:
            self.by_role[organisation.role].append(organisation)
        self.suppliers_by_tier = defaultdict(list)
        for supplier in self.by_role[Role.SUPPLIER]:
            if supplier.kyc_status == KycStatus.APPROVED:
                self.suppliers_by_tier[self.tier_of[supplier.legal_id]].append(supplier)
        accounts = [ChainAccount(organisation=o, label=f"org-{o.pk}", address=_address(f"org-{o.pk}"),
                                 encrypted_key=b"") for o in self.all if o.role in ONCHAIN_ROLE]
        accounts += [ChainAccount(label=label, address=_address(label), encrypted_key=b"")
                     for label in ("operator", "risk-oracle")]
        self.account_of = {account.organisation_id: account for account in _insert(ChainAccount, accounts)}

    # Programmes, invoices, pieces and financing.

    def programmes(self) -> None:
        self.programme_of = {}
        for n, lender in enumerate(self.by_role[Role.LENDER]):
            for m, core_firm in enumerate(self.by_role[Role.CORE_FIRM]):
                for currency in [Currency.USDC] + ([Currency.EURT] if (n + m) % 3 == 0 else []):
                    self.programme_of[(lender.pk, core_firm.pk, currency)] = Programme(
                        lender=lender, core_firm=core_firm, currency=currency, max_tenor_days=180, min_rating=3,
                        max_rating_age_days=365,
                        advance_rate_bps=self.rng.choice((8000, 8500, 9000)),
                        base_rate_bps=self.rng.choice((400, 500, 650)),
                        rating_spread_bps=self.rng.choice((25, 40, 60)),
                    )

    def invoice_rows(self) -> None:
        sellers = [supplier for tier in sorted(self.suppliers_by_tier) for supplier in self.suppliers_by_tier[tier]]
        # Within a tier, a few suppliers sell much more than the others.
        weights = [TIER_SALES_WEIGHT[self.tier_of[s.legal_id]] / (1 + rank % 20) ** 0.5
                   for rank, s in enumerate(sellers)]
        chosen_sellers = self.rng.choices(sellers, weights, k=self.invoice_count)
        chosen_buyers = self.rng.choices(self.by_role[Role.CORE_FIRM], CORE_FIRM_SHARES, k=self.invoice_count)
        self.invoices = []
        for n, (seller, buyer) in enumerate(zip(chosen_sellers, chosen_buyers)):
            issue = self.today - timedelta(days=self.rng.randint(0, HISTORY_DAYS))
            due = issue + timedelta(days=self.rng.choice(TERMS_DAYS))
            amount = min(int(self.rng.lognormvariate(9.6, 0.9)), 2_000_000) * 1_000_000
            created = self.moment(issue)
            invoice = Invoice(
                seller=seller, buyer=buyer, number=f"{seller.legal_id}-{n + 1:06d}", canonical_number=f"{n + 1}",
                amount=amount, currency=Currency.EURT if self.rng.random() < 0.15 else Currency.USDC,
                issue_date=issue, due_date=due, invoice_key=_hash(f"invoice-key-{n}"),
                fingerprint=_hash(f"invoice-{n}"), document_hash=_hash(f"invoice-document-{n}"),
                verified_from_einvoice=n % 3 != 0, status=self._status(issue, due),
                created_at=created, updated_at=created,
            )
            if invoice.status not in OFF_CHAIN:
                invoice.registered_block = 1_000 + (HISTORY_DAYS - (self.today - issue).days) * 100 + n % 100
            if invoice.status == InvoiceStatus.REPAID:
                invoice.repaid = amount
                paid_on = min(due + timedelta(days=self.rng.randint(-15, 4)), self.today)
                invoice.repaid_at = max(self.moment(paid_on), created)
                invoice.updated_at = invoice.repaid_at
            elif invoice.status == InvoiceStatus.OVERDUE and self.rng.random() < 0.3:
                invoice.repaid = amount // 3
            self.invoices.append(invoice)
        self.invoices.sort(key=lambda invoice: invoice.created_at)

    def _status(self, issue, due) -> str:
        age, late = (self.today - issue).days, (self.today - due).days
        if late > DEFAULT_DAYS:
            return self.pick({InvoiceStatus.REPAID: 90, InvoiceStatus.DEFAULTED: 4, InvoiceStatus.OVERDUE: 2,
                              InvoiceStatus.DISPUTED: 2, InvoiceStatus.FAILED: 2})
        if late > GRACE_DAYS:
            return self.pick({InvoiceStatus.REPAID: 80, InvoiceStatus.OVERDUE: 16, InvoiceStatus.DISPUTED: 2,
                              InvoiceStatus.FAILED: 2})
        if late > 0:
            return self.pick({InvoiceStatus.REPAID: 70, InvoiceStatus.CONFIRMED: 26, InvoiceStatus.DISPUTED: 2,
                              InvoiceStatus.FAILED: 2})
        if age <= 3:
            return self.pick({InvoiceStatus.SUBMITTED: 40, InvoiceStatus.REGISTERED: 35, InvoiceStatus.CONFIRMED: 20,
                              InvoiceStatus.FAILED: 5})
        return self.pick({InvoiceStatus.CONFIRMED: 85, InvoiceStatus.REGISTERED: 6, InvoiceStatus.DISPUTED: 4,
                          InvoiceStatus.REPAID: 3, InvoiceStatus.FAILED: 2})

    def pieces(self) -> None:
        """Piece 0 of every invoice on chain, splits down the tiers, financing, claims."""
        self.piece_rows: list[Piece] = []
        self.requests: list[FinancingRequest] = []
        for invoice in self.invoices:
            if invoice.status in OFF_CHAIN:
                continue
            pieces = [Piece(invoice=invoice, index=0, holder=invoice.seller, amount=invoice.amount)]
            if invoice.status in MOVABLE:
                self._split_down(invoice, pieces)
                for piece in list(pieces):
                    if self.rng.random() < FINANCED_SHARE:
                        self._finance(invoice, piece, pieces)
            self._claim(invoice, pieces)
            self.piece_rows += pieces

    def _split_down(self, invoice: Invoice, pieces: list[Piece]) -> None:
        """A tier-1 or tier-2 seller pays its own supplier with part of the receivable, who may do the same."""
        holder_tier = self.tier_of[invoice.seller.legal_id]
        while holder_tier < 3 and self.rng.random() < SPLIT_SHARE:
            parent = pieces[-1]
            amount = parent.amount * self.rng.randint(30, 60) // 100
            recipient = self.rng.choice(self.suppliers_by_tier[holder_tier + 1])
            parent.amount -= amount
            pieces.append(Piece(invoice=invoice, index=len(pieces), parent_index=parent.index, holder=recipient,
                                amount=amount))
            split = self._act(parent.holder, "splitPiece", invoice.created_at + timedelta(days=3), "PieceSplit",
                              {"fingerprint": invoice.fingerprint, "parent": parent.index, "piece": len(pieces) - 1},
                              purpose=ActionPurpose.PIECE_SPLIT, subject=parent)
            split.args = [invoice.fingerprint, parent.index, self.account_of[recipient.pk].address, amount]
            holder_tier += 1

    def _finance(self, invoice: Invoice, piece: Piece, pieces: list[Piece]) -> None:
        lender_ids = [key[0] for key in self.programme_of if key[1:] == (invoice.buyer_id, invoice.currency)]
        programme = self.programme_of[(self.rng.choice(lender_ids), invoice.buyer_id, invoice.currency)]
        asked = min(invoice.created_at + timedelta(days=self.rng.randint(3, 10)), self.now - timedelta(hours=1))
        request = FinancingRequest(piece=piece, holder=piece.holder, lender=programme.lender, created_at=asked,
                                   deadline=asked + QUOTE_VALIDITY)
        self.requests.append(request)
        outcome = self.rng.random()
        status, event = ActionStatus.CONFIRMED, "FinancingRejected"
        args = {"fingerprint": invoice.fingerprint, "piece": piece.index}
        if self.now - asked < timedelta(days=2) and outcome < 0.5:
            status, event = ActionStatus.SENT, ""  # awaiting the chain's decision
        elif outcome > 0.97:
            request.status, status, event = FinancingStatus.FAILED, ActionStatus.FAILED, ""
        else:
            request.decided_at = asked + timedelta(seconds=self.rng.randint(5, 60))
            request.rating = self.rng.randint(3, 10)
            if outcome > 0.80:
                request.status, request.reject_reason = FinancingStatus.REJECTED, self.rng.choice(REJECT_REASONS)
            else:
                event = "FinancingApproved"
                args |= self._approve(invoice, piece, pieces, programme, request)
        self._act(piece.holder, "requestFinancing", asked, event, args, status=status,
                  purpose=ActionPurpose.FINANCING_REQUEST, subject=request)

    def _approve(self, invoice, piece, pieces, programme, request) -> dict:
        """The mirror's FinancingApproved: the lender holds the advance, the seller a reserve piece."""
        tenor = max((invoice.due_date - request.decided_at.date()).days, 1)
        advance = piece.amount * programme.advance_rate_bps // 10_000
        yearly_bps = programme.base_rate_bps + programme.rating_spread_bps * (10 - request.rating)
        request.status, request.advance, request.tenor_days = FinancingStatus.APPROVED, advance, tenor
        request.discount = advance * yearly_bps * tenor // (10_000 * 365)
        request.quoted_payout = advance - request.discount
        pieces.append(Piece(invoice=invoice, index=len(pieces), parent_index=piece.index, holder=piece.holder,
                            amount=piece.amount - advance))
        piece.holder, piece.amount, piece.financed = programme.lender, advance, True
        programme.exposure += advance
        programme.liquidity -= advance - request.discount
        return {"advance": advance, "discount": request.discount, "reservePiece": len(pieces) - 1}

    def _claim(self, invoice: Invoice, pieces: list[Piece]) -> None:
        for piece in pieces:
            share = piece.amount * invoice.repaid // invoice.amount
            if share and self.rng.random() < CLAIMED_SHARE:
                piece.claimed = share
                if piece.financed:
                    self.programme_of[(piece.holder.pk, invoice.buyer_id, invoice.currency)].exposure -= share

    def fund(self) -> None:
        """Limits above each programme's exposure, and deposits that covered the payouts; each
        lender's first programme is nearly full (exposure at 95% of its limit), for its dashboard's
        attention list."""
        near_full = set()
        for programme in self.programme_of.values():
            programme.exposure = max(programme.exposure, 0)
            programme.limit = (programme.exposure * 3 // 2 // 10**12 + 10) * 10**12  # whole millions
            if programme.lender.pk not in near_full and programme.exposure:
                near_full.add(programme.lender.pk)
                programme.limit = programme.exposure * 100 // 95
            programme.liquidity = max(programme.liquidity + programme.limit // 2, 0)

    # The chain's side: the outbox, its transactions and the indexer's events.

    def _act(self, organisation, function: str, moment, event: str, args: dict, *, purpose: ActionPurpose,
             subject, request_key: str = "", status: str = ActionStatus.CONFIRMED) -> ChainAction:
        """An action of `purpose` on `subject`, the first of its kind there (sequence 0)."""
        action = ChainAction(signer=self.account_of[organisation.pk], function=function, args=[], value_wei=0,
                             purpose=purpose, sequence=0, request_key=request_key, status=status, created_at=moment,
                             updated_at=moment)
        self.subject_of.append((action, subject))
        self.actions.append(action)
        self.events.append((event, args))
        return action

    def invoice_actions(self) -> None:
        """Registration by the seller, the buyer's confirmation or dispute, and its repayment."""
        for invoice in self.invoices:
            registration = self._act(invoice.seller, "registerInvoice", invoice.created_at, "InvoiceRegistered",
                                     {"fingerprint": invoice.fingerprint, "amount": invoice.amount},
                                     purpose=ActionPurpose.INVOICE_REGISTER, subject=invoice)
            if invoice.status == InvoiceStatus.FAILED:
                registration.status, registration.error = ActionStatus.FAILED, "InvoiceAlreadyRegistered"
            elif invoice.status == InvoiceStatus.SUBMITTED:
                registration.status = self.rng.choice((ActionStatus.QUEUED, ActionStatus.SENT))
            buyer_acted = invoice.created_at + timedelta(days=2)
            if invoice.status == InvoiceStatus.DISPUTED:
                self._act(invoice.buyer, "disputeInvoice", buyer_acted, "InvoiceDisputed",
                          {"fingerprint": invoice.fingerprint}, purpose=ActionPurpose.INVOICE_DISPUTE, subject=invoice)
            elif invoice.status in MOVABLE:
                self._act(invoice.buyer, "confirmInvoice", buyer_acted, "InvoiceConfirmed",
                          {"fingerprint": invoice.fingerprint}, purpose=ActionPurpose.INVOICE_CONFIRM, subject=invoice)
            if invoice.repaid:
                repayment = self._act(invoice.buyer, "repay", invoice.repaid_at or invoice.updated_at,
                                      "ObligationRepaid", {"fingerprint": invoice.fingerprint, "totalRepaid": invoice.repaid},
                                      purpose=ActionPurpose.REPAY, subject=invoice, request_key="erp-1")
                repayment.args = [invoice.fingerprint, invoice.repaid]

    def name_subjects(self) -> None:
        """Once every subject is inserted: each action's subject columns and the key made of them."""
        for action, subject in self.subject_of:
            action.subject_type = ContentType.objects.get_for_model(subject)  # cached after the first of a model
            action.subject_id = subject.pk
            action.idempotency_key = action_key(
                purpose=action.purpose, subject_type=action.subject_type, subject_id=subject.pk,
                sequence=action.sequence,
            )

    def transactions(self) -> list[tuple[ChainTransaction, list[int]]]:
        """Each signer's sent actions in time order, in batches of one status: a transaction each."""
        groups = defaultdict(list)
        for position in sorted(range(len(self.actions)), key=lambda p: self.actions[p].created_at):
            action = self.actions[position]
            if action.status != ActionStatus.QUEUED:
                groups[(action.signer.pk, action.status)].append(position)
        nonces, batches = Counter(), []
        tx_status = {ActionStatus.CONFIRMED: TransactionStatus.CONFIRMED, ActionStatus.SENT: TransactionStatus.SENT,
                     ActionStatus.FAILED: TransactionStatus.REVERTED}
        for (signer_id, status), positions in groups.items():
            for start in range(0, len(positions), ACTIONS_PER_TRANSACTION):
                members = positions[start:start + ACTIONS_PER_TRANSACTION]
                sent = self.actions[members[0]].created_at
                mined = status != ActionStatus.SENT
                block = 30_000_000 - int((self.now - sent).total_seconds() // 2)  # a block every 2 s
                batches.append((ChainTransaction(
                    signer_id=signer_id, nonce=nonces[signer_id], to_address=_address("platform"), data="0x",
                    value_wei=0, gas=300_000, status=tx_status[status],
                    tx_hash=_hash(f"tx-{signer_id}-{nonces[signer_id]}"),
                    block_number=block if mined else None, block_hash=_hash(f"block-{block}") if mined else "",
                    gas_used=120_000 if mined else None, created_at=sent, updated_at=sent,
                ), members))
                nonces[signer_id] += 1
        return batches

    def events_of(self, transaction: ChainTransaction, members: list[int]) -> list[ChainEvent]:
        if transaction.status != TransactionStatus.CONFIRMED:
            return []
        return [ChainEvent(block_number=transaction.block_number, block_hash=transaction.block_hash,
                           tx_hash=transaction.tx_hash, log_index=log_index, name=name, args=args)
                for log_index, (name, args) in enumerate(self.events[p] for p in members) if name]

    # People.

    def people(self) -> dict[str, list[Login]]:
        password = make_password(PASSWORD)
        users = _insert(User, [
            User(username=f"{o.legal_id.lower()}-{n}", email=f"{o.legal_id.lower()}-{n}@example.com", password=password,
                 organisation=o)
            for o in self.all for n in range(1, USERS_PER_ORGANISATION[o.role] + 1)
        ])
        totp_secrets = {user.pk: self.rng.randbytes(20) for user in users if user.organisation.role in SECOND_FACTOR_ROLES}
        _insert_authenticators(totp_secrets)
        activity = Counter(o.pk for invoice in self.invoices for o in (invoice.seller, invoice.buyer))
        # Every organisation's first user before anyone's second; busiest organisations first.
        users.sort(key=lambda user: (int(user.username.rsplit("-", 1)[1]), -activity[user.organisation_id], user.pk))
        logins = defaultdict(list)
        for user in users:
            role = str(user.organisation.role)
            secret = totp_secrets.get(user.pk)
            login = Login(user.username, role, user.organisation.name, secret.hex() if secret else "")
            if user.organisation.role in API_ROLES:
                login.api_key = api_token_create(created_by=user, name="ERP")[1]
            logins[role].append(login)
        return dict(logins)


def _holdings(book: Book) -> None:
    """What the core firms' accounts held when last read: the busiest one short of its dues in USDC
    (its dashboard's attention list), the others with plenty, all with an unlimited allowance."""
    owed = Counter()
    for invoice in book.invoices:
        if invoice.status in (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE):
            owed[(invoice.buyer_id, invoice.currency)] += invoice.amount - invoice.repaid
    rows = []
    for rank, core_firm in enumerate(book.by_role[Role.CORE_FIRM]):
        for currency in Currency.values:
            dues = owed[(core_firm.pk, currency)]
            balance = dues // 2 if rank == 0 and currency == Currency.USDC else dues * 2 + 10**12
            rows.append(TokenHolding(account=book.account_of[core_firm.pk], currency=currency, balance=balance,
                                     allowance=MAX_ALLOWANCE, read_at=book.now - timedelta(seconds=40)))
    _insert(TokenHolding, rows)


def seed(*, invoices: int = 10_000, seed: int = 7) -> dict[str, list[Login]]:
    """Writes the book into an empty, migrated database; returns each role's logins."""
    book = Book(invoices, seed)
    dated = (Invoice, FinancingRequest, ChainAction, ChainTransaction, Document, RatingRecord, WebhookDelivery)
    with _past_timestamps(*dated):
        book.organisations()
        book.programmes()
        book.invoice_rows()
        _insert(Invoice, book.invoices)
        book.pieces()
        book.fund()
        _insert(Programme, list(book.programme_of.values()))
        _insert(Piece, book.piece_rows)
        _insert(FinancingRequest, book.requests)
        book.invoice_actions()
        book.name_subjects()
        _chain_history(book)
        _documents(book)
        _ratings(book)
        _webhooks(book)
        _holdings(book)
    return book.people()


def _chain_history(book: Book) -> None:
    """The transactions first, so that each action is inserted with its own; then the events."""
    batches = book.transactions()
    transactions = _insert(ChainTransaction, [transaction for transaction, _members in batches])
    events = []
    for transaction, (_unsaved, members) in zip(transactions, batches):
        for position in members:
            book.actions[position].transaction = transaction
        events += book.events_of(transaction, members)
    _insert(ChainAction, book.actions)
    _insert(ChainEvent, events)
    last = max(t.block_number or 0 for t in transactions)
    IndexerState.objects.create(chain_id=1337, genesis_hash=_hash("genesis"), contract_address=_address("platform"),
                                last_block=last, last_block_hash=_hash(f"block-{last}"))


def _documents(book: Book) -> None:
    """The PDF behind each invoice, and a few uploads of the tier-1 suppliers not yet submitted."""
    rows = [Document(organisation=invoice.seller, invoice=invoice, kind=DocumentKind.INVOICE, format=DocumentFormat.PDF,
                     original_name=f"{invoice.number}.pdf", size=48_000 + n % 9_000, keccak=_hash(f"document-{n}"),
                     file=f"documents/bench/{n}.pdf", created_at=invoice.created_at)
            for n, invoice in enumerate(book.invoices)]
    rows += [Document(organisation=supplier, kind=DocumentKind.INVOICE, format=DocumentFormat.UBL,
                      original_name=f"draft-{k}.xml", size=9_000, keccak=_hash(f"draft-{supplier.pk}-{k}"),
                      file=f"documents/bench/draft-{supplier.pk}-{k}.xml", created_at=book.now)
             for supplier in book.suppliers_by_tier[1] for k in range(3)]
    _insert(Document, rows)


def _ratings(book: Book) -> None:
    rated = [supplier for tier in book.suppliers_by_tier.values() for supplier in tier]
    records = []
    for supplier in rated:
        supplier.rating, supplier.rating_model_version = book.rng.randint(3, 10), 1
        supplier.rated_at = book.now - timedelta(days=book.rng.randint(0, 27))  # RatingPosted's block time
        records += [RatingRecord(supplier=supplier, rating=supplier.rating, model_version=1, inputs={},
                                 computed_at=book.now - timedelta(weeks=weeks)) for weeks in (8, 4, 0)]
    Organisation.objects.bulk_update(rated, ["rating", "rating_model_version", "rated_at"], batch_size=BATCH)
    _insert(RatingRecord, records)


def _webhooks(book: Book) -> None:
    subscribers = book.by_role[Role.CORE_FIRM] + book.by_role[Role.LENDER] + book.suppliers_by_tier[1][:10]
    endpoints = _insert(WebhookEndpoint, [
        WebhookEndpoint(organisation=o, url=f"https://erp.example.com/{o.pk}/hooks", encrypted_secret=b"")
        for o in subscribers
    ])
    deliveries = []
    for n in range(3_000):
        failed = book.rng.random() < 0.03
        sent = book.now - timedelta(minutes=book.rng.randint(1, 60 * 24 * 60))
        deliveries.append(WebhookDelivery(
            endpoint=book.rng.choice(endpoints), event="invoice.confirmed", payload={"invoice": n},
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.DELIVERED, attempts=8 if failed else 1,
            last_status_code=503 if failed else 200, created_at=sent, delivered_at=None if failed else sent,
        ))
    _insert(WebhookDelivery, deliveries)
