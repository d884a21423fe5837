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

    /// @dev What an approved request costs: enough to check liquidity before anything moves.
    struct Quote {
        uint64 advance;
        uint64 discount;
        uint16 tenorDays;
    }

    mapping(address lender => mapping(uint32 coreFirmId => mapping(uint8 currency => Programme))) private _programmes;

    /// @inheritdoc ICreditDesk
    function setProgrammeTerms(address coreFirm, uint8 currencyId, Terms calldata terms) external whenNotPaused {
        Programme storage book = _ownProgramme(coreFirm, currencyId);
        _requireCurrencyExists(currencyId);
        _validateTerms(terms);
        if (terms.limit < book.exposure) revert CreditLimitBelowExposure(terms.limit, book.exposure);
        book.limit = terms.limit;
        book.advanceRateBps = terms.advanceRateBps;
        book.baseRateBps = terms.baseRateBps;
        book.maxTenorDays = terms.maxTenorDays;
        book.ratingSpreadBps = terms.ratingSpreadBps;
        book.minRating = terms.minRating;
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
    function requestFinancing(bytes32 fingerprint, uint16 index, address lender)
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
        (reason, quote) = _decide(record, financed, book, holder, lenderRecord);
        if (reason != RejectReason.None) {
            emit FinancingRejected(fingerprint, index, lender, msg.sender, reason);
            return reason;
        }

        uint64 payout = quote.advance - quote.discount;
        book.exposure += quote.advance;
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
    function programme(address lender, address coreFirm, uint8 currencyId) external view returns (Programme memory) {
        return _programmes[lender][_participantId(coreFirm)][currencyId];
    }

    /// @dev Lowers a programme's exposure when its lender collects a financed piece's repayment.
    function _releaseExposure(address lender, uint32 coreFirmId, uint8 currencyId, uint64 amount) internal {
        _programmes[lender][coreFirmId][currencyId].exposure -= amount;
    }

    /// @dev The credit decision: the rules run in a fixed order and the first that fails is the
    ///      reason; when every rule passes, the quote.
    function _decide(
        Invoice storage record,
        PiecePacking.StoredPiece memory candidate,
        Programme storage book,
        Participant memory holder,
        Participant memory lender
    ) private view returns (RejectReason, Quote memory quote) {
        if (book.limit == 0) return (RejectReason.NoProgramme, quote);
        if (!_isCurrent(holder)) return (RejectReason.HolderKycExpired, quote);
        if (!_isCurrent(lender)) return (RejectReason.LenderKycExpired, quote);
        RejectReason statusReason = _statusReason(record, candidate.flags);
        if (statusReason != RejectReason.None) return (statusReason, quote);

        quote.tenorDays = uint16(Pricing.tenorDays(record.dueDate, block.timestamp));
        if (quote.tenorDays > book.maxTenorDays) return (RejectReason.TenorTooLong, quote);
        if (holder.rating == 0 || holder.rating < book.minRating) return (RejectReason.RatingTooLow, quote);
        quote.advance = Pricing.advance(candidate.amount, book.advanceRateBps);
        if (quote.advance == 0) return (RejectReason.AdvanceTooSmall, quote);
        if (uint256(book.exposure) + quote.advance > book.limit) return (RejectReason.OverLimit, quote);
        uint256 rateBps = Pricing.yearlyRateBps(book.baseRateBps, book.ratingSpreadBps, holder.rating);
        quote.discount = Pricing.discount(quote.advance, rateBps, quote.tenorDays);
        if (quote.advance - quote.discount > book.liquidity) return (RejectReason.InsufficientLiquidity, quote);
        return (RejectReason.None, quote);
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

    /// @dev The caller's own programme for `coreFirm`; the caller must be a lender with current KYC.
    function _ownProgramme(address coreFirm, uint8 currencyId) private view returns (Programme storage) {
        _requireCurrent(msg.sender, Role.Lender);
        Participant memory firm = _participant(coreFirm);
        if (firm.role != Role.CoreFirm) revert CreditInvalidParty(coreFirm);
        return _programmes[msg.sender][firm.id][currencyId];
    }

    /// @dev Rates and tenor are capped so that a discount is always below its advance.
    function _validateTerms(Terms calldata terms) private pure {
        uint256 worstRate = Pricing.yearlyRateBps(terms.baseRateBps, terms.ratingSpreadBps, 1);
        if (
            terms.advanceRateBps == 0 || terms.advanceRateBps > Pricing.BPS || worstRate >= Pricing.BPS
                || terms.maxTenorDays == 0 || terms.maxTenorDays > MAX_TENOR_DAYS || terms.minRating > Pricing.BEST_RATING
        ) revert CreditInvalidTerms(terms);
    }
}
