// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The consortium council
/// @notice M-of-N governance: a governor proposes a list of calls, other governors approve, and once
/// `threshold` current governors have approved (the proposer counts as the first), any governor executes
/// it, once, before it expires. The council governs the registry's membership and policy, and itself:
/// its governors, threshold and proposal lifetime change only through its own proposals.
///
/// Bounds (gas is free on a consortium network, so every loop is bounded): at most 32 governors
/// ({CouncilTooManyGovernors}), at most 32 calls a proposal ({CouncilTooManyCalls}). A council of two or more
/// never shrinks below two governors ({CouncilTooFewGovernors}): with one governor left there is no second pair of
/// eyes, and M >= 2 is the rule for any council of two or more. To replace a governor, add the new one first and
/// remove the old one after, in one proposal if need be.
interface ICouncil {
    /// @notice One call a proposal makes.
    struct Call {
        address target;
        bytes data;
    }

    /// @notice A proposal as seen by auditors.
    struct ProposalInfo {
        address proposer;
        uint40 createdAt;
        uint40 expiresAt;
        bool executed;
        uint256 approvals;
        string description;
        Call[] calls;
    }

    /// @notice A governor proposed `calls`.
    event ProposalCreated(uint256 indexed id, address indexed proposer, uint40 expiresAt, string description, Call[] calls);
    /// @notice A governor approved a proposal.
    event ProposalApproved(uint256 indexed id, address indexed governor);
    /// @notice A governor took back an approval.
    event ProposalApprovalWithdrawn(uint256 indexed id, address indexed governor);
    /// @notice A proposal's calls were made.
    event ProposalExecuted(uint256 indexed id, address indexed executor);
    /// @notice A governor joined the council.
    event GovernorAdded(address indexed governor);
    /// @notice A governor left the council.
    event GovernorRemoved(address indexed governor);
    /// @notice The number of approvals a proposal needs changed.
    event ThresholdChanged(uint256 threshold);
    /// @notice The time a proposal stays open changed.
    event ProposalLifetimeChanged(uint40 lifetime);

    /// @dev The caller is not a governor.
    error CouncilNotGovernor(address account);
    /// @dev Only the council itself (through an executed proposal) may do this.
    error CouncilOnlySelf(address caller);
    /// @dev No such proposal.
    error CouncilUnknownProposal(uint256 id);
    /// @dev The proposal was executed already.
    error CouncilAlreadyExecuted(uint256 id);
    /// @dev The proposal expired at `expiresAt`.
    error CouncilProposalExpired(uint256 id, uint40 expiresAt);
    /// @dev The governor already approved the proposal.
    error CouncilAlreadyApproved(uint256 id, address governor);
    /// @dev The governor has not approved the proposal.
    error CouncilNotApproved(uint256 id, address governor);
    /// @dev The proposal has `approvals` of the `threshold` it needs.
    error CouncilBelowThreshold(uint256 id, uint256 approvals, uint256 threshold);
    /// @dev A proposal makes at least one call.
    error CouncilEmptyProposal();
    /// @dev The threshold must be at least 2 (1 for a council of one) and at most the number of governors.
    error CouncilInvalidThreshold(uint256 threshold, uint256 governors);
    /// @dev The account is already a governor, or is the zero address.
    error CouncilGovernorUnavailable(address account);
    /// @dev The lifetime must be between one hour and a year.
    error CouncilInvalidLifetime(uint40 lifetime);
    /// @dev Call `index` of the proposal targets an account without contract code (none, or an EIP-7702
    /// delegation, which a private key still controls).
    error CouncilTargetNotContract(uint256 id, uint256 index, address target);
    /// @dev A call of the proposal reverted with `reason`.
    error CouncilCallFailed(uint256 id, uint256 index, bytes reason);
    /// @dev The council already has the most governors allowed (`max`, 32).
    error CouncilTooManyGovernors(uint256 max);
    /// @dev A proposal makes at most `max` (32) calls.
    error CouncilTooManyCalls(uint256 count, uint256 max);
    /// @dev Removing the governor would leave `remaining`, fewer than `minimum` (2): add another governor first.
    error CouncilTooFewGovernors(uint256 remaining, uint256 minimum);

    /// @notice Proposes `calls` (1 to 32) and approves them as the proposer.
    function propose(Call[] calldata calls, string calldata description) external returns (uint256 id);

    /// @notice Approves a proposal.
    function approve(uint256 id) external;

    /// @notice Takes back an approval of a proposal that has not been executed.
    function withdrawApproval(uint256 id) external;

    /// @notice Makes a proposal's calls, once enough current governors approved it and before it expires.
    function execute(uint256 id) external;

    /// @notice Adds a governor (at most 32 in all). Council only.
    function addGovernor(address governor) external;

    /// @notice Removes a governor; the threshold must still be reachable and at least two governors must remain.
    /// Council only.
    function removeGovernor(address governor) external;

    /// @notice Sets the number of approvals a proposal needs. Council only.
    function setThreshold(uint256 threshold) external;

    /// @notice Sets how long a proposal stays open. Council only.
    function setProposalLifetime(uint40 lifetime) external;

    /// @notice The current governors.
    function governors() external view returns (address[] memory);

    /// @notice Whether `account` is a governor.
    function isGovernor(address account) external view returns (bool);

    /// @notice The number of approvals a proposal needs.
    function threshold() external view returns (uint256);

    /// @notice How long a proposal stays open, in seconds.
    function proposalLifetime() external view returns (uint40);

    /// @notice The number of proposals ever made (ids are 1 to this number).
    function proposalCount() external view returns (uint256);

    /// @notice A proposal, with the number of its approvals that come from current governors.
    function proposal(uint256 id) external view returns (ProposalInfo memory);

    /// @notice Whether `governor` approved proposal `id` (and is still the governor who did).
    function hasApproved(uint256 id, address governor) external view returns (bool);
}
