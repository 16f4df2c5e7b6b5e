// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title Forwarder
/// @notice OpenZeppelin's ERC-2771 forwarder under the EIP-712 domain name "Tradeproof Forwarder": the API's
/// relayer submits members' signed requests through it, and the ledger sees the member as the sender.
contract Forwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("Tradeproof Forwarder") {}
}
