// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICouncil} from "./interfaces/ICouncil.sol";
import {ContractCode} from "./utils/ContractCode.sol";

/// @title Council
/// @notice M-of-N governance of the Tradeproof consortium. See {ICouncil}.
/// @dev Approvals are counted over the current governors when a proposal executes, so an approval
/// by a governor who has since left the council no longer counts. An approval is tagged with the
/// governor's term (a counter bumped on every admission), so one given before a removal does not come
/// back if the same account is admitted again.
contract Council is ICouncil, ERC2771Context {
    using SafeCast for uint256;

    struct Proposal {
        address proposer;
        uint40 createdAt;
        uint40 expiresAt;
        bool executed;
        string description;
        Call[] calls;
    }

    uint40 private constant _MIN_LIFETIME = 1 hours;
    uint40 private constant _MAX_LIFETIME = 365 days;
    /// @dev Bounds of the loops over governors (approval counts) and over a proposal's calls (see {ICouncil}).
    uint256 private constant _MAX_GOVERNORS = 32;
    uint256 private constant _MAX_CALLS = 32;
    /// @dev A council of two or more never shrinks below two: M-of-N with M >= 2 needs a second governor.
    uint256 private constant _MIN_GOVERNORS = 2;

    address[] private _governors;
    uint256 private _threshold;
    uint40 private _proposalLifetime;
    uint256 private _proposalCount;
    uint256 private _termCount;
    mapping(address account => bool) private _isGovernor;
    mapping(address governor => uint256 term) private _terms;
    mapping(uint256 id => Proposal) private _proposals;
    mapping(uint256 id => mapping(address governor => uint256 term)) private _approvals;

    modifier onlyGovernor() {
        if (!_isGovernor[_msgSender()]) revert CouncilNotGovernor(_msgSender());
        _;
    }

    modifier onlySelf() {
        if (msg.sender != address(this)) revert CouncilOnlySelf(msg.sender);
        _;
    }

    /// @param governors_ The first governors.
    /// @param threshold_ The number of approvals a proposal needs.
    /// @param lifetime How long a proposal stays open, in seconds.
    /// @param trustedForwarder_ The ERC-2771 forwarder through which relayed governor requests arrive.
    constructor(address[] memory governors_, uint256 threshold_, uint40 lifetime, address trustedForwarder_)
        ERC2771Context(trustedForwarder_)
    {
        for (uint256 i = 0; i < governors_.length; ++i) {
            _addGovernor(governors_[i]);
        }
        _setThreshold(threshold_);
        _setProposalLifetime(lifetime);
    }

    /// @inheritdoc ICouncil
    function propose(Call[] calldata calls, string calldata description) external onlyGovernor returns (uint256 id) {
        if (calls.length == 0) revert CouncilEmptyProposal();
        if (calls.length > _MAX_CALLS) revert CouncilTooManyCalls(calls.length, _MAX_CALLS);
        address proposer = _msgSender();
        id = ++_proposalCount;
        Proposal storage p = _proposals[id];
        p.proposer = proposer;
        p.createdAt = block.timestamp.toUint40();
        p.expiresAt = (block.timestamp + _proposalLifetime).toUint40();
        p.description = description;
        for (uint256 i = 0; i < calls.length; ++i) {
            p.calls.push(calls[i]);
        }
        _approvals[id][proposer] = _terms[proposer];
        emit ProposalCreated(id, proposer, p.expiresAt, description, calls);
        emit ProposalApproved(id, proposer);
    }

    /// @inheritdoc ICouncil
    function approve(uint256 id) external onlyGovernor {
        address governor = _msgSender();
        _openProposal(id);
        if (_hasApproved(id, governor)) revert CouncilAlreadyApproved(id, governor);
        _approvals[id][governor] = _terms[governor];
        emit ProposalApproved(id, governor);
    }

    /// @inheritdoc ICouncil
    function withdrawApproval(uint256 id) external onlyGovernor {
        address governor = _msgSender();
        _openProposal(id);
        if (!_hasApproved(id, governor)) revert CouncilNotApproved(id, governor);
        delete _approvals[id][governor];
        emit ProposalApprovalWithdrawn(id, governor);
    }

    /// @inheritdoc ICouncil
    function execute(uint256 id) external onlyGovernor {
        Proposal storage p = _openProposal(id);
        uint256 approvals = _countApprovals(id);
        if (approvals < _threshold) revert CouncilBelowThreshold(id, approvals, _threshold);
        p.executed = true;
        emit ProposalExecuted(id, _msgSender());
        Call[] storage calls = p.calls;
        for (uint256 i = 0; i < calls.length; ++i) {
            address target = calls[i].target;
            // A call to an account without code would "succeed" and hide a mistyped target; an account carrying an
            // EIP-7702 delegation has code but answers to a private key, so it is no target for governance either.
            if (!ContractCode.isContract(target)) revert CouncilTargetNotContract(id, i, target);
            (bool ok, bytes memory reason) = target.call(calls[i].data);
            if (!ok) revert CouncilCallFailed(id, i, reason);
        }
    }

    /// @inheritdoc ICouncil
    function addGovernor(address governor) external onlySelf {
        _addGovernor(governor);
    }

    /// @inheritdoc ICouncil
    function removeGovernor(address governor) external onlySelf {
        if (!_isGovernor[governor]) revert CouncilNotGovernor(governor);
        uint256 remaining = _governors.length - 1;
        if (remaining < _MIN_GOVERNORS) revert CouncilTooFewGovernors(remaining, _MIN_GOVERNORS);
        _isGovernor[governor] = false;
        uint256 last = _governors.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (_governors[i] == governor) {
                _governors[i] = _governors[last];
                _governors.pop();
                break;
            }
        }
        _checkThreshold(_threshold, _governors.length);
        emit GovernorRemoved(governor);
    }

    /// @inheritdoc ICouncil
    function setThreshold(uint256 threshold_) external onlySelf {
        _setThreshold(threshold_);
    }

    /// @inheritdoc ICouncil
    function setProposalLifetime(uint40 lifetime) external onlySelf {
        _setProposalLifetime(lifetime);
    }

    /// @inheritdoc ICouncil
    function governors() external view returns (address[] memory) {
        return _governors;
    }

    /// @inheritdoc ICouncil
    function isGovernor(address account) external view returns (bool) {
        return _isGovernor[account];
    }

    /// @inheritdoc ICouncil
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc ICouncil
    function proposalLifetime() external view returns (uint40) {
        return _proposalLifetime;
    }

    /// @inheritdoc ICouncil
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @inheritdoc ICouncil
    function proposal(uint256 id) external view returns (ProposalInfo memory) {
        Proposal storage p = _existingProposal(id);
        return ProposalInfo({
            proposer: p.proposer,
            createdAt: p.createdAt,
            expiresAt: p.expiresAt,
            executed: p.executed,
            approvals: _countApprovals(id),
            description: p.description,
            calls: p.calls
        });
    }

    /// @inheritdoc ICouncil
    function hasApproved(uint256 id, address governor) external view returns (bool) {
        return _hasApproved(id, governor);
    }

    function _existingProposal(uint256 id) private view returns (Proposal storage p) {
        if (id == 0 || id > _proposalCount) revert CouncilUnknownProposal(id);
        p = _proposals[id];
    }

    function _openProposal(uint256 id) private view returns (Proposal storage p) {
        p = _existingProposal(id);
        if (p.executed) revert CouncilAlreadyExecuted(id);
        if (block.timestamp >= p.expiresAt) revert CouncilProposalExpired(id, p.expiresAt);
    }

    function _countApprovals(uint256 id) private view returns (uint256 count) {
        for (uint256 i = 0; i < _governors.length; ++i) {
            if (_hasApproved(id, _governors[i])) ++count;
        }
    }

    /// @dev Whether `governor` approved proposal `id` during its current term.
    function _hasApproved(uint256 id, address governor) private view returns (bool) {
        uint256 term = _approvals[id][governor];
        return term != 0 && term == _terms[governor] && _isGovernor[governor];
    }

    function _addGovernor(address governor) private {
        if (governor == address(0) || _isGovernor[governor]) revert CouncilGovernorUnavailable(governor);
        if (_governors.length >= _MAX_GOVERNORS) revert CouncilTooManyGovernors(_MAX_GOVERNORS);
        _isGovernor[governor] = true;
        _terms[governor] = ++_termCount;
        _governors.push(governor);
        emit GovernorAdded(governor);
    }

    function _setThreshold(uint256 threshold_) private {
        _checkThreshold(threshold_, _governors.length);
        _threshold = threshold_;
        emit ThresholdChanged(threshold_);
    }

    function _checkThreshold(uint256 threshold_, uint256 count) private pure {
        uint256 minimum = count > 1 ? 2 : 1;
        if (threshold_ < minimum || threshold_ > count) revert CouncilInvalidThreshold(threshold_, count);
    }

    function _setProposalLifetime(uint40 lifetime) private {
        if (lifetime < _MIN_LIFETIME || lifetime > _MAX_LIFETIME) revert CouncilInvalidLifetime(lifetime);
        _proposalLifetime = lifetime;
        emit ProposalLifetimeChanged(lifetime);
    }
}
