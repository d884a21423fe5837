"""Invoice identity: an invoice is (seller, invoice key). The contract binds the key to the
supplier that registers it, so no other supplier can take it first (squat it) and block the real
seller; one seller registers one key once, ever. An invoice document backs one invoice only,
whoever registers it."""

import pytest
from brownie import chain, web3
from eth_abi import encode

from errors import reverts_with
from scripts.world import DAY, ZERO_HASH, Status, fingerprint_for, fingerprint_of, invoice_fingerprint, units

AMOUNT = units(25_000)


def _registration(key, document, buyer, amount=AMOUNT):
    """registerInvoice's arguments (and one entry of registerInvoices), without supporting documents."""
    now = chain.time()
    return (key, document, ZERO_HASH, buyer, amount, 1, now - DAY, now + 60 * DAY)


# --- the key is bound to its seller -----------------------------------------------------------


def test_key_squatted_by_other_supplier_still_registers_for_its_seller(scf, supplier, tier2, core_firm, other_buyer):
    key = fingerprint_of("key", supplier, "INV-7")
    scf.registerInvoice(*_registration(key, fingerprint_of("forged"), other_buyer, 1), {"from": tier2})
    scf.registerInvoice(*_registration(key, fingerprint_of("document", "INV-7"), core_firm), {"from": supplier})
    record = scf.invoice(fingerprint_for(scf, supplier, key))
    assert (record["sellerId"], record["amount"]) == (scf.participant(supplier)["id"], AMOUNT)


def test_key_squatted_by_other_supplier_does_not_block_sellers_batch(scf, supplier, tier2, core_firm, other_buyer):
    key = fingerprint_of("key", supplier, "INV-8")
    scf.registerInvoice(*_registration(key, fingerprint_of("forged"), other_buyer, 1), {"from": tier2})
    batch = [
        _registration(fingerprint_of("key", supplier, "INV-9"), fingerprint_of("document", "INV-9"), core_firm),
        _registration(key, fingerprint_of("document", "INV-8"), core_firm),
    ]
    scf.registerInvoices(batch, {"from": supplier})
    assert scf.invoice(fingerprint_for(scf, supplier, key))["sellerId"] == scf.participant(supplier)["id"]


def test_same_key_of_two_sellers_is_two_invoices(scf, supplier, tier2, core_firm, other_buyer):
    key = fingerprint_of("key", "INV-12")
    scf.registerInvoice(*_registration(key, fingerprint_of("document", "A"), core_firm), {"from": supplier})
    scf.registerInvoice(*_registration(key, fingerprint_of("document", "B"), other_buyer, 1), {"from": tier2})
    records = [scf.invoice(fingerprint_for(scf, seller, key)) for seller in (supplier, tier2)]
    assert [(r["sellerId"], r["amount"]) for r in records] == [
        (scf.participant(supplier)["id"], AMOUNT), (scf.participant(tier2)["id"], 1)]


def test_key_itself_is_not_an_invoice_id(scf, supplier, core_firm):
    key = fingerprint_of("key", "INV-13")
    scf.registerInvoice(*_registration(key, fingerprint_of("document", "INV-13"), core_firm), {"from": supplier})
    assert scf.invoice(key)["status"] == Status.NONE


# --- one seller registers one key once, ever --------------------------------------------------


def test_register_same_key_twice_reverts(scf, supplier, core_firm):
    key = fingerprint_of("key", supplier, "INV-10")
    registration = _registration(key, fingerprint_of("document", "INV-10"), core_firm)
    scf.registerInvoice(*registration, {"from": supplier})
    with reverts_with("InvoiceAlreadyRegistered", fingerprint_for(scf, supplier, key)):
        scf.registerInvoice(*registration, {"from": supplier})


def test_register_same_key_after_dispute_reverts(scf, supplier, core_firm):
    key = fingerprint_of("key", supplier, "INV-11")
    registration = _registration(key, fingerprint_of("document", "INV-11"), core_firm)
    scf.registerInvoice(*registration, {"from": supplier})
    scf.disputeInvoice(fingerprint_for(scf, supplier, key), fingerprint_of("reason"), {"from": core_firm})
    assert scf.invoice(fingerprint_for(scf, supplier, key))["status"] == Status.DISPUTED
    with reverts_with("InvoiceAlreadyRegistered", fingerprint_for(scf, supplier, key)):
        scf.registerInvoice(*registration, {"from": supplier})


def test_register_same_key_with_other_amount_and_document_reverts(scf, supplier, core_firm, other_buyer):
    key = fingerprint_of("key", supplier, "INV-14")
    scf.registerInvoice(*_registration(key, fingerprint_of("document", "INV-14"), core_firm), {"from": supplier})
    changed = _registration(key, fingerprint_of("document", "INV-14", "edited"), other_buyer, AMOUNT + 1)
    with reverts_with("InvoiceAlreadyRegistered", fingerprint_for(scf, supplier, key)):
        scf.registerInvoice(*changed, {"from": supplier})


def test_rejected_same_key_keeps_original_record_and_document(scf, supplier, core_firm):
    key, document = fingerprint_of("key", supplier, "INV-15"), fingerprint_of("document", "INV-15")
    fingerprint = fingerprint_for(scf, supplier, key)
    scf.registerInvoice(*_registration(key, document, core_firm), {"from": supplier})
    before = tuple(scf.invoice(fingerprint))
    other_document = fingerprint_of("document", "INV-15", "edited")
    with reverts_with("InvoiceAlreadyRegistered", fingerprint):
        scf.registerInvoice(*_registration(key, other_document, core_firm, AMOUNT + 1), {"from": supplier})
    assert tuple(scf.invoice(fingerprint)) == before
    assert scf.invoiceOfDocument(document) == fingerprint.to_0x_hex()
    assert scf.invoiceOfDocument(other_document) == "0x" + ZERO_HASH.hex()


# --- a document backs one invoice, platform-wide ----------------------------------------------


def test_document_of_one_seller_cannot_back_other_sellers_invoice(scf, supplier, tier2, core_firm):
    document, key = fingerprint_of("document", "INV-16"), fingerprint_of("key", "INV-16")
    scf.registerInvoice(*_registration(key, document, core_firm), {"from": supplier})
    with reverts_with("InvoiceDocumentAlreadyUsed", document, fingerprint_for(scf, supplier, key)):
        scf.registerInvoice(*_registration(fingerprint_of("key", "T2-1"), document, core_firm), {"from": tier2})


def test_document_cannot_back_two_invoices_of_one_seller(scf, supplier, core_firm):
    document, first = fingerprint_of("document", "INV-17"), fingerprint_of("key", "INV-17")
    scf.registerInvoice(*_registration(first, document, core_firm), {"from": supplier})
    with reverts_with("InvoiceDocumentAlreadyUsed", document, fingerprint_for(scf, supplier, first)):
        scf.registerInvoice(*_registration(fingerprint_of("key", "INV-18"), document, core_firm), {"from": supplier})


def test_batch_with_document_used_by_other_seller_registers_none(scf, supplier, tier2, core_firm):
    document, used = fingerprint_of("document", "INV-19"), fingerprint_of("key", "INV-19")
    scf.registerInvoice(*_registration(used, document, core_firm), {"from": supplier})
    fresh = _registration(fingerprint_of("key", "T2-2"), fingerprint_of("document", "T2-2"), core_firm)
    reused = _registration(fingerprint_of("key", "T2-3"), document, core_firm)
    with reverts_with("InvoiceDocumentAlreadyUsed", document, fingerprint_for(scf, supplier, used)):
        scf.registerInvoices([fresh, reused], {"from": tier2})
    assert scf.invoice(fingerprint_for(scf, tier2, fresh[0]))["status"] == Status.NONE


def test_batch_with_one_document_twice_registers_none(scf, supplier, core_firm):
    document = fingerprint_of("document", "INV-20")
    first, second = fingerprint_of("key", "INV-20"), fingerprint_of("key", "INV-21")
    with reverts_with("InvoiceDocumentAlreadyUsed", document, fingerprint_for(scf, supplier, first)):
        scf.registerInvoices([_registration(first, document, core_firm), _registration(second, document, core_firm)],
                             {"from": supplier})
    assert scf.invoice(fingerprint_for(scf, supplier, first))["status"] == Status.NONE
    assert scf.invoiceOfDocument(document) == "0x" + ZERO_HASH.hex()


def test_document_of_disputed_invoice_stays_used(scf, supplier, tier2, core_firm):
    document, key = fingerprint_of("document", "INV-22"), fingerprint_of("key", "INV-22")
    scf.registerInvoice(*_registration(key, document, core_firm), {"from": supplier})
    scf.disputeInvoice(fingerprint_for(scf, supplier, key), fingerprint_of("reason"), {"from": core_firm})
    with reverts_with("InvoiceDocumentAlreadyUsed", document, fingerprint_for(scf, supplier, key)):
        scf.registerInvoice(*_registration(fingerprint_of("key", "T2-4"), document, core_firm), {"from": tier2})


def test_supporting_documents_may_be_shared(scf, supplier, core_firm):
    purchase_order = fingerprint_of("purchase order", "PO-9")
    for number in ("INV-23", "INV-24"):
        registration = list(_registration(fingerprint_of("key", number), fingerprint_of("document", number), core_firm))
        registration[2] = purchase_order
        scf.registerInvoice(*registration, {"from": supplier})
        assert scf.invoice(fingerprint_for(scf, supplier, registration[0]))["status"] == Status.REGISTERED


# --- the fingerprint anyone can compute -------------------------------------------------------


@pytest.mark.parametrize("seller_id", [0, 1, 7, 2**32 - 1])
def test_invoice_fingerprint_is_keccak_of_abi_encoded_seller_id_and_key(scf, seller_id):
    key = fingerprint_of("key", "INV-25")
    expected = web3.keccak(encode(["uint32", "bytes32"], [seller_id, key]))
    assert scf.invoiceFingerprint(seller_id, key) == expected.to_0x_hex()


def test_world_helper_matches_contracts_fingerprint(scf):
    key = fingerprint_of("key", "INV-26")
    assert invoice_fingerprint(42, key).to_0x_hex() == scf.invoiceFingerprint(42, key)


def test_registered_fingerprint_is_sellers_id_and_key(scf, supplier, core_firm):
    key = fingerprint_of("key", "INV-27")
    tx = scf.registerInvoice(*_registration(key, fingerprint_of("document", "INV-27"), core_firm), {"from": supplier})
    assert tx.events["InvoiceRegistered"]["fingerprint"] == scf.invoiceFingerprint(scf.participant(supplier)["id"], key)
