// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title What an account's code says about it
/// @notice Since EIP-7702 (Prague) an externally owned account can carry code: a delegation designator,
/// `0xef0100` followed by the address it delegates to. Such an account still answers to its private key,
/// so `code.length > 0` no longer proves that an address is a contract that only its own code controls.
/// EIP-3541 forbids deploying code that starts with `0xef`, so a first byte of `0xef` marks a delegation.
library ContractCode {
    /// @dev Whether `account` holds deployed contract code: some code, and not an EIP-7702 delegation.
    function isContract(address account) internal view returns (bool) {
        uint256 size;
        bytes1 first;
        assembly ("memory-safe") {
            size := extcodesize(account)
            if size {
                // Copy the first byte into scratch space (0x00-0x3f), leaving the free memory pointer alone.
                mstore(0x00, 0)
                extcodecopy(account, 0x00, 0, 1)
                first := mload(0x00)
            }
        }
        return size != 0 && first != 0xef;
    }
}
