// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IDocumentRegistry} from "./interfaces/IDocumentRegistry.sol";
import {ContractCode} from "./utils/ContractCode.sol";

/// @title DocumentRegistry
/// @notice The Tradeproof ledger: membership, document-type policy, anchors and their lifecycle.
/// @dev Relayed calls arrive through an OpenZeppelin ERC2771Forwarder; `_msgSender()` is then the member
/// who signed the request. Governance calls are never relayed: they come from the council contract.
contract DocumentRegistry is IDocumentRegistry, ERC2771Context {
    using SafeCast for uint256;

    /// @dev One anchor: a single document or a batch root.
    /// This structure fits into a single slot (160 + 24 + 40 + 16 + 8 + 8 bits), so that a register
    /// writes exactly one new slot. {_packRecord} builds the slot image: keep the two in step.
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

    /// @dev This structure fits into a single slot. {_writeRevocation} builds the slot image: keep the two in step.
    struct Revocation {
        address account;
        uint40 revokedAt;
    }

    uint8 private constant _MAX_APPROVALS = 16;
    uint8 private constant _ALL_KINDS = 0x3e; // TRADER..AUDITOR
    uint256 private constant _MAX_NAME_LENGTH = 128;
    /// @dev Bounds of the lists members and the council can grow, so that no loop or view over them can pass a
    /// node's gas cap on a free-gas network (see the NatSpec of {IDocumentRegistry}).
    uint256 private constant _MAX_ACCOUNTS_PER_ORGANISATION = 32;
    uint256 private constant _LATEST_ATTESTATIONS = 2;
    uint256 private constant _MAX_ATTESTATION_PAGE = 256;

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
        // Governance must stay with a contract that only its own code controls: an account without code, or one
        // carrying an EIP-7702 delegation (still driven by its private key), would end M-of-N governance.
        if (!ContractCode.isContract(newCouncil)) revert DocumentRegistryInvalidCouncil(newCouncil);
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
        (uint24 organisation_, uint8 required) = _issuer(account, docType);
        Status status = _anchor(docHash, account, organisation_, docType, required, AnchorKind.SINGLE);
        emit DocumentRegistered(docHash, organisation_, account, docType, status);
    }

    /// @inheritdoc IDocumentRegistry
    function registerBatch(bytes32 root, uint256 count, uint16 docType) external returns (bytes32) {
        if (count == 0) revert DocumentRegistryEmptyBatch();
        address account = _msgSender();
        (uint24 organisation_, uint8 required) = _issuer(account, docType);
        Status status = _anchor(root, account, organisation_, docType, required, AnchorKind.PRIVATE_BATCH);
        emit BatchRegistered(root, organisation_, account, docType, count, false, status);
        return root;
    }

    /// @inheritdoc IDocumentRegistry
    function registerPublicBatch(bytes32[] calldata docHashes, uint16 docType) external returns (bytes32 root) {
        address account = _msgSender();
        (uint24 organisation_, uint8 required) = _issuer(account, docType);
        root = _standardTreeRoot(docHashes);
        Status status = _anchor(root, account, organisation_, docType, required, AnchorKind.PUBLIC_BATCH);
        emit BatchRegistered(root, organisation_, account, docType, docHashes.length, true, status);
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
        _writeRevocation(_revocations[anchor], account);
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
        if (_processProof(proof, _leaf(docHash)) != root) {
            revert DocumentRegistryInvalidProof(root, docHash);
        }
        _writeRevocation(revocation, account);
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
        (uint24 organisation_, OrgKind kind) = _activeMember(account);
        if (kind != OrgKind.CUSTOMS && kind != OrgKind.AGENCY) revert DocumentRegistryNotAttester(account);
        if (outcome == Outcome.NONE) revert DocumentRegistryInvalidOutcome();
        if (docHash == bytes32(0)) revert DocumentRegistryZeroHash();
        _attestations[docHash].push(
            Attestation({
                account: account,
                organisation: organisation_,
                timestamp: block.timestamp.toUint40(),
                outcome: outcome,
                reasonCode: reasonCode
            })
        );
        emit DocumentAttested(docHash, organisation_, account, outcome, reasonCode);
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
    function attestationsOf(bytes32 docHash, uint256 offset, uint256 limit)
        external
        view
        returns (Attestation[] memory page, uint256 total)
    {
        if (limit > _MAX_ATTESTATION_PAGE) revert DocumentRegistryPageTooLarge(limit, _MAX_ATTESTATION_PAGE);
        Attestation[] storage all = _attestations[docHash];
        total = all.length;
        uint256 end = offset >= total ? offset : (total - offset < limit ? total : offset + limit);
        page = new Attestation[](end - offset);
        for (uint256 i = offset; i < end; ++i) {
            page[i - offset] = all[i];
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

    /// @dev The organisation and kind of `account`, which must belong to an active organisation. Read through a
    /// storage pointer: one SLOAD, no memory struct.
    function _activeMember(address account) private view returns (uint24 organisation_, OrgKind kind) {
        Member storage member = _members[account];
        organisation_ = member.organisation;
        if (organisation_ == 0) revert DocumentRegistryNotMember(account);
        if (!member.active) revert DocumentRegistryOrganisationSuspended(organisation_);
        kind = member.kind;
    }

    /// @dev The record of `anchor`, which the active caller's organisation must have anchored.
    function _issuedRecord(address account, bytes32 anchor)
        private
        view
        returns (Record storage record, uint24 organisation_)
    {
        (organisation_,) = _activeMember(account);
        record = _records[anchor];
        if (record.kind == AnchorKind.NONE) revert DocumentRegistryUnknownAnchor(anchor);
        if (record.organisation != organisation_) revert DocumentRegistryNotIssuingOrganisation(account, anchor);
    }

    /// @dev The organisation of `account` and the number of approvals a new anchor of `docType` needs, after
    /// checking that the account is an active member whose organisation kind the type's policy allows.
    /// Two storage reads (the member slot, the policy slot): fields are read through storage pointers rather
    /// than copied into memory structs, which the optimizer turns into one SLOAD per slot and no allocation.
    function _issuer(address account, uint16 docType) private view returns (uint24 organisation_, uint8 required) {
        OrgKind kind;
        (organisation_, kind) = _activeMember(account);
        Policy storage policy = _policies[docType];
        uint8 allowedKinds;
        // Each branch reads its own slot once; merging the two pointers first would cost a second SLOAD.
        if (policy.set) {
            (allowedKinds, required) = (policy.allowedKinds, policy.approvals);
        } else {
            (allowedKinds, required) = (_defaultPolicy.allowedKinds, _defaultPolicy.approvals);
        }
        if (allowedKinds & (uint8(1) << uint8(kind)) == 0) revert DocumentRegistryNotIssuer(account, docType);
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
        // A stored record is never zero (its kind is never NONE), so an empty slot means a free hash.
        uint256 word;
        assembly ("memory-safe") {
            word := sload(record.slot)
        }
        if (word != 0) revert DocumentRegistryAlreadyAnchored(anchor);
        status = required > 1 ? Status.PENDING : Status.VALID;
        word = _packRecord(account, organisation_, block.timestamp.toUint40(), docType, status, kind);
        // One SSTORE of the whole slot: assigning the struct writes it member by member (measured: four extra
        // warm SLOAD/SSTORE pairs, 800 gas, on every anchor).
        assembly ("memory-safe") {
            sstore(record.slot, word)
        }
        if (required > 1) {
            _approvals[anchor] = Approvals({required: required, given: 1});
            _approvedBy[anchor][account] = true;
        }
    }

    /// @dev The slot image of a {Record}: members are packed from the lowest bits up, in declaration order.
    function _packRecord(
        address account,
        uint24 organisation_,
        uint40 anchoredAt,
        uint16 docType,
        Status status,
        AnchorKind kind
    ) private pure returns (uint256) {
        return uint256(uint160(account)) | (uint256(organisation_) << 160) | (uint256(anchoredAt) << 184)
            | (uint256(docType) << 224) | (uint256(uint8(status)) << 240) | (uint256(uint8(kind)) << 248);
    }

    /// @dev Records a revocation by `account` now, writing its slot once (member-wise assignment writes it twice).
    function _writeRevocation(Revocation storage revocation, address account) private {
        uint256 word = uint256(uint160(account)) | (uint256(block.timestamp.toUint40()) << 160);
        assembly ("memory-safe") {
            sstore(revocation.slot, word)
        }
    }

    function _state(bytes32 docHash, bytes32 root, bytes32[] calldata proof)
        private
        view
        returns (DocumentState memory state)
    {
        // Outcomes are recorded against the document, anchored or not: a rejection of an unknown document
        // is part of what a verifier must see. Only the count and the latest few are returned, so that no number
        // of attestations can make a document (or a verifyMany holding it) unreadable; {attestationsOf} pages.
        Attestation[] storage all = _attestations[docHash];
        uint256 count = all.length;
        uint256 shown = count < _LATEST_ATTESTATIONS ? count : _LATEST_ATTESTATIONS;
        state.attestationCount = count;
        state.attestations = new Attestation[](shown);
        for (uint256 i = 0; i < shown; ++i) {
            state.attestations[i] = all[count - shown + i];
        }
        Record memory record = _records[root];
        if (record.kind == AnchorKind.NONE) return state;
        if (record.kind == AnchorKind.SINGLE) {
            if (docHash != root || proof.length != 0) return state;
        } else if (_processProof(proof, _leaf(docHash)) != root) {
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
    }

    function _existingOrganisation(uint24 id) private view returns (Organisation storage org) {
        if (id == 0 || id > _organisationCount) revert DocumentRegistryUnknownOrganisation(id);
        org = _organisations[id];
    }

    function _addAccount(uint24 id, Organisation storage org, address account) private {
        if (account == address(0) || _members[account].organisation != 0) {
            revert DocumentRegistryAccountUnavailable(account);
        }
        if (org.accounts.length >= _MAX_ACCOUNTS_PER_ORGANISATION) {
            revert DocumentRegistryTooManyAccounts(id, _MAX_ACCOUNTS_PER_ORGANISATION);
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
    /// node i has children 2i+1 and 2i+2, and leaf i sits at index 2n-2-i, as the OpenZeppelin merkle-tree
    /// library builds it, so that the root equals `StandardMerkleTree.of(values, ["bytes32"]).root`.
    /// Written in assembly because the figure is per document: no bounds checks, no allocation. The heap lives
    /// in unallocated memory past the free memory pointer; the caller's event then copies the leaves over it,
    /// so the batch pays memory expansion for 2n-1 words once rather than for the tree and the copy.
    function _standardTreeRoot(bytes32[] calldata docHashes) private pure returns (bytes32 root) {
        uint256 n = docHashes.length;
        if (n == 0) revert DocumentRegistryEmptyBatch();
        uint256 unsortedAt;
        assembly ("memory-safe") {
            let tree := mload(0x40)
            // Leaf i goes to node 2n-2-i: walk the leaves forwards and the heap backwards from its last node.
            let node := add(tree, shl(5, sub(shl(1, n), 2)))
            let previous := 0
            let end := add(docHashes.offset, shl(5, n))
            for { let p := docHashes.offset } lt(p, end) { p := add(p, 0x20) } {
                mstore(0x00, calldataload(p))
                mstore(0x00, keccak256(0x00, 0x20))
                let leaf := keccak256(0x00, 0x20)
                if iszero(gt(leaf, previous)) {
                    if gt(p, docHashes.offset) {
                        unsortedAt := shr(5, sub(p, docHashes.offset))
                        break
                    }
                }
                previous := leaf
                mstore(node, leaf)
                node := sub(node, 0x20)
            }
            if iszero(unsortedAt) {
                // Internal nodes n-2 down to 0, each the sorted-pair keccak256 of its two children.
                for { let j := sub(n, 1) } j {} {
                    j := sub(j, 1)
                    let children := add(tree, shl(6, j))
                    let a := mload(add(children, 0x20))
                    let b := mload(add(children, 0x40))
                    let scratch := shl(5, gt(a, b))
                    mstore(scratch, a)
                    mstore(xor(scratch, 0x20), b)
                    mstore(add(tree, shl(5, j)), keccak256(0x00, 0x40))
                }
                root := mload(tree)
            }
        }
        if (unsortedAt != 0) revert DocumentRegistryUnsortedLeaves(unsortedAt);
    }

    /// @dev OpenZeppelin {MerkleProof-processProofCalldata} (sorted-pair keccak256 from `leaf` up), same result
    /// for every input, written in assembly: the library's loop costs about 200 gas an element here (a call and
    /// a bounds check each), this one about 60, and a batch revocation carries a ten-element proof.
    function _processProof(bytes32[] calldata proof, bytes32 leaf) private pure returns (bytes32 node) {
        assembly ("memory-safe") {
            node := leaf
            let end := add(proof.offset, shl(5, proof.length))
            for { let p := proof.offset } lt(p, end) { p := add(p, 0x20) } {
                let sibling := calldataload(p)
                let scratch := shl(5, gt(node, sibling))
                mstore(scratch, node)
                mstore(xor(scratch, 0x20), sibling)
                node := keccak256(0x00, 0x40)
            }
        }
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
