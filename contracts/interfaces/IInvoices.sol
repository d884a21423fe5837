// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Invoice registry
/// @notice Suppliers register invoices against a core-firm buyer; the buyer confirms one, turning
///         it into a receivable (its promise to pay on the due date), or disputes it.
/// @dev An invoice's identity is (seller, canonical invoice number). Off chain, the platform
///      computes the seller's `invoiceKey`: a salted hash of the seller's registration id and the
///      canonical invoice number. On chain, the key is bound to its registrant: the invoice is
///      stored under its fingerprint, keccak256(abi.encode(seller's participant id, invoiceKey)),
///      which the contract computes from the caller, so no supplier can take another's key
///      first. One seller registers one key once, ever, whatever documents or attributes it
///      attaches, and a dispute does not free it. Buyer, amount, currency and dates are checked
///      attributes of the invoice, not part of its identity. The invoice document (its exact
///      bytes, hashed) backs one invoice only, platform-wide, whoever registers it.
interface IInvoices {
    /// @notice Where an invoice stands.
    enum InvoiceStatus {
        None,
        Registered,
        Confirmed,
        Disputed,
        Repaid,
        Overdue,
        Defaulted
    }

    /// @notice An invoice, and once confirmed, the obligation it became.
    /// @dev One storage slot (32 bytes). Parties are compact participant ids (24 bits: the
    ///      registry holds at most 16,777,215); dates are uint32 unix seconds (valid until 2106);
    ///      amounts are uint64 micro-units (see IPlatformConfig). `periodsVersion` names the grace
    ///      and default periods in force when the buyer confirmed it (IPlatformConfig.periodsAt):
    ///      later changes of the periods never move an open obligation's overdue or default date.
    struct Invoice {
        uint24 sellerId;
        uint24 buyerId;
        uint64 amount;
        uint64 repaid;
        uint32 dueDate;
        uint8 currency;
        InvoiceStatus status;
        uint16 pieceCount;
        uint16 periodsVersion; // 0 until confirmed
    }

    /// @notice A supplier registered an invoice. Only hashes identify it on chain.
    /// @param fingerprint The invoice's id: keccak256(abi.encode(seller's participant id, invoiceKey)).
    /// @param seller The supplier that registered it and holds piece 0.
    /// @param buyer The core firm that owes the amount.
    /// @param invoiceKey The seller's salted key of the canonical invoice number.
    /// @param documentHash keccak256 of the invoice document's exact bytes.
    /// @param supportingDocumentsHash Hash of the supporting documents (purchase order, delivery
    ///        notes); zero when there are none. Emitted only, not stored.
    event InvoiceRegistered(
        bytes32 indexed fingerprint,
        address indexed seller,
        address indexed buyer,
        bytes32 invoiceKey,
        bytes32 documentHash,
        bytes32 supportingDocumentsHash,
        uint64 amount,
        uint8 currency,
        uint32 issueDate,
        uint32 dueDate
    );

    /// @notice The buyer confirmed the invoice: it is now a receivable.
    event InvoiceConfirmed(bytes32 indexed fingerprint, address indexed buyer);

    /// @notice The buyer disputed the invoice; `reasonHash` points at its off-chain reason.
    event InvoiceDisputed(bytes32 indexed fingerprint, address indexed buyer, bytes32 reasonHash);

    /// @notice The seller already registered this invoice key: `fingerprint` is taken.
    error InvoiceAlreadyRegistered(bytes32 fingerprint);
    /// @notice The invoice document already backs invoice `fingerprint` (of any seller).
    error InvoiceDocumentAlreadyUsed(bytes32 documentHash, bytes32 fingerprint);
    /// @notice No invoice has this fingerprint.
    error InvoiceUnknown(bytes32 fingerprint);
    /// @notice The invoice key or the document hash is zero.
    error InvoiceMissingHash(bytes32 invoiceKey, bytes32 documentHash);
    /// @notice The amount must be above zero.
    error InvoiceInvalidAmount(uint64 amount);
    /// @notice Issue date must not be in the future and the due date must come after now.
    error InvoiceInvalidDates(uint32 issueDate, uint32 dueDate);
    /// @notice Only the invoice's named buyer may do this.
    error InvoiceNotBuyer(bytes32 fingerprint, address caller);
    /// @notice The invoice is in the wrong status for this call.
    error InvoiceWrongStatus(bytes32 fingerprint, InvoiceStatus status);

    /// @notice One invoice in a batch registration: registerInvoice's parameters, in order.
    struct Registration {
        bytes32 invoiceKey;
        bytes32 documentHash;
        bytes32 supportingDocumentsHash;
        address buyer;
        uint64 amount;
        uint8 currency;
        uint32 issueDate;
        uint32 dueDate;
    }

    /// @notice Registers an invoice sold by the caller, a supplier with current KYC, to `buyer`, a
    ///         core firm with current KYC. The seller holds the whole receivable as piece 0. The
    ///         invoice's id is invoiceFingerprint(caller's participant id, invoiceKey).
    /// @param invoiceKey Salted hash of the seller's registration id and the canonical invoice
    ///        number, computed off chain; not zero. Once per seller, ever.
    /// @param documentHash keccak256 of the invoice document's exact bytes; not zero. Backs one
    ///        invoice only, platform-wide.
    /// @param supportingDocumentsHash Hash of the supporting documents; zero when there are none.
    /// @param buyer The core firm that owes the amount.
    /// @param amount Micro-units of `currency`.
    /// @param currencyId A registered currency id.
    /// @param issueDate Unix seconds; not in the future.
    /// @param dueDate Unix seconds; in the future.
    function registerInvoice(
        bytes32 invoiceKey,
        bytes32 documentHash,
        bytes32 supportingDocumentsHash,
        address buyer,
        uint64 amount,
        uint8 currencyId,
        uint32 issueDate,
        uint32 dueDate
    ) external;

    /// @notice Registers several invoices in one transaction; reverts whole if one is invalid.
    function registerInvoices(Registration[] calldata registrations) external;

    /// @notice Confirms a registered invoice. Only its buyer, with current KYC.
    function confirmInvoice(bytes32 fingerprint) external;

    /// @notice Disputes a registered invoice. Only its buyer, with current KYC.
    /// @param reasonHash Hash of the dispute's off-chain reason.
    function disputeInvoice(bytes32 fingerprint, bytes32 reasonHash) external;

    /// @notice The invoice with this fingerprint (status None when unknown).
    function invoice(bytes32 fingerprint) external view returns (Invoice memory);

    /// @notice The invoice that `documentHash` backs (zero when the document is unused).
    function invoiceOfDocument(bytes32 documentHash) external view returns (bytes32 fingerprint);

    /// @notice The id of seller `sellerId`'s invoice `invoiceKey`:
    ///         keccak256(abi.encode(sellerId, invoiceKey)), as registration computes it.
    /// @param sellerId The seller's participant id (IParticipants.Participant.id).
    function invoiceFingerprint(uint32 sellerId, bytes32 invoiceKey) external pure returns (bytes32);
}
