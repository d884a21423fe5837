// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Participant registry
/// @notice The organisations allowed on the platform: each has one role, a KYC expiry and, for
///         suppliers, a credit rating posted by a risk oracle. Identities stay off chain: the
///         registry keeps only a salted hash of each organisation's identity.
interface IParticipants {
    /// @notice The business role of an organisation.
    enum Role {
        None,
        Supplier,
        CoreFirm,
        Lender,
        RiskOracle,
        Admin
    }

    /// @notice An organisation's on-chain record.
    /// @dev Packed into one storage slot (20 bytes), read once per call that checks KYC.
    struct Participant {
        Role role;
        uint40 kycExpiresAt; // 0 means suspended
        uint8 rating; // 1 (worst) .. 10 (best); 0 means not rated yet
        uint32 ratingModel; // version of the risk model that produced `rating`
        uint40 ratedAt;
        uint32 id; // compact handle used inside invoices, assigned in registration order
    }

    /// @notice An organisation joined the platform.
    /// @param account The organisation's signing address.
    /// @param id The compact id the contracts use for it.
    /// @param role Its role.
    /// @param orgHash Salted hash of its off-chain identity (no personal data on chain).
    /// @param kycExpiresAt When its KYC review expires (unix seconds).
    event ParticipantRegistered(
        address indexed account, uint32 indexed id, Role role, bytes32 orgHash, uint40 kycExpiresAt
    );

    /// @notice An admin renewed (or shortened) a participant's KYC.
    event KycRenewed(address indexed account, uint40 kycExpiresAt, address indexed admin);

    /// @notice An admin suspended a participant: it can no longer act until renewed.
    event ParticipantSuspended(address indexed account, address indexed admin);

    /// @notice An admin changed a participant's role.
    event RoleChanged(address indexed account, Role previousRole, Role newRole, address indexed admin);

    /// @notice A risk oracle posted a supplier's rating.
    event RatingPosted(address indexed supplier, uint8 rating, uint32 modelVersion, address indexed oracle);

    /// @notice The registry is full: invoices keep participant ids in 24 bits.
    error ParticipantRegistryFull();
    /// @notice The account is already registered.
    error ParticipantAlreadyRegistered(address account);
    /// @notice The account is not registered.
    error ParticipantUnknown(address account);
    /// @notice The account does not have the role the call needs.
    error ParticipantRoleRequired(address account, Role required, Role actual);
    /// @notice The account's KYC expired (or it was suspended) at `kycExpiresAt`.
    error ParticipantKycExpired(address account, uint40 kycExpiresAt);
    /// @notice A KYC expiry must lie in the future.
    error ParticipantInvalidKycExpiry(uint40 kycExpiresAt);
    /// @notice Role `None` cannot be assigned, and the zero address cannot be registered.
    error ParticipantInvalidRegistration(address account, Role role);
    /// @notice Ratings run from 1 (worst) to 10 (best).
    error ParticipantInvalidRating(uint8 rating);
    /// @notice Admins cannot renew, suspend or demote themselves, nor the founding admin (id 1,
    ///         whose KYC never expires), so the platform can never lose its last admin.
    error ParticipantLockout(address account);

    /// @notice Registers an organisation. Admin only.
    /// @param account Its signing address.
    /// @param role Its role (not `None`).
    /// @param orgHash Salted hash of its off-chain identity.
    /// @param kycExpiresAt When its KYC review expires; must be in the future.
    function registerParticipant(address account, Role role, bytes32 orgHash, uint40 kycExpiresAt) external;

    /// @notice Sets a new KYC expiry for a participant. Admin only; not the caller itself nor the
    ///         founding admin.
    function renewKyc(address account, uint40 kycExpiresAt) external;

    /// @notice Suspends a participant at once. Admin only; not the caller itself nor the founding admin.
    function suspendParticipant(address account) external;

    /// @notice Changes a participant's role. Admin only; not the caller itself nor the founding admin.
    function changeRole(address account, Role role) external;

    /// @notice Posts a supplier's rating with the model version that produced it. Risk oracle only.
    /// @param supplier The rated supplier.
    /// @param rating 1 (worst) .. 10 (best).
    /// @param modelVersion Version of the risk model, for audit.
    function postRating(address supplier, uint8 rating, uint32 modelVersion) external;

    /// @notice The record of `account` (all zero when unknown).
    function participant(address account) external view returns (Participant memory);

    /// @notice The signing address of participant `id` (zero when unknown).
    function accountOf(uint32 id) external view returns (address);

    /// @notice Whether `account` is registered and its KYC is current.
    function hasCurrentKyc(address account) external view returns (bool);
}
