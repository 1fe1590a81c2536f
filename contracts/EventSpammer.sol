// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title EventSpammer
/// @notice Emits many ERC-20-shaped `Transfer` events in a single transaction, for
/// "thousands of events in one tx" tests and benchmarks.
///
/// `spam(to, n)` emits `Transfer(address(this), to, i + 1)` for i in 0..n.
/// `scatter(seed, holders, n)` emits n transfers between pseudo-random holders among
/// `holders` addresses (0x7e57…0000 + k), for benchmarks of a token with many holders.
/// The loop is written in assembly: each event costs ~1,830 gas (LOG3 with 32 bytes of data is
/// 1,756) on top of ~21.9k for the transaction. Measured on anvil 1.7:
///   n = 1,000 -> ~1.85M gas;  n = 10,000 -> ~18.3M gas;  n = 15,000 -> ~27.4M gas.
/// So about 16,000 events fit in anvil's default 30M block gas limit. (Anvil 1.7 does not enforce
/// the EIP-7825 16.7M per-transaction cap unless started with `--enable-tx-gas-limit`; with it,
/// ~9,000 events fit.) Gas estimation handles any n that fits; no explicit gas needed.
contract EventSpammer {
    event Transfer(address indexed from, address indexed to, uint256 value);

    function spam(address to, uint256 n) external {
        // keccak256("Transfer(address,address,uint256)")
        bytes32 topic0 = 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef;
        assembly {
            let from := address()
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(0, add(i, 1))
                log3(0, 32, topic0, from, to)
            }
        }
    }

    function scatter(uint256 seed, uint256 holders, uint256 n) external {
        bytes32 topic0 = 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef;
        assembly {
            let base := shl(128, 0x7e57)
            let x := seed
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                x := add(mul(x, 6364136223846793005), 1442695040888963407)
                let from := add(base, mod(shr(160, x), holders))
                x := add(mul(x, 6364136223846793005), 1442695040888963407)
                let to := add(base, mod(shr(160, x), holders))
                mstore(0, add(mod(shr(64, x), 1000000), 1))
                log3(0, 32, topic0, from, to)
            }
        }
    }
}
