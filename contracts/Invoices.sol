// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInvoices} from "./interfaces/IInvoices.sol";
import {ReceivableLedger} from "./ReceivableLedger.sol";

/// @title Invoices
/// @notice Registration by suppliers, confirmation or dispute by the named buyer.
abstract contract Invoices is ReceivableLedger {
    /// @inheritdoc IInvoices
    function registerInvoice(
        bytes32 invoiceKey,
        bytes32 documentHash,
        bytes32 supportingDocumentsHash,
        address buyer,
        uint64 amount,
        uint8 currencyId,
        uint32 issueDate,
        uint32 dueDate
    ) external whenNotPaused {
        Participant memory seller = _requireCurrent(msg.sender, Role.Supplier);
        _register(
            seller.id,
            Registration(invoiceKey, documentHash, supportingDocumentsHash, buyer, amount, currencyId, issueDate, dueDate)
        );
    }

    /// @inheritdoc IInvoices
    function registerInvoices(Registration[] calldata registrations) external whenNotPaused {
        Participant memory seller = _requireCurrent(msg.sender, Role.Supplier);
        // Bounded by the caller's own calldata; each iteration costs the same.
        for (uint256 i = 0; i < registrations.length; ++i) {
            _register(seller.id, registrations[i]);
        }
    }

    /// @inheritdoc IInvoices
    function confirmInvoice(bytes32 fingerprint) external whenNotPaused {
        Invoice storage record = _invoiceOfBuyer(fingerprint, msg.sender);
        if (record.status != InvoiceStatus.Registered) revert InvoiceWrongStatus(fingerprint, record.status);
        record.status = InvoiceStatus.Confirmed;
        // Same slot as the status: the obligation keeps these periods whatever changes later.
        record.periodsVersion = _currentPeriodsVersion();
        emit InvoiceConfirmed(fingerprint, msg.sender);
    }

    /// @inheritdoc IInvoices
    function disputeInvoice(bytes32 fingerprint, bytes32 reasonHash) external whenNotPaused {
        Invoice storage record = _invoiceOfBuyer(fingerprint, msg.sender);
        if (record.status != InvoiceStatus.Registered) revert InvoiceWrongStatus(fingerprint, record.status);
        record.status = InvoiceStatus.Disputed;
        emit InvoiceDisputed(fingerprint, msg.sender, reasonHash);
    }

    /// @inheritdoc IInvoices
    function invoiceFingerprint(uint32 sellerId, bytes32 invoiceKey) public pure returns (bytes32) {
        return keccak256(abi.encode(sellerId, invoiceKey));
    }

    function _register(uint32 sellerId, Registration memory registration) private {
        if (registration.invoiceKey == bytes32(0) || registration.documentHash == bytes32(0)) {
            revert InvoiceMissingHash(registration.invoiceKey, registration.documentHash);
        }
        if (registration.amount == 0) revert InvoiceInvalidAmount(registration.amount);
        if (registration.issueDate > block.timestamp || registration.dueDate <= block.timestamp) {
            revert InvoiceInvalidDates(registration.issueDate, registration.dueDate);
        }
        Participant memory buyer = _requireCurrent(registration.buyer, Role.CoreFirm);
        _requireCurrencyExists(registration.currency);
        // The seller's id is part of the id: a key registered by anyone else is another invoice.
        bytes32 fingerprint = invoiceFingerprint(sellerId, registration.invoiceKey);
        _storeInvoice(
            fingerprint,
            Invoice({
                // Participant ids fit 24 bits: the registry refuses more (Participants._register).
                sellerId: uint24(sellerId),
                buyerId: uint24(buyer.id),
                amount: registration.amount,
                repaid: 0,
                dueDate: registration.dueDate,
                currency: registration.currency,
                status: InvoiceStatus.Registered,
                pieceCount: 0,
                periodsVersion: 0
            }),
            registration.documentHash
        );
        emit InvoiceRegistered(
            fingerprint,
            msg.sender,
            registration.buyer,
            registration.invoiceKey,
            registration.documentHash,
            registration.supportingDocumentsHash,
            registration.amount,
            registration.currency,
            registration.issueDate,
            registration.dueDate
        );
    }
}
