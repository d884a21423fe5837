// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Credit programmes and automated financing decisions
/// @notice A lender runs one credit programme per core firm and currency: a limit, an advance
///         rate, pricing, a maximum tenor and a minimum supplier rating, funded with settlement
///         tokens it deposits. A holder asks for financing of a piece; the contract decides at
///         once. On approval the lender's advance reaches the holder in the same transaction and
///         the financed piece passes to the lender. On rejection nothing moves and the reason is
///         recorded on chain.
interface ICreditDesk {
    /// @notice Why a financing request was rejected.
    enum RejectReason {
        None,
        NoProgramme,
        OverLimit,
        TenorTooLong,
        HolderKycExpired,
        LenderKycExpired,
        RatingTooLow,
        NotConfirmed,
        Disputed,
        Overdue,
        AlreadyFinanced,
        Settled,
        InsufficientLiquidity,
        AdvanceTooSmall,
        ObligorKycExpired,
        HolderNotSupplier,
        LenderNotLender,
        RatingStale,
        QuoteExpired,
        PayoutBelowMinimum
    }

    /// @notice The terms and book of one programme (lender x core firm x currency).
    /// @dev One storage slot, read and written once per decision. A limit (and so an exposure)
    ///      fits 56 bits: 72 billion currency units.
    struct Programme {
        uint56 limit; // maximum exposure, micro-units; 0 means closed
        uint56 exposure; // face value of financed pieces not yet repaid to the lender nor written off
        uint64 liquidity; // deposited and not yet advanced
        uint16 advanceRateBps; // advance = face * rate
        uint16 baseRateBps; // yearly discount rate for the best rating
        uint16 maxTenorDays;
        uint8 ratingSpreadBps; // added yearly rate per rating notch below the best
        uint8 minRating;
        uint16 maxRatingAgeDays; // a holder's rating older than this is stale
    }

    /// @notice The terms a lender sets; the book (exposure, liquidity) is kept by the contract.
    struct Terms {
        uint64 limit;
        uint16 advanceRateBps;
        uint16 baseRateBps;
        uint16 maxTenorDays;
        uint8 ratingSpreadBps;
        uint8 minRating;
        uint16 maxRatingAgeDays;
    }

    /// @notice A lender set the terms of its programme for a core firm and currency.
    event ProgrammeTermsSet(address indexed lender, address indexed coreFirm, uint8 indexed currency, Terms terms);

    /// @notice A lender deposited liquidity into a programme.
    event ProgrammeFunded(address indexed lender, address indexed coreFirm, uint8 indexed currency, uint64 amount);

    /// @notice A lender withdrew undeployed liquidity from a programme.
    event ProgrammeDefunded(address indexed lender, address indexed coreFirm, uint8 indexed currency, uint64 amount);

    /// @notice The contract approved a financing request and paid the holder.
    /// @param advance Face value passed to the lender (piece amount x advance rate).
    /// @param discount Price of the advance: yearly rate x tenor, deducted from the payout.
    /// @param reservePiece Index of the piece the holder keeps for the unfinanced rest (0 if none).
    event FinancingApproved(
        bytes32 indexed fingerprint,
        uint16 indexed piece,
        address indexed lender,
        address holder,
        uint64 advance,
        uint64 discount,
        uint16 tenorDays,
        uint8 rating,
        uint16 reservePiece
    );

    /// @notice The contract rejected a financing request. Nothing moved.
    event FinancingRejected(
        bytes32 indexed fingerprint, uint16 indexed piece, address indexed lender, address holder, RejectReason reason
    );

    /// @notice The named core firm is not registered as a core firm.
    error CreditInvalidParty(address account);
    /// @notice Rates are in basis points up to 100%; the advance rate, the tenor and the maximum
    ///         rating age must be above zero; a limit fits 56 bits.
    error CreditInvalidTerms(Terms terms);
    /// @notice A programme's limit cannot drop below its current exposure.
    error CreditLimitBelowExposure(uint64 limit, uint64 exposure);
    /// @notice Deposits and withdrawals must be above zero and within the programme's liquidity.
    error CreditInvalidLiquidity(uint64 amount, uint64 available);

    /// @notice Sets the caller's programme terms for `coreFirm` in `currency`. Lender only.
    function setProgrammeTerms(address coreFirm, uint8 currency, Terms calldata terms) external;

    /// @notice Deposits `amount` micro-units into the caller's programme. Lender only; needs an
    ///         ERC-20 allowance for the token amount.
    function fundProgramme(address coreFirm, uint8 currency, uint64 amount) external;

    /// @notice Withdraws undeployed liquidity from the caller's own programme, even after its KYC
    ///         lapsed or its role changed.
    function defundProgramme(address coreFirm, uint8 currency, uint64 amount) external;

    /// @notice Asks `lender` to finance a piece the caller holds. The contract decides at once.
    /// @dev The holder's price bound: the terms or the rating may change between the quote the
    ///      holder saw and the block that runs the request. Below `minPayout`, or after
    ///      `deadline`, the request is rejected (PayoutBelowMinimum, QuoteExpired) and nothing moves.
    /// @param minPayout The least the holder accepts to receive (advance minus discount), micro-units.
    /// @param deadline Unix seconds; the request is rejected when mined after it.
    /// @return reason `None` when approved (and paid), else why it was rejected.
    function requestFinancing(bytes32 fingerprint, uint16 piece, address lender, uint64 minPayout, uint32 deadline)
        external
        returns (RejectReason reason);

    /// @notice What `lender` would answer now if the current holder of the piece asked it for
    ///         financing: the same decision requestFinancing makes, in the same order, without the
    ///         holder's price bound (so never QuoteExpired nor PayoutBelowMinimum). The payout the
    ///         holder would receive is `advance - discount`; ask with it as `minPayout`.
    /// @dev Reverts as the request would on an unknown piece or invoice, and while paused.
    /// @return reason `None` when the request would be approved, else why it would be rejected.
    /// @return advance Face value the lender would take (piece amount x advance rate), micro-units.
    /// @return discount Price of the advance (yearly rate x tenor), micro-units.
    /// @return tenorDays Days to the due date, a started day counting as a full one.
    function quoteFinancing(bytes32 fingerprint, uint16 piece, address lender)
        external
        view
        returns (RejectReason reason, uint64 advance, uint64 discount, uint16 tenorDays);

    /// @notice The programme of `lender` for `coreFirm` in `currency`.
    function programme(address lender, address coreFirm, uint8 currency) external view returns (Programme memory);
}
