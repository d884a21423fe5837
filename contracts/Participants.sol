// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IParticipants} from "./interfaces/IParticipants.sol";
import {Pricing} from "./libraries/Pricing.sol";

/// @title Participants
/// @notice Owns the participant registry: roles, KYC expiry, ratings, and the admin gate.
abstract contract Participants is IParticipants {
    uint32 private constant FOUNDING_ADMIN_ID = 1;

    mapping(address account => Participant) private _participants;
    mapping(uint32 id => address account) private _accounts;
    uint32 private _participantCount;

    modifier onlyAdmin() {
        _requireCurrent(msg.sender, Role.Admin);
        _;
    }

    /// @param admin The first admin; its KYC never expires so the platform cannot lock itself out.
    /// @param adminOrgHash Salted hash of the operating organisation's identity.
    constructor(address admin, bytes32 adminOrgHash) {
        _register(admin, Role.Admin, adminOrgHash, type(uint40).max);
    }

    /// @inheritdoc IParticipants
    function registerParticipant(address account, Role role, bytes32 orgHash, uint40 kycExpiresAt)
        external
        onlyAdmin
    {
        if (kycExpiresAt <= block.timestamp) revert ParticipantInvalidKycExpiry(kycExpiresAt);
        _register(account, role, orgHash, kycExpiresAt);
    }

    /// @inheritdoc IParticipants
    function renewKyc(address account, uint40 kycExpiresAt) external onlyAdmin {
        if (kycExpiresAt <= block.timestamp) revert ParticipantInvalidKycExpiry(kycExpiresAt);
        // Locked like a suspension: a shortened expiry is a suspension on a timer.
        _lockable(account).kycExpiresAt = kycExpiresAt;
        emit KycRenewed(account, kycExpiresAt, msg.sender);
    }

    /// @inheritdoc IParticipants
    function suspendParticipant(address account) external onlyAdmin {
        _lockable(account).kycExpiresAt = 0;
        emit ParticipantSuspended(account, msg.sender);
    }

    /// @inheritdoc IParticipants
    function changeRole(address account, Role role) external onlyAdmin {
        if (role == Role.None) revert ParticipantInvalidRegistration(account, role);
        Participant storage record = _lockable(account);
        Role previousRole = record.role;
        record.role = role;
        emit RoleChanged(account, previousRole, role, msg.sender);
    }

    /// @inheritdoc IParticipants
    function postRating(address supplier, uint8 rating, uint32 modelVersion) external {
        _requireCurrent(msg.sender, Role.RiskOracle);
        if (rating == 0 || rating > Pricing.BEST_RATING) revert ParticipantInvalidRating(rating);
        Participant storage record = _known(supplier);
        if (record.role != Role.Supplier) revert ParticipantRoleRequired(supplier, Role.Supplier, record.role);
        record.rating = rating;
        record.ratingModel = modelVersion;
        record.ratedAt = uint40(block.timestamp);
        emit RatingPosted(supplier, rating, modelVersion, msg.sender);
    }

    /// @inheritdoc IParticipants
    function participant(address account) external view returns (Participant memory) {
        return _participants[account];
    }

    /// @inheritdoc IParticipants
    function accountOf(uint32 id) external view returns (address) {
        return _accounts[id];
    }

    /// @inheritdoc IParticipants
    function hasCurrentKyc(address account) external view returns (bool) {
        return _isCurrent(_participants[account]);
    }

    /// @dev Loads `account` and reverts unless it has `role` and current KYC.
    function _requireCurrent(address account, Role role) internal view returns (Participant memory record) {
        record = _participants[account];
        if (record.role != role) revert ParticipantRoleRequired(account, role, record.role);
        if (!_isCurrent(record)) revert ParticipantKycExpired(account, record.kycExpiresAt);
    }

    function _participant(address account) internal view returns (Participant memory) {
        return _participants[account];
    }

    /// @dev The compact id of `account` (0 when unknown), without loading the rest of its record.
    function _participantId(address account) internal view returns (uint32) {
        return _participants[account].id;
    }

    function _accountOf(uint32 id) internal view returns (address) {
        return _accounts[id];
    }

    function _isCurrent(Participant memory record) internal view returns (bool) {
        return record.kycExpiresAt > block.timestamp;
    }

    function _known(address account) private view returns (Participant storage record) {
        record = _participants[account];
        if (record.role == Role.None) revert ParticipantUnknown(account);
    }

    /// @dev A known participant whose record the calling admin may change. No admin changes its
    ///      own record and nobody changes the founding admin's (its KYC never expires), so at
    ///      least one admin with current KYC always remains.
    function _lockable(address account) private view returns (Participant storage record) {
        record = _known(account);
        if (account == msg.sender || record.id == FOUNDING_ADMIN_ID) revert ParticipantLockout(account);
    }

    function _register(address account, Role role, bytes32 orgHash, uint40 kycExpiresAt) private {
        if (account == address(0) || role == Role.None) revert ParticipantInvalidRegistration(account, role);
        if (_participants[account].role != Role.None) revert ParticipantAlreadyRegistered(account);
        uint32 id = ++_participantCount;
        if (id > type(uint24).max) revert ParticipantRegistryFull();
        _participants[account] = Participant({
            role: role,
            kycExpiresAt: kycExpiresAt,
            rating: 0,
            ratingModel: 0,
            ratedAt: 0,
            id: id
        });
        _accounts[id] = account;
        emit ParticipantRegistered(account, id, role, orgHash, kycExpiresAt);
    }
}
