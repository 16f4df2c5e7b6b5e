// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {IDocumentRegistry} from "./interfaces/IDocumentRegistry.sol";

/// @title DocumentReferences
/// @notice Lets a member say under which number (a certificate, invoice, transport document or declaration number)
/// it registered a document, without the number going on chain: only a commitment to the issuing organisation, the
/// scheme and the normalised number (`tradeproof-reference/v1`, see the README) is emitted, beside the document's
/// hash. Whoever holds the issuer and the full number computes the commitment and finds the documents; nobody can
/// list numbers or search by prefix.
/// @dev A contract of its own, so that a register without a reference costs what it did: the registry's code is
/// unchanged. It keeps no state: the commitments live in the logs, which the API's index follows. The organisation
/// of the event is the caller's, checked here; a reader takes a document found under a reference only when the
/// registry names the same organisation as its issuer, so no member can file another's documents under its numbers
/// or its own documents under another's.
contract DocumentReferences is ERC2771Context {
    /// @dev The registry whose members may file documents (see {registry}).
    IDocumentRegistry private immutable _REGISTRY;

    /// @notice Most references one call emits: a public batch's documents are referenced in parts of this size.
    uint256 public constant MAX_REFERENCES = 1024;

    /// @notice `organisation` registered `docHash` (alone, or in the batch `anchor`) under the reference
    /// `commitment`. `anchor` equals `docHash` for a document registered alone.
    event DocumentReferenced(bytes32 indexed commitment, uint24 indexed organisation, bytes32 docHash, bytes32 anchor);

    /// @notice The caller is not an account of an active organisation.
    error DocumentReferencesNotMember(address account);
    /// @notice `docHashes` and `commitments` differ in length, or are empty, or hold more than {MAX_REFERENCES}.
    error DocumentReferencesBadLength(uint256 docHashes, uint256 commitments);

    constructor(IDocumentRegistry registry_, address trustedForwarder_) ERC2771Context(trustedForwarder_) {
        _REGISTRY = registry_;
    }

    /// @notice The registry whose members may file documents under their numbers.
    function registry() external view returns (IDocumentRegistry) {
        return _REGISTRY;
    }

    /// @notice Files each of `docHashes`, registered by the caller's organisation under `anchor` (the document itself,
    /// or the root of its public batch), under the reference of the same position in `commitments`.
    function fileReferences(bytes32 anchor, bytes32[] calldata docHashes, bytes32[] calldata commitments) external {
        uint256 n = docHashes.length;
        if (n == 0 || n != commitments.length || n > MAX_REFERENCES) {
            revert DocumentReferencesBadLength(n, commitments.length);
        }
        address account = _msgSender();
        (uint24 organisation,, bool active) = _REGISTRY.accountOf(account);
        if (organisation == 0 || !active) revert DocumentReferencesNotMember(account);
        for (uint256 i = 0; i < n; ++i) {
            emit DocumentReferenced(commitments[i], organisation, docHashes[i], anchor);
        }
    }
}
