"""Invoices: registration by suppliers (one or a batch), confirmation or dispute by the buyer.
What makes an invoice unique (its key per seller, its document platform-wide): test_invoice_identity.py."""

import pytest
from brownie import chain

from errors import error_message, expire_kyc, reverts_with
from scripts.world import DAY, ZERO_HASH, Role, Status, fingerprint_for, fingerprint_of, units

AMOUNT = units(25_000)


def _dates():
    now = chain.time()
    return now - DAY, now + 60 * DAY


def _registration(number, buyer, amount=AMOUNT, currency=1, dates=None, supporting=ZERO_HASH):
    """The arguments of registerInvoice (and one entry of registerInvoices)."""
    issue, due = dates or _dates()
    key, document = fingerprint_of("key", number), fingerprint_of("docs", number)
    return (key, document, supporting, buyer, amount, currency, issue, due)


@pytest.fixture
def registration(core_firm):
    return _registration("INV-1", core_firm)


@pytest.fixture
def fingerprint(scf, supplier, registration):
    """The id of the supplier's invoice `registration`."""
    return fingerprint_for(scf, supplier, registration[0])


# --- the bytes32 case of the revert helper ----------------------------------------------------


def test_reverts_with_matches_bytes32_argument(scf, core_firm):
    unknown = fingerprint_of("never registered")
    with reverts_with("InvoiceUnknown", unknown):
        scf.confirmInvoice(unknown, {"from": core_firm})


def test_reverts_with_fails_on_other_bytes32_argument(scf, core_firm):
    unknown = fingerprint_of("never registered")
    with pytest.raises(AssertionError, match="Unexpected revert string"):
        with reverts_with("InvoiceUnknown", fingerprint_of("another")):
            scf.confirmInvoice(unknown, {"from": core_firm})


def test_bytes32_argument_reads_as_python_bytes_literal():
    assert error_message("InvoiceUnknown", b"\x01" * 32) == "InvoiceUnknown: " + repr(b"\x01" * 32)


# --- registration -----------------------------------------------------------------------------


def test_register_invoice_emits_event(scf, supplier, core_firm):
    supporting = fingerprint_of("purchase order", "PO-1")
    registration = _registration("INV-1", core_firm, supporting=supporting)
    key, doc_hash, _, _, amount, currency, issue, due = registration
    tx = scf.registerInvoice(*registration, {"from": supplier})
    assert tx.events["InvoiceRegistered"] == {
        "fingerprint": fingerprint_for(scf, supplier, key).to_0x_hex(),
        "seller": supplier,
        "buyer": core_firm,
        "invoiceKey": key.to_0x_hex(),
        "documentHash": doc_hash.to_0x_hex(),
        "supportingDocumentsHash": supporting.to_0x_hex(),
        "amount": amount,
        "currency": currency,
        "issueDate": issue,
        "dueDate": due,
    }


def test_register_without_supporting_documents_emits_zero_hash(scf, supplier, registration):
    tx = scf.registerInvoice(*registration, {"from": supplier})
    assert tx.events["InvoiceRegistered"]["supportingDocumentsHash"] == "0x" + ZERO_HASH.hex()


def test_register_invoice_stores_invoice(scf, supplier, core_firm, registration, fingerprint):
    amount, currency, due = registration[4], registration[5], registration[7]
    scf.registerInvoice(*registration, {"from": supplier})
    seller_id, buyer_id = scf.participant(supplier)["id"], scf.participant(core_firm)["id"]
    assert tuple(scf.invoice(fingerprint)) == (seller_id, buyer_id, amount, 0, due, currency, Status.REGISTERED, 1, 0)


def test_register_invoice_indexes_document(scf, supplier, registration, fingerprint):
    scf.registerInvoice(*registration, {"from": supplier})
    assert scf.invoiceOfDocument(registration[1]) == fingerprint.to_0x_hex()


def test_registered_invoice_is_piece_0_held_by_seller(scf, supplier, registration, fingerprint):
    scf.registerInvoice(*registration, {"from": supplier})
    assert tuple(scf.piece(fingerprint, 0)) == (supplier.address, AMOUNT, 0, 0)


def test_unknown_invoice_is_empty(scf):
    assert scf.invoice(fingerprint_of("nothing"))["status"] == Status.NONE


def test_unused_document_backs_no_invoice(scf):
    assert scf.invoiceOfDocument(fingerprint_of("docs", "never used")) == "0x" + ZERO_HASH.hex()


def test_register_in_second_currency(scf, supplier, core_firm):
    args = _registration("EUR-1", core_firm, currency=2)
    scf.registerInvoice(*args, {"from": supplier})
    assert scf.invoice(fingerprint_for(scf, supplier, args[0]))["currency"] == 2


def test_register_zero_key_reverts(scf, supplier, registration):
    with reverts_with("InvoiceMissingHash", ZERO_HASH, registration[1]):
        scf.registerInvoice(ZERO_HASH, *registration[1:], {"from": supplier})


def test_register_zero_document_hash_reverts(scf, supplier, registration):
    with reverts_with("InvoiceMissingHash", registration[0], ZERO_HASH):
        scf.registerInvoice(registration[0], ZERO_HASH, *registration[2:], {"from": supplier})


def test_register_zero_amount_reverts(scf, supplier, core_firm):
    with reverts_with("InvoiceInvalidAmount", 0):
        scf.registerInvoice(*_registration("ZERO", core_firm, amount=0), {"from": supplier})


def test_register_issue_date_in_future_reverts(scf, supplier, core_firm):
    issue, due = chain.time() + DAY, chain.time() + 60 * DAY
    with reverts_with("InvoiceInvalidDates", issue, due):
        scf.registerInvoice(*_registration("FUTURE", core_firm, dates=(issue, due)), {"from": supplier})


def test_register_due_date_in_past_reverts(scf, supplier, core_firm):
    issue, due = chain.time() - 30 * DAY, chain.time() - DAY
    with reverts_with("InvoiceInvalidDates", issue, due):
        scf.registerInvoice(*_registration("PAST", core_firm, dates=(issue, due)), {"from": supplier})


@pytest.mark.parametrize("currency", [0, 3, 255])
def test_register_unknown_currency_reverts(scf, supplier, core_firm, currency):
    with reverts_with("ConfigUnknownCurrency", currency):
        scf.registerInvoice(*_registration("CUR", core_firm, currency=currency), {"from": supplier})


def test_register_buyer_not_core_firm_reverts(scf, supplier, tier2):
    with reverts_with("ParticipantRoleRequired", tier2, Role.CORE_FIRM, Role.SUPPLIER):
        scf.registerInvoice(*_registration("SUP", tier2), {"from": supplier})


def test_register_unknown_buyer_reverts(scf, supplier, outsider):
    with reverts_with("ParticipantRoleRequired", outsider, Role.CORE_FIRM, Role.NONE):
        scf.registerInvoice(*_registration("OUT", outsider), {"from": supplier})


def test_register_buyer_with_expired_kyc_reverts(scf, admin, supplier, core_firm):
    expiry = expire_kyc(scf, admin, core_firm)
    with reverts_with("ParticipantKycExpired", core_firm, expiry):
        scf.registerInvoice(*_registration("KYC", core_firm), {"from": supplier})


def test_register_seller_with_expired_kyc_reverts(scf, admin, supplier, core_firm):
    expiry = expire_kyc(scf, admin, supplier)
    with reverts_with("ParticipantKycExpired", supplier, expiry):
        scf.registerInvoice(*_registration("KYC", core_firm), {"from": supplier})


@pytest.mark.parametrize("seller, role", [("core_firm", Role.CORE_FIRM), ("lender", Role.LENDER), ("outsider", Role.NONE)])
def test_register_by_non_supplier_reverts(scf, core_firm, seller, role, request):
    account = request.getfixturevalue(seller)
    with reverts_with("ParticipantRoleRequired", account, Role.SUPPLIER, role):
        scf.registerInvoice(*_registration("NS", core_firm), {"from": account})


# --- batch registration -----------------------------------------------------------------------


def test_register_invoices_registers_each(scf, supplier, core_firm, other_buyer):
    batch = [_registration("B-1", core_firm), _registration("B-2", other_buyer, currency=2)]
    fingerprints = [fingerprint_for(scf, supplier, r[0]) for r in batch]
    tx = scf.registerInvoices(batch, {"from": supplier})
    assert [e["fingerprint"] for e in tx.events["InvoiceRegistered"]] == [fp.to_0x_hex() for fp in fingerprints]
    assert [scf.invoice(fp)["status"] for fp in fingerprints] == [Status.REGISTERED] * 2
    assert [scf.piece(fp, 0)["holder"] for fp in fingerprints] == [supplier] * 2


def test_register_invoices_with_one_invalid_registers_none(scf, supplier, core_firm):
    valid = _registration("B-1", core_firm)
    invalid = _registration("B-2", core_firm, amount=0)
    with reverts_with("InvoiceInvalidAmount", 0):
        scf.registerInvoices([valid, invalid], {"from": supplier})
    assert scf.invoice(fingerprint_for(scf, supplier, valid[0]))["status"] == Status.NONE


def test_register_invoices_with_duplicate_in_batch_reverts(scf, supplier, core_firm):
    entry = _registration("B-1", core_firm)
    fingerprint = fingerprint_for(scf, supplier, entry[0])
    with reverts_with("InvoiceAlreadyRegistered", fingerprint):
        scf.registerInvoices([entry, entry], {"from": supplier})
    assert scf.invoice(fingerprint)["status"] == Status.NONE


def test_register_invoices_with_already_registered_reverts(scf, supplier, core_firm, registration, fingerprint):
    scf.registerInvoice(*registration, {"from": supplier})
    fresh = _registration("B-2", core_firm)
    with reverts_with("InvoiceAlreadyRegistered", fingerprint):
        scf.registerInvoices([fresh, registration], {"from": supplier})
    assert scf.invoice(fingerprint_for(scf, supplier, fresh[0]))["status"] == Status.NONE


def test_register_invoices_by_non_supplier_reverts(scf, core_firm):
    with reverts_with("ParticipantRoleRequired", core_firm, Role.SUPPLIER, Role.CORE_FIRM):
        scf.registerInvoices([_registration("B-1", core_firm)], {"from": core_firm})


# --- confirmation and dispute -----------------------------------------------------------------


def test_confirm_invoice_emits_event_and_sets_status(scf, core_firm, register):
    fingerprint = register()
    tx = scf.confirmInvoice(fingerprint, {"from": core_firm})
    assert tx.events["InvoiceConfirmed"] == {"fingerprint": fingerprint.to_0x_hex(), "buyer": core_firm}
    assert scf.invoice(fingerprint)["status"] == Status.CONFIRMED


def test_confirm_by_other_buyer_reverts(scf, other_buyer, register):
    fingerprint = register()
    with reverts_with("InvoiceNotBuyer", fingerprint, other_buyer):
        scf.confirmInvoice(fingerprint, {"from": other_buyer})


def test_confirm_by_seller_reverts(scf, supplier, register):
    fingerprint = register()
    with reverts_with("ParticipantRoleRequired", supplier, Role.CORE_FIRM, Role.SUPPLIER):
        scf.confirmInvoice(fingerprint, {"from": supplier})


def test_confirm_by_outsider_reverts(scf, outsider, register):
    fingerprint = register()
    with reverts_with("ParticipantRoleRequired", outsider, Role.CORE_FIRM, Role.NONE):
        scf.confirmInvoice(fingerprint, {"from": outsider})


def test_confirm_by_buyer_with_expired_kyc_reverts(scf, admin, core_firm, register):
    fingerprint = register()
    expiry = expire_kyc(scf, admin, core_firm)
    with reverts_with("ParticipantKycExpired", core_firm, expiry):
        scf.confirmInvoice(fingerprint, {"from": core_firm})


def test_confirm_twice_reverts(scf, core_firm, receivable):
    fingerprint = receivable()
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.CONFIRMED):
        scf.confirmInvoice(fingerprint, {"from": core_firm})


def test_confirm_disputed_invoice_reverts(scf, core_firm, register):
    fingerprint = register()
    scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": core_firm})
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.DISPUTED):
        scf.confirmInvoice(fingerprint, {"from": core_firm})


def test_confirm_unknown_invoice_reverts(scf, core_firm):
    unknown = fingerprint_of("unknown")
    with reverts_with("InvoiceUnknown", unknown):
        scf.confirmInvoice(unknown, {"from": core_firm})


def test_dispute_invoice_emits_event_and_sets_status(scf, core_firm, register):
    fingerprint = register()
    reason = fingerprint_of("goods damaged")
    tx = scf.disputeInvoice(fingerprint, reason, {"from": core_firm})
    assert tx.events["InvoiceDisputed"] == {
        "fingerprint": fingerprint.to_0x_hex(),
        "buyer": core_firm,
        "reasonHash": reason.to_0x_hex(),
    }
    assert scf.invoice(fingerprint)["status"] == Status.DISPUTED


def test_dispute_by_other_buyer_reverts(scf, other_buyer, register):
    fingerprint = register()
    with reverts_with("InvoiceNotBuyer", fingerprint, other_buyer):
        scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": other_buyer})


def test_dispute_by_seller_reverts(scf, supplier, register):
    fingerprint = register()
    with reverts_with("ParticipantRoleRequired", supplier, Role.CORE_FIRM, Role.SUPPLIER):
        scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": supplier})


def test_dispute_by_outsider_reverts(scf, outsider, register):
    fingerprint = register()
    with reverts_with("ParticipantRoleRequired", outsider, Role.CORE_FIRM, Role.NONE):
        scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": outsider})


def test_dispute_confirmed_invoice_reverts(scf, core_firm, receivable):
    fingerprint = receivable()
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.CONFIRMED):
        scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": core_firm})


def test_dispute_twice_reverts(scf, core_firm, register):
    fingerprint = register()
    scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": core_firm})
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.DISPUTED):
        scf.disputeInvoice(fingerprint, fingerprint_of("again"), {"from": core_firm})


def test_dispute_unknown_invoice_reverts(scf, core_firm):
    unknown = fingerprint_of("unknown")
    with reverts_with("InvoiceUnknown", unknown):
        scf.disputeInvoice(unknown, fingerprint_of("reason"), {"from": core_firm})

