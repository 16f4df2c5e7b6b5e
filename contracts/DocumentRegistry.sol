// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IDocumentRegistry} from "./interfaces/IDocumentRegistry.sol";

/// @title DocumentRegistry
/// @notice The Tradeproof ledger: membership, document-type policy, anchors and their lifecycle.
/// @dev Relayed calls arrive through an OpenZeppelin ERC2771Forwarder; `_msgSender()` is then the member
/// who signed the request. Governance calls are never relayed: they come from the council contract.
contract DocumentRegistry is IDocumentRegistry, ERC2771Context {
    using SafeCast for uint256;

    /// @dev One anchor: a single document or a batch root.
    /// This structure fits into a single slot (160 + 24 + 40 + 16 + 8 + 8 bits), so that a register
    /// writes exactly one new slot.
    struct Record {
        address account;
        uint24 organisation;
        uint40 anchoredAt;
        uint16 docType;
        Status status;
        AnchorKind kind;
    }

    /// @dev What a write needs to know of its caller. This structure fits into a single slot. The kind
    /// and the active flag are copies of the organisation's, kept in step on suspension, so that a
    /// permission check is one storage read.
    struct Member {
        uint24 organisation;
        OrgKind kind;
        bool active;
    }

    struct Organisation {
        string name;
        bytes2 country;
        OrgKind kind;
        bool active;
        address[] accounts;
    }

    /// @dev Countersignature progress of a PENDING anchor. This structure fits into a single slot.
    struct Approvals {
        uint8 required;
        uint8 given;
    }

    /// @dev This structure fits into a single slot.
    struct Revocation {
        address account;
        uint40 revokedAt;
    }

    uint8 private constant _MAX_APPROVALS = 16;
    uint8 private constant _ALL_KINDS = 0x3e; // TRADER..AUDITOR
    uint256 private constant _MAX_NAME_LENGTH = 128;

    address private _council;
    uint24 private _organisationCount;
    Policy private _defaultPolicy;

    mapping(bytes32 anchor => Record) private _records;
    mapping(address account => Member) private _members;
    mapping(uint24 id => Organisation) private _organisations;
    mapping(uint16 docType => Policy) private _policies;
    mapping(bytes32 anchor => Approvals) private _approvals;
    mapping(bytes32 anchor => mapping(address account => bool)) private _approvedBy;
    mapping(bytes32 anchor => Revocation) private _revocations;
    mapping(bytes32 root => mapping(bytes32 docHash => Revocation)) private _leafRevocations;
    mapping(bytes32 anchor => bytes32 successor) private _successors;
    mapping(bytes32 anchor => bytes32 predecessor) private _predecessors;
    mapping(bytes32 docHash => Attestation[]) private _attestations;

    modifier onlyCouncil() {
        if (msg.sender != _council) revert DocumentRegistryUnauthorizedCouncil(msg.sender);
        _;
    }

    /// @param council_ The council contract that governs membership and policy.
    /// @param trustedForwarder_ The ERC-2771 forwarder through which relayed requests arrive.
    /// @param defaultKinds The kinds that may register types without a policy (a bit set by {OrgKind}).
    constructor(address council_, address trustedForwarder_, uint8 defaultKinds) ERC2771Context(trustedForwarder_) {
        _council = council_;
        emit CouncilChanged(address(0), council_);
        _setDefaultPolicy(defaultKinds, 1);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IDocumentRegistry
    function setCouncil(address newCouncil) external onlyCouncil {
        emit CouncilChanged(_council, newCouncil);
        _council = newCouncil;
    }

    /// @inheritdoc IDocumentRegistry
    function addOrganisation(string calldata name, bytes2 country, OrgKind kind, address[] calldata accounts)
        external
        onlyCouncil
        returns (uint24 id)
    {
        if (bytes(name).length == 0 || bytes(name).length > _MAX_NAME_LENGTH) revert DocumentRegistryInvalidName();
        if (!_isCountry(country)) revert DocumentRegistryInvalidCountry(country);
        if (kind == OrgKind.NONE) revert DocumentRegistryInvalidKind(uint8(kind));
        id = _organisationCount + 1;
        _organisationCount = id;
        Organisation storage org = _organisations[id];
        org.name = name;
        org.country = country;
        org.kind = kind;
        org.active = true;
        emit OrganisationAdded(id, name, country, kind);
        for (uint256 i = 0; i < accounts.length; ++i) {
            _addAccount(id, org, accounts[i]);
        }
    }

    /// @inheritdoc IDocumentRegistry
    function setOrganisationActive(uint24 organisation_, bool active) external onlyCouncil {
        Organisation storage org = _existingOrganisation(organisation_);
        org.active = active;
        address[] storage accounts = org.accounts;
        for (uint256 i = 0; i < accounts.length; ++i) {
            _members[accounts[i]].active = active;
        }
        emit OrganisationStatusChanged(organisation_, active);
    }

    /// @inheritdoc IDocumentRegistry
    function addAccount(uint24 organisation_, address account) external onlyCouncil {
        _addAccount(organisation_, _existingOrganisation(organisation_), account);
    }

    /// @inheritdoc IDocumentRegistry
    function removeAccount(address account) external onlyCouncil {
        _removeAccount(account);
    }

    /// @inheritdoc IDocumentRegistry
    function rotateAccount(address oldAccount, address newAccount) external onlyCouncil {
        uint24 id = _removeAccount(oldAccount);
        _addAccount(id, _organisations[id], newAccount);
    }

    /// @inheritdoc IDocumentRegistry
    function setDocumentPolicy(uint16 docType, uint8 allowedKinds, uint8 approvals) external onlyCouncil {
        _checkPolicy(allowedKinds, approvals);
        _policies[docType] = Policy({allowedKinds: allowedKinds, approvals: approvals, set: true});
        emit DocumentPolicySet(docType, allowedKinds, approvals);
    }

    /// @inheritdoc IDocumentRegistry
    function clearDocumentPolicy(uint16 docType) external onlyCouncil {
        delete _policies[docType];
        emit DocumentPolicyCleared(docType);
    }

    /// @inheritdoc IDocumentRegistry
    function setDefaultPolicy(uint8 allowedKinds, uint8 approvals) external onlyCouncil {
        _setDefaultPolicy(allowedKinds, approvals);
    }

    // ---------------------------------------------------------------- lifecycle

    /// @inheritdoc IDocumentRegistry
    function register(bytes32 docHash, uint16 docType) external {
        address account = _msgSender();
        Member memory member = _activeMember(account);
        uint8 required = _requiredApprovals(account, member.kind, docType);
        Status status = _anchor(docHash, account, member.organisation, docType, required, AnchorKind.SINGLE);
        emit DocumentRegistered(docHash, member.organisation, account, docType, status);
    }

    /// @inheritdoc IDocumentRegistry
    function registerBatch(bytes32 root, uint256 count, uint16 docType) external returns (bytes32) {
        if (count == 0) revert DocumentRegistryEmptyBatch();
        address account = _msgSender();
        Member memory member = _activeMember(account);
        uint8 required = _requiredApprovals(account, member.kind, docType);
        Status status = _anchor(root, account, member.organisation, docType, required, AnchorKind.PRIVATE_BATCH);
        emit BatchRegistered(root, member.organisation, account, docType, count, false, status);
        return root;
    }

    /// @inheritdoc IDocumentRegistry
    function registerPublicBatch(bytes32[] calldata docHashes, uint16 docType) external returns (bytes32 root) {
        address account = _msgSender();
        Member memory member = _activeMember(account);
        uint8 required = _requiredApprovals(account, member.kind, docType);
        root = _standardTreeRoot(docHashes);
        Status status = _anchor(root, account, member.organisation, docType, required, AnchorKind.PUBLIC_BATCH);
        emit BatchRegistered(root, member.organisation, account, docType, docHashes.length, true, status);
        emit BatchLeaves(root, docHashes);
    }

    /// @inheritdoc IDocumentRegistry
    function approve(bytes32 anchor) external {
        address account = _msgSender();
        (Record storage record, uint24 organisation_) = _issuedRecord(account, anchor);
        if (record.status != Status.PENDING) revert DocumentRegistryNotPending(anchor);
        if (_approvedBy[anchor][account]) revert DocumentRegistryAlreadyApproved(anchor, account);
        _approvedBy[anchor][account] = true;
        Approvals storage approvals = _approvals[anchor];
        uint8 given = approvals.given + 1;
        uint8 required = approvals.required;
        approvals.given = given;
        if (given >= required) record.status = Status.VALID;
        emit DocumentApproved(anchor, organisation_, account, given, required);
    }

    /// @inheritdoc IDocumentRegistry
    function revoke(bytes32 anchor, string calldata reason) external {
        address account = _msgSender();
        (Record storage record, uint24 organisation_) = _issuedRecord(account, anchor);
        if (record.status == Status.REVOKED) revert DocumentRegistryAlreadyRevoked(anchor, anchor);
        record.status = Status.REVOKED;
        _revocations[anchor] = Revocation({account: account, revokedAt: block.timestamp.toUint40()});
        emit DocumentRevoked(anchor, organisation_, account, reason);
    }

    /// @inheritdoc IDocumentRegistry
    function revokeInBatch(bytes32 root, bytes32 docHash, bytes32[] calldata proof, string calldata reason)
        external
    {
        address account = _msgSender();
        (Record storage record, uint24 organisation_) = _issuedRecord(account, root);
        AnchorKind kind = record.kind;
        if (kind != AnchorKind.PRIVATE_BATCH && kind != AnchorKind.PUBLIC_BATCH) revert DocumentRegistryNotBatch(root);
        if (record.status == Status.REVOKED) revert DocumentRegistryAlreadyRevoked(root, docHash);
        Revocation storage revocation = _leafRevocations[root][docHash];
        if (revocation.revokedAt != 0) revert DocumentRegistryAlreadyRevoked(root, docHash);
        if (!MerkleProof.verifyCalldata(proof, root, _leaf(docHash))) {
            revert DocumentRegistryInvalidProof(root, docHash);
        }
        revocation.account = account;
        revocation.revokedAt = block.timestamp.toUint40();
        emit BatchDocumentRevoked(root, docHash, organisation_, account, reason);
    }

    /// @inheritdoc IDocumentRegistry
    function supersede(bytes32 oldAnchor, bytes32 newAnchor) external {
        address account = _msgSender();
        (Record storage oldRecord, uint24 organisation_) = _issuedRecord(account, oldAnchor);
        (Record storage newRecord,) = _issuedRecord(account, newAnchor);
        Status oldStatus = oldRecord.status;
        if (oldStatus != Status.VALID && oldStatus != Status.PENDING) {
            revert DocumentRegistryNotSupersedable(oldAnchor, oldStatus);
        }
        Status newStatus = newRecord.status;
        if (
            oldAnchor == newAnchor || (newStatus != Status.VALID && newStatus != Status.PENDING)
                || _predecessors[newAnchor] != bytes32(0)
        ) revert DocumentRegistryInvalidSuccessor(newAnchor);
        oldRecord.status = Status.SUPERSEDED;
        _successors[oldAnchor] = newAnchor;
        _predecessors[newAnchor] = oldAnchor;
        emit DocumentSuperseded(oldAnchor, newAnchor, organisation_, account);
    }

    /// @inheritdoc IDocumentRegistry
    function attest(bytes32 docHash, Outcome outcome, uint16 reasonCode) external {
        address account = _msgSender();
        Member memory member = _activeMember(account);
        if (member.kind != OrgKind.CUSTOMS && member.kind != OrgKind.AGENCY) revert DocumentRegistryNotAttester(account);
        if (outcome == Outcome.NONE) revert DocumentRegistryInvalidOutcome();
        if (docHash == bytes32(0)) revert DocumentRegistryZeroHash();
        _attestations[docHash].push(
            Attestation({
                account: account,
                organisation: member.organisation,
                timestamp: block.timestamp.toUint40(),
                outcome: outcome,
                reasonCode: reasonCode
            })
        );
        emit DocumentAttested(docHash, member.organisation, account, outcome, reasonCode);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDocumentRegistry
    function council() external view returns (address) {
        return _council;
    }

    /// @inheritdoc IDocumentRegistry
    function verify(bytes32 docHash, bytes32 root, bytes32[] calldata proof)
        external
        view
        returns (DocumentState memory)
    {
        return _state(docHash, root, proof);
    }

    /// @inheritdoc IDocumentRegistry
    function verifyMany(Query[] calldata queries) external view returns (DocumentState[] memory states) {
        states = new DocumentState[](queries.length);
        for (uint256 i = 0; i < queries.length; ++i) {
            states[i] = _state(queries[i].docHash, queries[i].root, queries[i].proof);
        }
    }

    /// @inheritdoc IDocumentRegistry
    function organisation(uint24 id) external view returns (OrganisationInfo memory) {
        Organisation storage org = _existingOrganisation(id);
        return OrganisationInfo({
            id: id, name: org.name, country: org.country, kind: org.kind, active: org.active, accounts: org.accounts
        });
    }

    /// @inheritdoc IDocumentRegistry
    function organisationCount() external view returns (uint24) {
        return _organisationCount;
    }

    /// @inheritdoc IDocumentRegistry
    function accountOf(address account) external view returns (uint24, OrgKind, bool) {
        Member memory member = _members[account];
        return (member.organisation, member.kind, member.active);
    }

    /// @inheritdoc IDocumentRegistry
    function policyOf(uint16 docType) public view returns (Policy memory policy) {
        policy = _policies[docType];
        if (!policy.set) policy = _defaultPolicy;
    }

    /// @inheritdoc IDocumentRegistry
    function leafHash(bytes32 docHash) external pure returns (bytes32) {
        return _leaf(docHash);
    }

    // ---------------------------------------------------------------- private

    function _activeMember(address account) private view returns (Member memory member) {
        member = _members[account];
        if (member.organisation == 0) revert DocumentRegistryNotMember(account);
        if (!member.active) revert DocumentRegistryOrganisationSuspended(member.organisation);
    }

    /// @dev The record of `anchor`, which the active caller's organisation must have anchored.
    function _issuedRecord(address account, bytes32 anchor)
        private
        view
        returns (Record storage record, uint24 organisation_)
    {
        Member memory member = _activeMember(account);
        record = _records[anchor];
        if (record.kind == AnchorKind.NONE) revert DocumentRegistryUnknownAnchor(anchor);
        if (record.organisation != member.organisation) revert DocumentRegistryNotIssuingOrganisation(account, anchor);
        organisation_ = member.organisation;
    }

    /// @dev The number of approvals a new anchor of `docType` needs, after checking that `kind` may register it.
    function _requiredApprovals(address account, OrgKind kind, uint16 docType) private view returns (uint8) {
        Policy memory policy = _policies[docType];
        if (!policy.set) policy = _defaultPolicy;
        if (policy.allowedKinds & (uint8(1) << uint8(kind)) == 0) revert DocumentRegistryNotIssuer(account, docType);
        return policy.approvals;
    }

    function _anchor(
        bytes32 anchor,
        address account,
        uint24 organisation_,
        uint16 docType,
        uint8 required,
        AnchorKind kind
    ) private returns (Status status) {
        if (anchor == bytes32(0)) revert DocumentRegistryZeroHash();
        Record storage record = _records[anchor];
        if (record.kind != AnchorKind.NONE) revert DocumentRegistryAlreadyAnchored(anchor);
        status = required > 1 ? Status.PENDING : Status.VALID;
        _records[anchor] = Record({
            account: account,
            organisation: organisation_,
            anchoredAt: block.timestamp.toUint40(),
            docType: docType,
            status: status,
            kind: kind
        });
        if (required > 1) {
            _approvals[anchor] = Approvals({required: required, given: 1});
            _approvedBy[anchor][account] = true;
        }
    }

    function _state(bytes32 docHash, bytes32 root, bytes32[] calldata proof)
        private
        view
        returns (DocumentState memory state)
    {
        Record memory record = _records[root];
        if (record.kind == AnchorKind.NONE) return state;
        if (record.kind == AnchorKind.SINGLE) {
            if (docHash != root || proof.length != 0) return state;
        } else if (!MerkleProof.verifyCalldata(proof, root, _leaf(docHash))) {
            return state;
        }
        Organisation storage org = _organisations[record.organisation];
        state.status = record.status;
        state.kind = record.kind;
        state.root = root;
        state.docType = record.docType;
        state.account = record.account;
        state.organisation = record.organisation;
        state.organisationKind = org.kind;
        state.organisationActive = org.active;
        state.anchoredAt = record.anchoredAt;
        Approvals memory approvals = _approvals[root];
        if (approvals.required == 0) {
            (state.approvalsRequired, state.approvalsGiven) = (1, 1);
        } else {
            (state.approvalsRequired, state.approvalsGiven) = (approvals.required, approvals.given);
        }
        state.supersededBy = _successors[root];
        state.supersedes = _predecessors[root];
        Revocation memory revocation = _revocations[root];
        if (revocation.revokedAt == 0 && record.kind != AnchorKind.SINGLE) {
            revocation = _leafRevocations[root][docHash];
            if (revocation.revokedAt != 0) state.status = Status.REVOKED;
        }
        state.revokedAt = revocation.revokedAt;
        state.revokedBy = revocation.account;
        state.attestations = _attestations[docHash];
    }

    function _existingOrganisation(uint24 id) private view returns (Organisation storage org) {
        if (id == 0 || id > _organisationCount) revert DocumentRegistryUnknownOrganisation(id);
        org = _organisations[id];
    }

    function _addAccount(uint24 id, Organisation storage org, address account) private {
        if (account == address(0) || _members[account].organisation != 0) {
            revert DocumentRegistryAccountUnavailable(account);
        }
        _members[account] = Member({organisation: id, kind: org.kind, active: org.active});
        org.accounts.push(account);
        emit AccountAdded(id, account);
    }

    function _removeAccount(address account) private returns (uint24 id) {
        id = _members[account].organisation;
        if (id == 0) revert DocumentRegistryNotMember(account);
        address[] storage accounts = _organisations[id].accounts;
        uint256 last = accounts.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (accounts[i] == account) {
                accounts[i] = accounts[last];
                accounts.pop();
                break;
            }
        }
        delete _members[account];
        emit AccountRemoved(id, account);
    }

    function _setDefaultPolicy(uint8 allowedKinds, uint8 approvals) private {
        _checkPolicy(allowedKinds, approvals);
        _defaultPolicy = Policy({allowedKinds: allowedKinds, approvals: approvals, set: true});
        emit DefaultPolicySet(allowedKinds, approvals);
    }

    function _checkPolicy(uint8 allowedKinds, uint8 approvals) private pure {
        if (allowedKinds == 0 || allowedKinds & ~_ALL_KINDS != 0 || approvals == 0 || approvals > _MAX_APPROVALS) {
            revert DocumentRegistryInvalidPolicy(allowedKinds, approvals);
        }
    }

    /// @dev OpenZeppelin standard tree root over `docHashes`, which must be given in the tree's leaf order
    /// (strictly ascending leaf hashes, so also free of duplicates). Nodes are laid out as a binary heap:
    /// node i has children 2i+1 and 2i+2, and leaf i sits at index 2n-2-i, as the
    /// OpenZeppelin merkle-tree library builds it, so that the root equals `StandardMerkleTree.of(values, ["bytes32"]).root`.
    function _standardTreeRoot(bytes32[] calldata docHashes) private pure returns (bytes32 root) {
        uint256 n = docHashes.length;
        if (n == 0) revert DocumentRegistryEmptyBatch();
        bytes32[] memory tree = new bytes32[](2 * n - 1);
        bytes32 previous;
        unchecked {
            for (uint256 i = 0; i < n; ++i) {
                bytes32 leaf = _leaf(docHashes[i]);
                if (i != 0 && leaf <= previous) revert DocumentRegistryUnsortedLeaves(i);
                previous = leaf;
                tree[2 * n - 2 - i] = leaf;
            }
            for (uint256 j = n - 1; j > 0;) {
                --j;
                tree[j] = Hashes.commutativeKeccak256(tree[2 * j + 1], tree[2 * j + 2]);
            }
        }
        return tree[0];
    }

    function _leaf(bytes32 docHash) private pure returns (bytes32 leaf) {
        assembly ("memory-safe") {
            mstore(0x00, docHash)
            mstore(0x00, keccak256(0x00, 0x20))
            leaf := keccak256(0x00, 0x20)
        }
    }

    function _isCountry(bytes2 country) private pure returns (bool) {
        uint8 a = uint8(country[0]);
        uint8 b = uint8(country[1]);
        return a >= 0x41 && a <= 0x5a && b >= 0x41 && b <= 0x5a;
    }
}
