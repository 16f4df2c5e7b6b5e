// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The Tradeproof document ledger
/// @notice Anchors hashes of trade documents (single documents and Merkle batches), keeps their
/// lifecycle (countersignature, supersession, revocation), records border agencies' verification
/// outcomes, and holds the consortium's membership and document-type policy.
/// @dev Membership lives in this contract rather than a separate one so that the permission check of
/// a write costs two storage reads (the member slot and the type policy), not an external call: the gas
/// of an anchor is a product figure.
/// Every change of membership or policy is made by the council (see {ICouncil}).
///
/// Bounds. On a consortium network gas is free, so every list that members can grow is bounded where a loop or a
/// view walks it, and no member can make another's document unreadable:
/// - an organisation holds at most 32 signing accounts ({DocumentRegistryTooManyAccounts}), which bounds the loop of
///   {setOrganisationActive} and the size of {organisation};
/// - {verify} and {verifyMany} return a document's number of attestations and only its latest 2, so their cost does
///   not grow with the number of attestations; {attestationsOf} returns the rest, at most 256 a page
///   ({DocumentRegistryPageTooLarge});
/// - a public batch is bounded by the transaction's own size and gas, which its sender pays for.
interface IDocumentRegistry {
    /// @notice What kind of organisation a member is. The order is part of the ABI.
    enum OrgKind {
        NONE,
        TRADER,
        ISSUING_AUTHORITY,
        CUSTOMS,
        AGENCY,
        AUDITOR
    }

    /// @notice Stored status of an anchor. A document inside a batch takes the batch's status unless it
    /// was revoked on its own. The order is part of the ABI.
    enum Status {
        NOT_FOUND,
        PENDING,
        VALID,
        REVOKED,
        SUPERSEDED
    }

    /// @notice What was anchored under a hash.
    enum AnchorKind {
        NONE,
        SINGLE,
        PRIVATE_BATCH,
        PUBLIC_BATCH
    }

    /// @notice Outcome of a border agency's verification.
    enum Outcome {
        NONE,
        ACCEPTED,
        REJECTED,
        INSPECTED
    }

    /// @notice A verification record left by customs or an agency.
    /// @dev This structure fits into a single slot.
    struct Attestation {
        address account;
        uint24 organisation;
        uint40 timestamp;
        Outcome outcome;
        uint16 reasonCode;
    }

    /// @notice An organisation as seen by a verifier.
    struct OrganisationInfo {
        uint24 id;
        string name;
        bytes2 country;
        OrgKind kind;
        bool active;
        address[] accounts;
    }

    /// @notice Who may register a document type and how many distinct accounts of the issuing
    /// organisation must approve it (1 = no countersignature).
    /// @dev This structure fits into a single slot. `allowedKinds` is a bit set indexed by {OrgKind}.
    struct Policy {
        uint8 allowedKinds;
        uint8 approvals;
        bool set;
    }

    /// @notice One question for {verify}/{verifyMany}: is `docHash` anchored, alone (`root == docHash`,
    /// empty proof) or in the batch `root` (with its Merkle `proof`)?
    struct Query {
        bytes32 docHash;
        bytes32 root;
        bytes32[] proof;
    }

    /// @notice All that a verification result needs that the chain state holds.
    /// @dev `attestationCount` counts the attestations of `docHash` whatever its status (customs may record a
    /// rejection of a document the ledger does not know); `attestations` holds the latest 2 of them (all when there
    /// are fewer), oldest first; {attestationsOf} pages through all of them. `status` is the effective status of the document: NOT_FOUND when the anchor is unknown or
    /// the proof does not lead to it; REVOKED when the document alone was revoked inside its batch.
    struct DocumentState {
        Status status;
        AnchorKind kind;
        bytes32 root;
        uint16 docType;
        address account;
        uint24 organisation;
        OrgKind organisationKind;
        bool organisationActive;
        uint40 anchoredAt;
        uint8 approvalsRequired;
        uint8 approvalsGiven;
        bytes32 supersededBy;
        bytes32 supersedes;
        uint40 revokedAt;
        address revokedBy;
        uint256 attestationCount;
        Attestation[] attestations;
    }

    // ---------------------------------------------------------------- events

    /// @notice The council that governs this registry changed.
    event CouncilChanged(address indexed previousCouncil, address indexed newCouncil);
    /// @notice An organisation was admitted.
    event OrganisationAdded(uint24 indexed organisation, string name, bytes2 country, OrgKind kind);
    /// @notice An organisation was suspended (`active == false`) or reinstated.
    event OrganisationStatusChanged(uint24 indexed organisation, bool active);
    /// @notice A signing account was added to an organisation.
    event AccountAdded(uint24 indexed organisation, address indexed account);
    /// @notice A signing account was removed from an organisation.
    event AccountRemoved(uint24 indexed organisation, address indexed account);
    /// @notice The policy of a document type was set.
    event DocumentPolicySet(uint16 indexed docType, uint8 allowedKinds, uint8 approvals);
    /// @notice The policy of a document type was removed: the type follows the default again.
    event DocumentPolicyCleared(uint16 indexed docType);
    /// @notice The policy of types without one changed.
    event DefaultPolicySet(uint8 allowedKinds, uint8 approvals);

    /// @notice A single document was anchored.
    event DocumentRegistered(
        bytes32 indexed docHash, uint24 indexed organisation, address account, uint16 docType, Status status
    );
    /// @notice A batch root was anchored; `count` documents are under it.
    event BatchRegistered(
        bytes32 indexed root,
        uint24 indexed organisation,
        address account,
        uint16 docType,
        uint256 count,
        bool isPublic,
        Status status
    );
    /// @notice The documents of a public batch, in the tree's leaf order; the contract computed `root`
    /// from exactly these hashes.
    event BatchLeaves(bytes32 indexed root, bytes32[] docHashes);
    /// @notice An account of the issuing organisation approved (countersigned) an anchor.
    event DocumentApproved(
        bytes32 indexed anchor, uint24 indexed organisation, address account, uint8 given, uint8 required
    );
    /// @notice An anchor (a single document or a whole batch) was revoked. Revocation is final.
    event DocumentRevoked(bytes32 indexed anchor, uint24 indexed organisation, address account, string reason);
    /// @notice One document of a batch was revoked. The rest of the batch is unaffected.
    event BatchDocumentRevoked(
        bytes32 indexed root, bytes32 indexed docHash, uint24 indexed organisation, address account, string reason
    );
    /// @notice `oldAnchor` was replaced by `newAnchor`.
    event DocumentSuperseded(
        bytes32 indexed oldAnchor, bytes32 indexed newAnchor, uint24 indexed organisation, address account
    );
    /// @notice Customs or an agency recorded the outcome of its verification of a document.
    event DocumentAttested(
        bytes32 indexed docHash, uint24 indexed organisation, address account, Outcome outcome, uint16 reasonCode
    );

    // ---------------------------------------------------------------- errors

    /// @dev The caller is not the council.
    error DocumentRegistryUnauthorizedCouncil(address caller);
    /// @dev The new council is not a contract (governance would end for good).
    error DocumentRegistryInvalidCouncil(address council);
    /// @dev The account belongs to no organisation.
    error DocumentRegistryNotMember(address account);
    /// @dev The account's organisation is suspended.
    error DocumentRegistryOrganisationSuspended(uint24 organisation);
    /// @dev The account's organisation kind may not register this document type.
    error DocumentRegistryNotIssuer(address account, uint16 docType);
    /// @dev Only customs and agencies attest.
    error DocumentRegistryNotAttester(address account);
    /// @dev The account does not belong to the organisation that anchored `anchor`.
    error DocumentRegistryNotIssuingOrganisation(address account, bytes32 anchor);
    /// @dev The hash is zero.
    error DocumentRegistryZeroHash();
    /// @dev Something is already anchored under this hash.
    error DocumentRegistryAlreadyAnchored(bytes32 anchor);
    /// @dev Nothing is anchored under this hash.
    error DocumentRegistryUnknownAnchor(bytes32 anchor);
    /// @dev The anchor is not waiting for approvals.
    error DocumentRegistryNotPending(bytes32 anchor);
    /// @dev The account already approved (or registered) this anchor.
    error DocumentRegistryAlreadyApproved(bytes32 anchor, address account);
    /// @dev The anchor, or this document of it, is already revoked.
    error DocumentRegistryAlreadyRevoked(bytes32 anchor, bytes32 docHash);
    /// @dev The anchor cannot be superseded in its current status.
    error DocumentRegistryNotSupersedable(bytes32 anchor, Status status);
    /// @dev The anchor cannot succeed another one in its current status or already succeeds one.
    error DocumentRegistryInvalidSuccessor(bytes32 anchor);
    /// @dev The anchor is not a batch.
    error DocumentRegistryNotBatch(bytes32 anchor);
    /// @dev The proof does not lead from `docHash` to `root`.
    error DocumentRegistryInvalidProof(bytes32 root, bytes32 docHash);
    /// @dev A batch must hold at least one document.
    error DocumentRegistryEmptyBatch();
    /// @dev Public batch leaves must come in the tree's order (strictly ascending leaf hashes).
    error DocumentRegistryUnsortedLeaves(uint256 index);
    /// @dev The outcome is NONE.
    error DocumentRegistryInvalidOutcome();
    /// @dev The organisation does not exist.
    error DocumentRegistryUnknownOrganisation(uint24 organisation);
    /// @dev The account already belongs to an organisation, or is the zero address.
    error DocumentRegistryAccountUnavailable(address account);
    /// @dev The country is not two upper-case ASCII letters.
    error DocumentRegistryInvalidCountry(bytes2 country);
    /// @dev The kind is NONE or out of range.
    error DocumentRegistryInvalidKind(uint8 kind);
    /// @dev The organisation name is empty or longer than 128 bytes.
    error DocumentRegistryInvalidName();
    /// @dev A policy needs at least one allowed kind and between 1 and 16 approvals.
    error DocumentRegistryInvalidPolicy(uint8 allowedKinds, uint8 approvals);
    /// @dev The organisation already holds the most signing accounts allowed (`max`, 32): remove one first.
    error DocumentRegistryTooManyAccounts(uint24 organisation, uint256 max);
    /// @dev A page of {attestationsOf} holds at most `max` (256) entries.
    error DocumentRegistryPageTooLarge(uint256 limit, uint256 max);

    // ---------------------------------------------------------------- governance (council only)

    /// @notice Hands governance to another council contract. Council only.
    /// @dev `newCouncil` must hold contract code that is not an EIP-7702 delegation: an account that a private key
    /// still controls would end M-of-N governance ({DocumentRegistryInvalidCouncil}).
    function setCouncil(address newCouncil) external;

    /// @notice Admits an organisation with its first signing accounts (at most 32). Council only.
    /// @return id The new organisation's id (ids start at 1).
    function addOrganisation(string calldata name, bytes2 country, OrgKind kind, address[] calldata accounts)
        external
        returns (uint24 id);

    /// @notice Suspends (`active == false`) or reinstates an organisation. Council only.
    /// @dev A suspended organisation cannot write; what it anchored before stays verifiable.
    function setOrganisationActive(uint24 organisation, bool active) external;

    /// @notice Adds a signing account to an organisation, which holds at most 32. Council only.
    function addAccount(uint24 organisation, address account) external;

    /// @notice Removes a signing account. Council only. The organisation's history is untouched.
    function removeAccount(address account) external;

    /// @notice Replaces one signing account by another in the same organisation, in one step. Council only.
    function rotateAccount(address oldAccount, address newAccount) external;

    /// @notice Sets the policy of one UNTDID 1001 document type. Council only.
    function setDocumentPolicy(uint16 docType, uint8 allowedKinds, uint8 approvals) external;

    /// @notice Removes the policy of a document type, which then follows the default. Council only.
    function clearDocumentPolicy(uint16 docType) external;

    /// @notice Sets the policy of document types without one. Council only.
    function setDefaultPolicy(uint8 allowedKinds, uint8 approvals) external;

    // ---------------------------------------------------------------- lifecycle (members)

    /// @notice Anchors one document. It is VALID at once, or PENDING until its type's number of
    /// distinct accounts of the caller's organisation have approved it (the caller counts as the first).
    function register(bytes32 docHash, uint16 docType) external;

    /// @notice Anchors a private batch: only its Merkle root and size go on chain; each document is
    /// verified with its receipt.
    function registerBatch(bytes32 root, uint256 count, uint16 docType) external returns (bytes32);

    /// @notice Anchors a public batch: the contract computes the OpenZeppelin standard-tree root of
    /// `docHashes` (given in the tree's leaf order) and emits them, so that any of them can be found by
    /// its hash alone.
    /// @return root The batch root.
    function registerPublicBatch(bytes32[] calldata docHashes, uint16 docType) external returns (bytes32 root);

    /// @notice Countersigns a PENDING anchor, as an account of its organisation that has not yet approved it.
    function approve(bytes32 anchor) external;

    /// @notice Revokes a single document or a whole batch. Revocation is final.
    function revoke(bytes32 anchor, string calldata reason) external;

    /// @notice Revokes one document of a batch, proved to be in it. The rest of the batch is unaffected.
    function revokeInBatch(bytes32 root, bytes32 docHash, bytes32[] calldata proof, string calldata reason)
        external;

    /// @notice Replaces `oldAnchor` by the amended `newAnchor`, both anchored by the caller's organisation.
    function supersede(bytes32 oldAnchor, bytes32 newAnchor) external;

    /// @notice Records the outcome of a verification, as customs or an agency. It never changes the
    /// document's status. The document need not be known to the ledger (a rejection may be why; and a document
    /// of a private batch is known to the ledger only through its receipt). An organisation may record several
    /// outcomes for one document (inspected, then accepted): each is kept, in order.
    function attest(bytes32 docHash, Outcome outcome, uint16 reasonCode) external;

    // ---------------------------------------------------------------- views

    /// @notice The council.
    function council() external view returns (address);

    /// @notice The state of one document, alone (`root == docHash`) or in the batch `root` with `proof`.
    function verify(bytes32 docHash, bytes32 root, bytes32[] calldata proof)
        external
        view
        returns (DocumentState memory);

    /// @notice {verify} for many documents in one call. Its cost grows with the number of queries and proof
    /// lengths only, never with what members attached to the documents.
    function verifyMany(Query[] calldata queries) external view returns (DocumentState[] memory);

    /// @notice The attestations of `docHash` from position `offset` (0 = oldest), at most `limit` of them
    /// (`limit` at most 256), and how many there are in all.
    function attestationsOf(bytes32 docHash, uint256 offset, uint256 limit)
        external
        view
        returns (Attestation[] memory page, uint256 total);

    /// @notice An organisation, with its accounts.
    function organisation(uint24 id) external view returns (OrganisationInfo memory);

    /// @notice The number of organisations ever admitted (their ids are 1 to this number).
    function organisationCount() external view returns (uint24);

    /// @notice The organisation of an account (0 when none), its kind and whether it is active.
    function accountOf(address account) external view returns (uint24 organisation, OrgKind kind, bool active);

    /// @notice The policy that applies to a document type (its own, or the default).
    function policyOf(uint16 docType) external view returns (Policy memory);

    /// @notice The leaf of `docHash` in an OpenZeppelin standard Merkle tree with leaf encoding `["bytes32"]`.
    function leafHash(bytes32 docHash) external pure returns (bytes32);
}
