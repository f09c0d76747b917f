// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {ILearningRecordRegistry} from "./ILearningRecordRegistry.sol";

/// @title Learning record registry of hocba
/// @notice Root of trust for blockchain-anchored learning records. The owner (the city
/// Department of Education) appoints accreditors; an accreditor accredits issuers (schools)
/// and manages their signing keys; an issuer anchors Merkle roots of credential batches and
/// revokes or suspends its own batches and credentials. Nothing personal is stored: only
/// hashes, accounts, names of institutions, administrative-unit codes and block numbers.
/// @dev Not upgradeable. A new version is deployed beside this one and verifiers trust a list
/// of (chain id, registry address) pairs, so older anchors stay verifiable.
contract LearningRecordRegistry is ILearningRecordRegistry, Ownable2Step {
    /// @dev The fields that `anchor` reads, packed into one storage slot (20 + 6 + 6 bytes).
    /// `accreditor == address(0)` means the account was never accredited.
    struct IssuerStatus {
        address accreditor;
        uint48 accreditedFrom;
        uint48 withdrawnCutoff;
    }

    struct IssuerProfile {
        string schoolCode;
        uint32 adminUnitCode;
    }

    struct AccreditorRecord {
        string name;
        uint32 adminUnitCode;
        uint64 appointedBlock;
        uint64 removedBlock;
    }

    struct KeyRecord {
        uint64 addedBlock;
        uint64 cutoffBlock;
    }

    /// @dev One storage slot (20 + 6 + 6 bytes), written once by `anchor`.
    struct BatchRecord {
        address issuer;
        uint48 anchoredBlock;
        uint48 anchoredAt;
    }

    struct RevocationRecord {
        uint64 revokedBlock;
        uint8 reason;
    }

    struct CredentialRecord {
        uint64 revokedBlock;
        uint8 revokedReason;
        uint64 suspendedBlock;
    }

    mapping(address account => AccreditorRecord) private _accreditors;
    mapping(address issuer => IssuerStatus) private _issuerStatus;
    mapping(address issuer => IssuerProfile) private _issuerProfiles;
    mapping(address issuer => NameRecord[]) private _issuerNames;
    mapping(address issuer => SupervisionRecord[]) private _issuerSupervisors;
    mapping(address issuer => mapping(bytes32 publicKey => KeyRecord)) private _issuerKeys;
    mapping(bytes32 root => BatchRecord) private _batches;
    mapping(bytes32 root => RevocationRecord) private _batchRevocations;
    /// @dev Keyed by root and leaf, not by leaf alone: another issuer could anchor a root that
    /// contains a copy of someone else's leaf, and must not be able to change that leaf's status.
    mapping(bytes32 root => mapping(bytes32 leaf => CredentialRecord)) private _credentials;

    /// @param initialOwner The root admin (the city Department of Education).
    constructor(address initialOwner) Ownable(initialOwner) {}

    // ============================================================ root admin

    /// @notice Appoints an accreditor (a commune People's Committee or the Department itself).
    /// @dev Only the owner. An account is appointed once: a removed accreditor stays removed.
    /// Emits `AccreditorAppointed`. Reverts with `OwnableUnauthorizedAccount`,
    /// `RegistryZeroAddress`, `RegistryEmptyName`, `RegistryInvalidAdminUnitCode` or
    /// `RegistryAccreditorAlreadyAppointed`.
    function appointAccreditor(address account, string calldata name, uint32 adminUnitCode)
        external
        onlyOwner
    {
        if (account == address(0)) revert RegistryZeroAddress();
        if (bytes(name).length == 0) revert RegistryEmptyName();
        if (adminUnitCode == 0) revert RegistryInvalidAdminUnitCode(adminUnitCode);
        uint64 appointedBlock = _accreditors[account].appointedBlock;
        if (appointedBlock != 0) revert RegistryAccreditorAlreadyAppointed(account, appointedBlock);

        _accreditors[account] = AccreditorRecord({
            name: name,
            adminUnitCode: adminUnitCode,
            appointedBlock: uint64(block.number),
            removedBlock: 0
        });

        emit AccreditorAppointed(account, adminUnitCode, name);
    }

    /// @notice Removes an accreditor. It can no longer accredit issuers or manage them; its
    /// issuers keep their accreditation until the owner reassigns or withdraws them.
    /// @dev Only the owner. Emits `AccreditorRemoved`. Reverts with
    /// `OwnableUnauthorizedAccount` or `RegistryNotAccreditor` (unknown or already removed).
    function removeAccreditor(address account) external onlyOwner {
        _requireActiveAccreditor(account);

        _accreditors[account].removedBlock = uint64(block.number);

        emit AccreditorRemoved(account);
    }

    /// @notice Moves the supervision of an issuer to another active accreditor.
    /// @dev Only the owner. Allowed for a withdrawn issuer too. Emits `IssuerReassigned`.
    /// Reverts with `OwnableUnauthorizedAccount`, `RegistryUnknownIssuer`,
    /// `RegistryNotAccreditor` (new accreditor not active) or `RegistryAlreadySupervising`.
    function reassignIssuer(address issuerAccount, address newAccreditor) external onlyOwner {
        IssuerStatus memory status = _requireKnownIssuer(issuerAccount);
        _requireActiveAccreditor(newAccreditor);
        if (status.accreditor == newAccreditor) {
            revert RegistryAlreadySupervising(issuerAccount, newAccreditor);
        }

        _issuerStatus[issuerAccount].accreditor = newAccreditor;
        _issuerSupervisors[issuerAccount].push(
            SupervisionRecord({accreditor: newAccreditor, fromBlock: uint64(block.number)})
        );

        emit IssuerReassigned(issuerAccount, status.accreditor, newAccreditor);
    }

    /// @notice Disabled: a registry without a root admin could never appoint accreditors again.
    /// @dev Always reverts with `RegistryRenounceDisabled`. Use the two-step
    /// `transferOwnership` and `acceptOwnership` to hand the role over.
    function renounceOwnership() public pure override {
        revert RegistryRenounceDisabled();
    }

    // ============================================================ accreditors

    /// @notice Accredits a school account from the current block on. An account is accredited
    /// once; after a withdrawal the school needs a new account.
    /// @dev Only an active accreditor, which becomes the issuer's supervising accreditor.
    /// Emits `IssuerAccredited`. Reverts with `RegistryNotAccreditor`, `RegistryZeroAddress`,
    /// `RegistryEmptySchoolCode`, `RegistryEmptyName`, `RegistryInvalidAdminUnitCode` or
    /// `RegistryIssuerAlreadyAccredited`.
    function accreditIssuer(
        address issuerAccount,
        string calldata schoolCode,
        uint32 adminUnitCode,
        string calldata name
    ) external {
        _requireActiveAccreditor(msg.sender);
        if (issuerAccount == address(0)) revert RegistryZeroAddress();
        if (bytes(schoolCode).length == 0) revert RegistryEmptySchoolCode();
        if (bytes(name).length == 0) revert RegistryEmptyName();
        if (adminUnitCode == 0) revert RegistryInvalidAdminUnitCode(adminUnitCode);
        IssuerStatus memory status = _issuerStatus[issuerAccount];
        if (status.accreditor != address(0)) {
            revert RegistryIssuerAlreadyAccredited(issuerAccount, status.accreditedFrom);
        }

        _issuerStatus[issuerAccount] = IssuerStatus({
            accreditor: msg.sender,
            accreditedFrom: uint48(block.number),
            withdrawnCutoff: 0
        });
        _issuerProfiles[issuerAccount] =
            IssuerProfile({schoolCode: schoolCode, adminUnitCode: adminUnitCode});
        _issuerNames[issuerAccount].push(NameRecord({name: name, fromBlock: uint64(block.number)}));
        _issuerSupervisors[issuerAccount].push(
            SupervisionRecord({accreditor: msg.sender, fromBlock: uint64(block.number)})
        );

        emit IssuerAccredited(issuerAccount, msg.sender, adminUnitCode, schoolCode, name);
    }

    /// @notice Records a new name of an issuer from the current block on; older names stay
    /// readable through `issuerNames`.
    /// @dev Only the issuer's active supervising accreditor, and not for a withdrawn issuer.
    /// Emits `IssuerRenamed`. Reverts with `RegistryUnknownIssuer`,
    /// `RegistryNotIssuerAccreditor`, `RegistryIssuerWithdrawn` or `RegistryEmptyName`.
    function renameIssuer(address issuerAccount, string calldata newName) external {
        IssuerStatus memory status = _requireIssuerAccreditor(issuerAccount);
        _requireNotWithdrawn(issuerAccount, status);
        if (bytes(newName).length == 0) revert RegistryEmptyName();

        _issuerNames[issuerAccount].push(
            NameRecord({name: newName, fromBlock: uint64(block.number)})
        );

        emit IssuerRenamed(issuerAccount, newName);
    }

    /// @notice Ends an issuer's accreditation at `cutoffBlock`: anchors from that block on are
    /// not accredited and the issuer can no longer anchor. The cut-off may lie in the past
    /// (fraud found late) and may later be moved earlier, never later. Withdrawal is final.
    /// @dev The issuer's active supervising accreditor or the owner. Emits `IssuerWithdrawn`.
    /// Reverts with `RegistryUnknownIssuer`, `RegistryNotIssuerAccreditor`,
    /// `RegistryCutoffInFuture`, `RegistryCutoffBeforeStart` or `RegistryCutoffNotEarlier`.
    function withdrawIssuer(address issuerAccount, uint64 cutoffBlock) external {
        IssuerStatus memory status = msg.sender == owner()
            ? _requireKnownIssuer(issuerAccount)
            : _requireIssuerAccreditor(issuerAccount);
        _checkCutoff(cutoffBlock, status.accreditedFrom, status.withdrawnCutoff);

        // The cut-off is at most block.number (checked above), so it fits in 48 bits.
        _issuerStatus[issuerAccount].withdrawnCutoff = uint48(cutoffBlock);

        emit IssuerWithdrawn(issuerAccount, msg.sender, cutoffBlock);
    }

    /// @notice Registers an Ed25519 signing key of an issuer, valid from the current block.
    /// @dev Only the issuer's active supervising accreditor, so a stolen school account cannot
    /// add keys. The key id is the raw 32-byte public key; a key id is registered once per
    /// issuer, even after it was revoked. Emits `IssuerKeyAdded`. Reverts with
    /// `RegistryUnknownIssuer`, `RegistryNotIssuerAccreditor`, `RegistryIssuerWithdrawn`,
    /// `RegistryZeroKey` or `RegistryKeyAlreadyAdded`.
    function addIssuerKey(address issuerAccount, bytes32 publicKey) external {
        IssuerStatus memory status = _requireIssuerAccreditor(issuerAccount);
        _requireNotWithdrawn(issuerAccount, status);
        if (publicKey == bytes32(0)) revert RegistryZeroKey();
        uint64 addedBlock = _issuerKeys[issuerAccount][publicKey].addedBlock;
        if (addedBlock != 0) revert RegistryKeyAlreadyAdded(issuerAccount, publicKey, addedBlock);

        _issuerKeys[issuerAccount][publicKey] =
            KeyRecord({addedBlock: uint64(block.number), cutoffBlock: 0});

        emit IssuerKeyAdded(issuerAccount, publicKey);
    }

    // ============================================================ issuers and accreditors

    /// @notice Revokes a signing key from `cutoffBlock` on: anchors from that block on are not
    /// covered by the key. The cut-off may lie in the past (compromise found late) and may
    /// later be moved earlier, never later.
    /// @dev The issuer itself or its active supervising accreditor, also after a withdrawal.
    /// Emits `IssuerKeyRevoked`. Reverts with `RegistryUnknownIssuer`,
    /// `RegistryNotIssuerOrAccreditor`, `RegistryUnknownKey`, `RegistryCutoffInFuture`,
    /// `RegistryCutoffBeforeStart` or `RegistryCutoffNotEarlier`.
    function revokeIssuerKey(address issuerAccount, bytes32 publicKey, uint64 cutoffBlock)
        external
    {
        IssuerStatus memory status = _requireKnownIssuer(issuerAccount);
        bool isSupervisor = msg.sender == status.accreditor && _isActiveAccreditor(msg.sender);
        if (msg.sender != issuerAccount && !isSupervisor) {
            revert RegistryNotIssuerOrAccreditor(issuerAccount, msg.sender);
        }
        KeyRecord memory key = _issuerKeys[issuerAccount][publicKey];
        if (key.addedBlock == 0) revert RegistryUnknownKey(issuerAccount, publicKey);
        _checkCutoff(cutoffBlock, key.addedBlock, key.cutoffBlock);

        _issuerKeys[issuerAccount][publicKey].cutoffBlock = cutoffBlock;

        emit IssuerKeyRevoked(issuerAccount, publicKey, msg.sender, cutoffBlock);
    }

    // ============================================================ issuers

    /// @notice Anchors the Merkle root of a credential batch, recording the caller, the block
    /// number and the block timestamp.
    /// @dev Only a currently accredited issuer (accredited and not withdrawn). Emits
    /// `BatchAnchored`. Reverts with `RegistryZeroRoot`, `RegistryUnknownIssuer`,
    /// `RegistryIssuerWithdrawn` or `RegistryRootAlreadyAnchored`.
    /// IMPORTANT: keep this function to two storage reads and one storage write; its gas is
    /// paid once per batch and printed by the tests.
    function anchor(bytes32 root) external {
        if (root == bytes32(0)) revert RegistryZeroRoot();
        IssuerStatus storage status = _issuerStatus[msg.sender];
        address supervisor = status.accreditor;
        uint48 withdrawnCutoff = status.withdrawnCutoff;
        if (supervisor == address(0)) revert RegistryUnknownIssuer(msg.sender);
        if (withdrawnCutoff != 0) revert RegistryIssuerWithdrawn(msg.sender, withdrawnCutoff);
        // accreditedFrom <= block.number needs no check: it is the block of the accreditation.
        BatchRecord storage record = _batches[root];
        address anchoredBy = record.issuer;
        if (anchoredBy != address(0)) revert RegistryRootAlreadyAnchored(root, anchoredBy);

        // Writes the whole BatchRecord slot at once: issuer in bits 0-159, anchoredBlock in
        // bits 160-207, anchoredAt in bits 208-255 (Solidity's packing order). The compiler's
        // own struct write reads the slot first and costs about 230 gas more. The slot is
        // empty here because issuer, block and timestamp are only ever written together.
        // NOTE: block numbers and timestamps fit in 48 bits for millions of years.
        assembly ("memory-safe") {
            sstore(record.slot, or(caller(), or(shl(160, number()), shl(208, timestamp()))))
        }

        emit BatchAnchored(root, msg.sender);
    }

    /// @notice Revokes a whole batch, irreversibly. `reason` is a small code defined off chain.
    /// @dev Only the issuer that anchored `root`, also after a withdrawal. Emits `BatchRevoked`.
    /// Reverts with `RegistryUnknownRoot`, `RegistryNotBatchIssuer` or
    /// `RegistryBatchAlreadyRevoked`.
    function revokeBatch(bytes32 root, uint8 reason) external {
        _requireBatchIssuer(root);
        _requireBatchNotRevoked(root);

        _batchRevocations[root] = RevocationRecord({revokedBlock: uint64(block.number), reason: reason});

        emit BatchRevoked(root, msg.sender, reason);
    }

    /// @notice Revokes one credential of a batch, irreversibly. `leaf` is the credential's
    /// Merkle leaf and `proof` its path to `root`. `reason` is a small code defined off chain.
    /// A suspension of the credential ends with the revocation.
    /// @dev Only the issuer that anchored `root`, also after a withdrawal. Emits
    /// `CredentialRevoked`. Reverts with `RegistryUnknownRoot`, `RegistryNotBatchIssuer`,
    /// `RegistryInvalidProof`, `RegistryBatchAlreadyRevoked` or
    /// `RegistryCredentialAlreadyRevoked`.
    function revokeCredential(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason)
        external
    {
        _requireOpenCredential(root, leaf, proof);

        _credentials[root][leaf] = CredentialRecord({
            revokedBlock: uint64(block.number),
            revokedReason: reason,
            suspendedBlock: 0
        });

        emit CredentialRevoked(root, leaf, reason);
    }

    /// @notice Suspends one credential of a batch until `reinstateCredential`.
    /// @dev Only the issuer that anchored `root`. Emits `CredentialSuspended`. Reverts with
    /// `RegistryUnknownRoot`, `RegistryNotBatchIssuer`, `RegistryInvalidProof`,
    /// `RegistryBatchAlreadyRevoked`, `RegistryCredentialAlreadyRevoked` or
    /// `RegistryCredentialAlreadySuspended`.
    function suspendCredential(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external {
        CredentialRecord memory credential = _requireOpenCredential(root, leaf, proof);
        if (credential.suspendedBlock != 0) {
            revert RegistryCredentialAlreadySuspended(root, leaf, credential.suspendedBlock);
        }

        _credentials[root][leaf].suspendedBlock = uint64(block.number);

        emit CredentialSuspended(root, leaf);
    }

    /// @notice Ends the suspension of one credential of a batch.
    /// @dev Only the issuer that anchored `root`. Emits `CredentialReinstated`. Reverts with
    /// `RegistryUnknownRoot`, `RegistryNotBatchIssuer`, `RegistryInvalidProof`,
    /// `RegistryBatchAlreadyRevoked`, `RegistryCredentialAlreadyRevoked` or
    /// `RegistryCredentialNotSuspended`.
    function reinstateCredential(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external {
        CredentialRecord memory credential = _requireOpenCredential(root, leaf, proof);
        if (credential.suspendedBlock == 0) revert RegistryCredentialNotSuspended(root, leaf);

        _credentials[root][leaf].suspendedBlock = 0;

        emit CredentialReinstated(root, leaf);
    }

    // ============================================================ views

    /// @notice Everything a verifier needs about one credential, read in one call so that
    /// every value comes from the same block. Unknown entries read as zero values.
    /// @dev Anyone. `publicKey` is looked up under `issuerAccount`, which the verifier takes
    /// from the credential and compares with `batchIssuer`.
    function verificationState(bytes32 root, bytes32 leaf, address issuerAccount, bytes32 publicKey)
        external
        view
        returns (VerificationState memory state)
    {
        BatchRecord memory batchRecord = _batches[root];
        RevocationRecord memory batchRevocation = _batchRevocations[root];
        CredentialRecord memory credential = _credentials[root][leaf];
        IssuerStatus memory status = _issuerStatus[issuerAccount];
        KeyRecord memory key = _issuerKeys[issuerAccount][publicKey];

        state.batchIssuer = batchRecord.issuer;
        state.batchBlock = batchRecord.anchoredBlock;
        state.batchTimestamp = batchRecord.anchoredAt;
        state.batchRevokedBlock = batchRevocation.revokedBlock;
        state.batchRevokedReason = batchRevocation.reason;
        state.credentialRevokedBlock = credential.revokedBlock;
        state.credentialRevokedReason = credential.revokedReason;
        state.credentialSuspendedBlock = credential.suspendedBlock;
        state.issuerAccreditor = status.accreditor;
        state.accreditedFrom = status.accreditedFrom;
        state.withdrawnCutoff = status.withdrawnCutoff;
        state.keyAddedBlock = key.addedBlock;
        state.keyCutoff = key.cutoffBlock;
        state.issuerName = _currentName(issuerAccount);
        state.schoolCode = _issuerProfiles[issuerAccount].schoolCode;
        state.adminUnitCode = _issuerProfiles[issuerAccount].adminUnitCode;
    }

    /// @notice The anchoring and revocation record of a batch; zero values when not anchored.
    function batch(bytes32 root) external view returns (BatchView memory) {
        BatchRecord memory batchRecord = _batches[root];
        RevocationRecord memory revocation = _batchRevocations[root];
        return BatchView({
            issuer: batchRecord.issuer,
            anchoredBlock: batchRecord.anchoredBlock,
            anchoredAt: batchRecord.anchoredAt,
            revokedBlock: revocation.revokedBlock,
            revokedReason: revocation.reason
        });
    }

    /// @notice The current record of an issuer; zero values when never accredited.
    function issuer(address issuerAccount) external view returns (IssuerView memory) {
        IssuerStatus memory status = _issuerStatus[issuerAccount];
        IssuerProfile memory profile = _issuerProfiles[issuerAccount];
        return IssuerView({
            accreditor: status.accreditor,
            accreditedFrom: status.accreditedFrom,
            withdrawnCutoff: status.withdrawnCutoff,
            name: _currentName(issuerAccount),
            schoolCode: profile.schoolCode,
            adminUnitCode: profile.adminUnitCode
        });
    }

    /// @notice Every name of an issuer, oldest first, each with the block it took effect.
    function issuerNames(address issuerAccount) external view returns (NameRecord[] memory) {
        return _issuerNames[issuerAccount];
    }

    /// @notice Every supervising accreditor of an issuer, oldest first, with the block each
    /// supervision began.
    function issuerAccreditors(address issuerAccount)
        external
        view
        returns (SupervisionRecord[] memory)
    {
        return _issuerSupervisors[issuerAccount];
    }

    /// @notice A signing key of an issuer; zero values when the key was never added.
    function issuerKey(address issuerAccount, bytes32 publicKey)
        external
        view
        returns (KeyView memory)
    {
        KeyRecord memory key = _issuerKeys[issuerAccount][publicKey];
        return KeyView({addedBlock: key.addedBlock, cutoffBlock: key.cutoffBlock});
    }

    /// @notice An accreditor's record, also after removal; zero values when never appointed.
    function accreditor(address account) external view returns (AccreditorView memory) {
        AccreditorRecord memory record = _accreditors[account];
        return AccreditorView({
            name: record.name,
            adminUnitCode: record.adminUnitCode,
            appointedBlock: record.appointedBlock,
            removedBlock: record.removedBlock
        });
    }

    /// @notice Whether `account` is an appointed accreditor that was not removed.
    function isAccreditor(address account) external view returns (bool) {
        return _isActiveAccreditor(account);
    }

    /// @notice The status of the credential `leaf` inside the batch `root`.
    function credentialStatus(bytes32 root, bytes32 leaf)
        external
        view
        returns (CredentialView memory)
    {
        CredentialRecord memory credential = _credentials[root][leaf];
        return CredentialView({
            revokedBlock: credential.revokedBlock,
            revokedReason: credential.revokedReason,
            suspendedBlock: credential.suspendedBlock
        });
    }

    // ============================================================ internal checks

    function _isActiveAccreditor(address account) private view returns (bool) {
        AccreditorRecord storage record = _accreditors[account];
        return record.appointedBlock != 0 && record.removedBlock == 0;
    }

    function _requireActiveAccreditor(address account) private view {
        if (!_isActiveAccreditor(account)) revert RegistryNotAccreditor(account);
    }

    function _requireKnownIssuer(address issuerAccount)
        private
        view
        returns (IssuerStatus memory status)
    {
        status = _issuerStatus[issuerAccount];
        if (status.accreditor == address(0)) revert RegistryUnknownIssuer(issuerAccount);
    }

    /// @dev The caller must be the issuer's supervising accreditor and still active.
    function _requireIssuerAccreditor(address issuerAccount)
        private
        view
        returns (IssuerStatus memory status)
    {
        status = _requireKnownIssuer(issuerAccount);
        if (msg.sender != status.accreditor || !_isActiveAccreditor(msg.sender)) {
            revert RegistryNotIssuerAccreditor(issuerAccount, msg.sender);
        }
    }

    function _requireNotWithdrawn(address issuerAccount, IssuerStatus memory status) private pure {
        if (status.withdrawnCutoff != 0) {
            revert RegistryIssuerWithdrawn(issuerAccount, status.withdrawnCutoff);
        }
    }

    /// @dev A cut-off lies in [start, block.number] and, when one is set, before the existing one.
    function _checkCutoff(uint64 cutoff, uint64 start, uint64 existing) private view {
        if (cutoff > block.number) revert RegistryCutoffInFuture(cutoff, uint64(block.number));
        if (cutoff < start) revert RegistryCutoffBeforeStart(cutoff, start);
        if (existing != 0 && cutoff >= existing) revert RegistryCutoffNotEarlier(cutoff, existing);
    }

    function _requireBatchIssuer(bytes32 root) private view {
        address anchoredBy = _batches[root].issuer;
        if (anchoredBy == address(0)) revert RegistryUnknownRoot(root);
        if (anchoredBy != msg.sender) revert RegistryNotBatchIssuer(root, msg.sender);
    }

    function _requireBatchNotRevoked(bytes32 root) private view {
        uint64 revokedBlock = _batchRevocations[root].revokedBlock;
        if (revokedBlock != 0) revert RegistryBatchAlreadyRevoked(root, revokedBlock);
    }

    /// @dev Checks the caller, the proof and that neither the batch nor the credential is
    /// revoked, then returns the credential's record.
    function _requireOpenCredential(bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        private
        view
        returns (CredentialRecord memory credential)
    {
        _requireBatchIssuer(root);
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert RegistryInvalidProof(root, leaf);
        _requireBatchNotRevoked(root);
        credential = _credentials[root][leaf];
        if (credential.revokedBlock != 0) {
            revert RegistryCredentialAlreadyRevoked(root, leaf, credential.revokedBlock);
        }
    }

    function _currentName(address issuerAccount) private view returns (string memory) {
        NameRecord[] storage names = _issuerNames[issuerAccount];
        if (names.length == 0) return "";
        return names[names.length - 1].name;
    }
}
