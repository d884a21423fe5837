// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditDesk} from "./interfaces/ICreditDesk.sol";
import {PiecePacking} from "./libraries/PiecePacking.sol";
import {Pricing} from "./libraries/Pricing.sol";
import {Receivables} from "./Receivables.sol";

/// @title CreditDesk
/// @notice Owns the lenders' credit programmes and makes the financing decisions.
abstract contract CreditDesk is ICreditDesk, Receivables {
    uint16 private constant MAX_TENOR_DAYS = 365;
    uint16 private constant MAX_RATING_AGE_DAYS = 3650;

    /// @dev What an approved request costs: enough to check liquidity before anything moves.
    struct Quote {
        uint64 advance;
        uint64 discount;
        uint16 tenorDays;
    }

    /// @dev The records of the two parties asking and financing.
    struct Parties {
        Participant holder;
        Participant lender;
    }

    /// @dev The holder's price bound on a request (see requestFinancing).
    struct Bound {
        uint64 minPayout;
        uint32 deadline;
    }

    mapping(address lender => mapping(uint32 coreFirmId => mapping(uint8 currency => Programme))) private _programmes;

    /// @inheritdoc ICreditDesk
    function setProgrammeTerms(address coreFirm, uint8 currencyId, Terms calldata terms) external whenNotPaused {
        Programme storage book = _ownProgramme(coreFirm, currencyId);
        _requireCurrencyExists(currencyId);
        _validateTerms(terms);
        if (terms.limit < book.exposure) revert CreditLimitBelowExposure(terms.limit, book.exposure);
        book.limit = uint56(terms.limit); // _validateTerms: it fits
        book.advanceRateBps = terms.advanceRateBps;
        book.baseRateBps = terms.baseRateBps;
        book.maxTenorDays = terms.maxTenorDays;
        book.ratingSpreadBps = terms.ratingSpreadBps;
        book.minRating = terms.minRating;
        book.maxRatingAgeDays = terms.maxRatingAgeDays;
        emit ProgrammeTermsSet(msg.sender, coreFirm, currencyId, terms);
    }

    /// @inheritdoc ICreditDesk
    function fundProgramme(address coreFirm, uint8 currencyId, uint64 amount) external whenNotPaused nonReentrant {
        Programme storage book = _ownProgramme(coreFirm, currencyId);
        if (book.advanceRateBps == 0 || amount == 0) revert CreditInvalidLiquidity(amount, book.liquidity);
        book.liquidity += amount;
        emit ProgrammeFunded(msg.sender, coreFirm, currencyId, amount);
        _receiveTokens(_currency(currencyId), msg.sender, amount);
    }

    /// @inheritdoc ICreditDesk
    function defundProgramme(address coreFirm, uint8 currencyId, uint64 amount) external whenNotPaused nonReentrant {
        // No role or KYC check: only the lender's own deposit can come back, and money already
        // owed is never held hostage by a lapsed review.
        Programme storage book = _programmes[msg.sender][_participantId(coreFirm)][currencyId];
        if (amount == 0 || amount > book.liquidity) revert CreditInvalidLiquidity(amount, book.liquidity);
        book.liquidity -= amount;
        emit ProgrammeDefunded(msg.sender, coreFirm, currencyId, amount);
        _sendTokens(_currency(currencyId), msg.sender, amount);
    }

    /// @inheritdoc ICreditDesk
    function requestFinancing(bytes32 fingerprint, uint16 index, address lender, uint64 minPayout, uint32 deadline)
        external
        whenNotPaused
        nonReentrant
        returns (RejectReason reason)
    {
        Participant memory holder = _participant(msg.sender);
        PiecePacking.StoredPiece memory financed = _heldPiece(fingerprint, index, holder.id);
        Invoice storage record = _invoice(fingerprint);
        Participant memory lenderRecord = _participant(lender);
        Programme storage book = _programmes[lender][record.buyerId][record.currency];
        Quote memory quote;
        (reason, quote) = _decide(record, financed, book, Parties(holder, lenderRecord), Bound(minPayout, deadline));
        if (reason != RejectReason.None) {
            emit FinancingRejected(fingerprint, index, lender, msg.sender, reason);
            return reason;
        }

        uint64 payout = quote.advance - quote.discount;
        book.exposure += uint56(quote.advance); // within the limit, which fits 56 bits
        book.liquidity -= payout;
        uint16 reserve = 0;
        if (quote.advance < financed.amount) {
            // The holder keeps the unfinanced rest as a child piece, paid pari passu at maturity.
            // It is locked: financing it again would turn the lender's haircut into credit.
            reserve = _addPiece(
                record,
                fingerprint,
                PiecePacking.StoredPiece({
                    holderId: holder.id,
                    amount: financed.amount - quote.advance,
                    parent: index,
                    flags: RESERVE
                })
            );
            financed.amount = quote.advance;
        }
        financed.holderId = lenderRecord.id;
        financed.flags = FINANCED;
        _savePiece(fingerprint, index, financed);
        emit FinancingApproved(
            fingerprint, index, lender, msg.sender, quote.advance, quote.discount, quote.tenorDays, holder.rating, reserve
        );
        _sendTokens(_currency(record.currency), msg.sender, payout);
    }

    /// @inheritdoc ICreditDesk
    function quoteFinancing(bytes32 fingerprint, uint16 index, address lender)
        external
        view
        whenNotPaused
        returns (RejectReason reason, uint64 advance, uint64 discount, uint16 tenorDays)
    {
        // The request's own steps, for the piece's current holder instead of the caller, and with
        // no price bound: the bound is the holder's answer to this quote.
        PiecePacking.StoredPiece memory candidate = _loadPiece(fingerprint, index);
        Invoice storage record = _invoice(fingerprint);
        Parties memory parties = Parties(_participant(_accountOf(candidate.holderId)), _participant(lender));
        Programme storage book = _programmes[lender][record.buyerId][record.currency];
        Quote memory quote;
        (reason, quote) = _decide(record, candidate, book, parties, Bound(0, type(uint32).max));
        return (reason, quote.advance, quote.discount, quote.tenorDays);
    }

    /// @inheritdoc ICreditDesk
    function programme(address lender, address coreFirm, uint8 currencyId) external view returns (Programme memory) {
        return _programmes[lender][_participantId(coreFirm)][currencyId];
    }

    /// @dev Lowers a programme's exposure when its lender collects or writes off a financed piece.
    function _releaseExposure(address lender, uint32 coreFirmId, uint8 currencyId, uint64 amount) internal {
        _programmes[lender][coreFirmId][currencyId].exposure -= uint56(amount); // at most what was booked
    }

    /// @dev The credit decision: the rules run in a fixed order and the first that fails is the
    ///      reason; when every rule passes, the quote.
    function _decide(
        Invoice storage record,
        PiecePacking.StoredPiece memory candidate,
        Programme storage book,
        Parties memory parties,
        Bound memory bound
    ) private view returns (RejectReason, Quote memory quote) {
        if (block.timestamp > bound.deadline) return (RejectReason.QuoteExpired, quote);
        if (book.limit == 0) return (RejectReason.NoProgramme, quote);
        RejectReason partyReason = _partyReason(parties, record.buyerId);
        if (partyReason != RejectReason.None) return (partyReason, quote);
        RejectReason statusReason = _statusReason(record, candidate.flags);
        if (statusReason != RejectReason.None) return (statusReason, quote);

        Participant memory holder = parties.holder;
        quote.tenorDays = uint16(Pricing.tenorDays(record.dueDate, block.timestamp));
        if (quote.tenorDays > book.maxTenorDays) return (RejectReason.TenorTooLong, quote);
        if (holder.rating == 0 || holder.rating < book.minRating) return (RejectReason.RatingTooLow, quote);
        if (block.timestamp - holder.ratedAt > uint256(book.maxRatingAgeDays) * 1 days) {
            return (RejectReason.RatingStale, quote);
        }
        quote.advance = Pricing.advance(candidate.amount, book.advanceRateBps);
        // slither-disable-next-line incorrect-equality (an amount this contract computed, not a balance anyone can move)
        if (quote.advance == 0) return (RejectReason.AdvanceTooSmall, quote);
        if (uint256(book.exposure) + quote.advance > book.limit) return (RejectReason.OverLimit, quote);
        uint256 rateBps = Pricing.yearlyRateBps(book.baseRateBps, book.ratingSpreadBps, holder.rating);
        quote.discount = Pricing.discount(quote.advance, rateBps, quote.tenorDays);
        uint64 payout = quote.advance - quote.discount;
        if (payout < bound.minPayout) return (RejectReason.PayoutBelowMinimum, quote);
        if (payout > book.liquidity) return (RejectReason.InsufficientLiquidity, quote);
        return (RejectReason.None, quote);
    }

    /// @dev Each party must hold its role with current KYC: the holder a supplier, the lender a
    ///      lender, and the obligor, whose promise is what is financed, a core firm.
    function _partyReason(Parties memory parties, uint32 obligorId) private view returns (RejectReason) {
        Participant memory holder = parties.holder;
        Participant memory lender = parties.lender;
        if (holder.role != Role.Supplier) return RejectReason.HolderNotSupplier;
        if (!_isCurrent(holder)) return RejectReason.HolderKycExpired;
        if (lender.role != Role.Lender) return RejectReason.LenderNotLender;
        if (!_isCurrent(lender)) return RejectReason.LenderKycExpired;
        Participant memory obligor = _participant(_accountOf(obligorId));
        if (obligor.role != Role.CoreFirm || !_isCurrent(obligor)) return RejectReason.ObligorKycExpired;
        return RejectReason.None;
    }

    function _statusReason(Invoice storage record, uint8 flags) private view returns (RejectReason) {
        InvoiceStatus status = record.status;
        if (status == InvoiceStatus.Registered) return RejectReason.NotConfirmed;
        if (status == InvoiceStatus.Disputed) return RejectReason.Disputed;
        if (status == InvoiceStatus.Repaid || record.repaid != 0) return RejectReason.Settled;
        if (status == InvoiceStatus.Overdue || status == InvoiceStatus.Defaulted) return RejectReason.Overdue;
        if (block.timestamp >= record.dueDate) return RejectReason.Overdue;
        if (flags & (FINANCED | RESERVE) != 0) return RejectReason.AlreadyFinanced;
        if (flags != 0) return RejectReason.Settled;
        return RejectReason.None;
    }

    /// @dev The caller's own programme for `coreFirm`; the caller must be a lender and the firm a
    ///      core firm, both with current KYC (no new terms or money for a suspended obligor).
    function _ownProgramme(address coreFirm, uint8 currencyId) private view returns (Programme storage) {
        _requireCurrent(msg.sender, Role.Lender);
        Participant memory firm = _participant(coreFirm);
        if (firm.role != Role.CoreFirm || !_isCurrent(firm)) revert CreditInvalidParty(coreFirm);
        return _programmes[msg.sender][firm.id][currencyId];
    }

    /// @dev Rates and tenor are capped so that a discount is always below its advance.
    function _validateTerms(Terms calldata terms) private pure {
        uint256 worstRate = Pricing.yearlyRateBps(terms.baseRateBps, terms.ratingSpreadBps, 1);
        if (
            terms.limit > type(uint56).max || terms.advanceRateBps == 0 || terms.advanceRateBps > Pricing.BPS
                || worstRate >= Pricing.BPS || terms.maxTenorDays == 0 || terms.maxTenorDays > MAX_TENOR_DAYS
                || terms.minRating > Pricing.BEST_RATING || terms.maxRatingAgeDays == 0
                || terms.maxRatingAgeDays > MAX_RATING_AGE_DAYS
        ) revert CreditInvalidTerms(terms);
    }
}
