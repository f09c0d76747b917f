// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Learning record registry: types, events and errors
/// @notice The registry records who may issue learning records (accreditors and the schools
/// they accredit, with validity periods and signing keys), the Merkle roots that schools
/// anchor, and the revocation and suspension state of batches and single credentials.
/// @dev Block numbers are the time axis. A cut-off block `c` ends a validity period that
/// started at block `s`: an anchor at block `b` falls inside it when `s <= b < c`. A value
/// of 0 in a block field means "not set", which is unambiguous because no transaction runs
/// in the genesis block.
interface ILearningRecordRegistry {
    // ---------------------------------------------------------------- types

    /// @notice One name of an issuer and the block from which it applies.
    struct NameRecord {
        string name;
        uint64 fromBlock;
    }

    /// @notice One supervising accreditor of an issuer and the block from which it applies.
    struct SupervisionRecord {
        address accreditor;
        uint64 fromBlock;
    }

    /// @notice An accreditor as stored; `removedBlock` is 0 while the accreditor is active.
    struct AccreditorView {
        string name;
        uint32 adminUnitCode;
        uint64 appointedBlock;
        uint64 removedBlock;
    }

    /// @notice An issuer (school) as stored; `withdrawnCutoff` is 0 while not withdrawn.
    struct IssuerView {
        address accreditor;
        uint64 accreditedFrom;
        uint64 withdrawnCutoff;
        string name;
        string schoolCode;
        uint32 adminUnitCode;
    }

    /// @notice A signing key of an issuer; `cutoffBlock` is 0 while the key is not revoked.
    struct KeyView {
        uint64 addedBlock;
        uint64 cutoffBlock;
    }

    /// @notice An anchored batch; `revokedBlock` is 0 while the batch is not revoked.
    struct BatchView {
        address issuer;
        uint64 anchoredBlock;
        uint64 anchoredAt;
        uint64 revokedBlock;
        uint8 revokedReason;
    }

    /// @notice The status of one credential (leaf) inside one batch (root).
    /// `suspendedBlock` is 0 when the credential is not suspended now.
    struct CredentialView {
        uint64 revokedBlock;
        uint8 revokedReason;
        uint64 suspendedBlock;
    }

    /// @notice Everything a verifier reads for one credential, in one call at one block.
    struct VerificationState {
        address batchIssuer;
        uint64 batchBlock;
        uint64 batchTimestamp;
        uint64 batchRevokedBlock;
        uint8 batchRevokedReason;
        uint64 credentialRevokedBlock;
        uint8 credentialRevokedReason;
        uint64 credentialSuspendedBlock;
        address issuerAccreditor;
        uint64 accreditedFrom;
        uint64 withdrawnCutoff;
        uint64 keyAddedBlock;
        uint64 keyCutoff;
        string issuerName;
        string schoolCode;
        uint32 adminUnitCode;
    }

    // ---------------------------------------------------------------- events

    event AccreditorAppointed(address indexed account, uint32 indexed adminUnitCode, string name);
    event AccreditorRemoved(address indexed account);
    event IssuerAccredited(
        address indexed issuer,
        address indexed accreditor,
        uint32 indexed adminUnitCode,
        string schoolCode,
        string name
    );
    event IssuerRenamed(address indexed issuer, string name);
    event IssuerReassigned(
        address indexed issuer,
        address indexed previousAccreditor,
        address indexed newAccreditor
    );
    event IssuerWithdrawn(address indexed issuer, address indexed by, uint64 cutoffBlock);
    event IssuerKeyAdded(address indexed issuer, bytes32 indexed publicKey);
    event IssuerKeyRevoked(
        address indexed issuer,
        bytes32 indexed publicKey,
        address indexed by,
        uint64 cutoffBlock
    );
    /// @notice A batch root was anchored by `issuer`.
    /// @dev `issuer` is in the data, not a topic: as a topic it cost 85 gas more per anchor
    /// (`python -m bench.gas`, anvil 1.7.1). Logs can therefore be filtered by root but not by
    /// issuer. A reader finds an issuer's batches by decoding the data field of the root's logs,
    /// and `batch(root)` returns the stored issuer. The block number and timestamp are those of
    /// the log itself, so they are not repeated in the data.
    event BatchAnchored(bytes32 indexed root, address issuer);
    event BatchRevoked(bytes32 indexed root, address indexed issuer, uint8 reason);
    event CredentialRevoked(bytes32 indexed root, bytes32 indexed leaf, uint8 reason);
    event CredentialSuspended(bytes32 indexed root, bytes32 indexed leaf);
    event CredentialReinstated(bytes32 indexed root, bytes32 indexed leaf);

    // ---------------------------------------------------------------- errors

    error RegistryZeroAddress();
    error RegistryEmptyName();
    error RegistryEmptySchoolCode();
    error RegistryInvalidAdminUnitCode(uint32 adminUnitCode);
    error RegistryRenounceDisabled();

    error RegistryNotAccreditor(address account);
    error RegistryAccreditorAlreadyAppointed(address account, uint64 appointedBlock);

    error RegistryUnknownIssuer(address issuer);
    error RegistryIssuerAlreadyAccredited(address issuer, uint64 accreditedFrom);
    error RegistryIssuerWithdrawn(address issuer, uint64 cutoffBlock);
    error RegistryNotIssuerAccreditor(address issuer, address caller);
    error RegistryNotIssuerOrAccreditor(address issuer, address caller);
    error RegistryAlreadySupervising(address issuer, address accreditor);

    error RegistryCutoffInFuture(uint64 cutoff, uint64 current);
    error RegistryCutoffBeforeStart(uint64 cutoff, uint64 start);
    error RegistryCutoffNotEarlier(uint64 cutoff, uint64 existing);

    error RegistryZeroKey();
    error RegistryKeyAlreadyAdded(address issuer, bytes32 publicKey, uint64 addedBlock);
    error RegistryUnknownKey(address issuer, bytes32 publicKey);

    error RegistryZeroRoot();
    error RegistryRootAlreadyAnchored(bytes32 root, address issuer);
    error RegistryUnknownRoot(bytes32 root);
    error RegistryNotBatchIssuer(bytes32 root, address caller);
    error RegistryInvalidProof(bytes32 root, bytes32 leaf);
    error RegistryBatchAlreadyRevoked(bytes32 root, uint64 revokedBlock);
    error RegistryCredentialAlreadyRevoked(bytes32 root, bytes32 leaf, uint64 revokedBlock);
    error RegistryCredentialAlreadySuspended(bytes32 root, bytes32 leaf, uint64 suspendedBlock);
    error RegistryCredentialNotSuspended(bytes32 root, bytes32 leaf);
}
