// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Invoice registry
/// @notice Suppliers register invoices against a core-firm buyer; the buyer confirms one, turning
///         it into a receivable (its promise to pay on the due date), or disputes it.
/// @dev An invoice is keyed by its canonical fingerprint: a salted hash of seller, buyer, invoice
///      number, amount and issue date computed off chain. One fingerprint registers once, ever,
///      whoever tries and whatever documents they attach.
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
    /// @dev One storage slot (32 bytes). Parties are compact participant ids; dates are uint32
    ///      unix seconds (valid until 2106); amounts are uint64 micro-units (see IPlatformConfig).
    struct Invoice {
        uint32 sellerId;
        uint32 buyerId;
        uint64 amount;
        uint64 repaid;
        uint32 dueDate;
        uint8 currency;
        InvoiceStatus status;
        uint16 pieceCount;
    }

    /// @notice A supplier registered an invoice. Only hashes identify it on chain.
    /// @param fingerprint Canonical salted hash of the invoice (its id).
    /// @param documentHash keccak256 of its documents.
    event InvoiceRegistered(
        bytes32 indexed fingerprint,
        address indexed seller,
        address indexed buyer,
        bytes32 documentHash,
        uint64 amount,
        uint8 currency,
        uint32 issueDate,
        uint32 dueDate
    );

    /// @notice The buyer confirmed the invoice: it is now a receivable.
    event InvoiceConfirmed(bytes32 indexed fingerprint, address indexed buyer);

    /// @notice The buyer disputed the invoice; `reasonHash` points at its off-chain reason.
    event InvoiceDisputed(bytes32 indexed fingerprint, address indexed buyer, bytes32 reasonHash);

    /// @notice The fingerprint is already registered.
    error InvoiceAlreadyRegistered(bytes32 fingerprint);
    /// @notice No invoice has this fingerprint.
    error InvoiceUnknown(bytes32 fingerprint);
    /// @notice The fingerprint or the document hash is zero.
    error InvoiceMissingHash(bytes32 fingerprint, bytes32 documentHash);
    /// @notice The amount must be above zero.
    error InvoiceInvalidAmount(uint64 amount);
    /// @notice Issue date must not be in the future and the due date must come after now.
    error InvoiceInvalidDates(uint32 issueDate, uint32 dueDate);
    /// @notice Only the invoice's named buyer may do this.
    error InvoiceNotBuyer(bytes32 fingerprint, address caller);
    /// @notice The invoice is in the wrong status for this call.
    error InvoiceWrongStatus(bytes32 fingerprint, InvoiceStatus status);

    /// @notice One invoice in a batch registration.
    struct Registration {
        bytes32 fingerprint;
        bytes32 documentHash;
        address buyer;
        uint64 amount;
        uint8 currency;
        uint32 issueDate;
        uint32 dueDate;
    }

    /// @notice Registers an invoice sold by the caller, a supplier with current KYC, to `buyer`, a
    ///         core firm with current KYC. The seller holds the whole receivable as piece 0.
    /// @param fingerprint Canonical salted hash of seller, buyer, number, amount and issue date.
    /// @param docHash keccak256 of the invoice's documents.
    /// @param buyer The core firm that owes the amount.
    /// @param amount Micro-units of `currency`.
    /// @param currencyId A registered currency id.
    /// @param issueDate Unix seconds; not in the future.
    /// @param dueDate Unix seconds; in the future.
    function registerInvoice(
        bytes32 fingerprint,
        bytes32 docHash,
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

    /// @notice The keccak256 of the invoice's documents, as registered.
    function documentHash(bytes32 fingerprint) external view returns (bytes32);
}
