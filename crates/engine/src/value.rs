//! Decoded event arguments: the typed form the matcher reads and the JSON form stored and shown.

use alloy_dyn_abi::DynSolValue;

/// One decoded argument of an event, in ABI order.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedArg {
    /// Parameter name from the ABI; `arg{i}` when the ABI leaves it empty.
    pub name: String,
    /// Canonical Solidity type, e.g. `uint256`, `(address,uint256)[]`.
    pub ty: String,
    pub indexed: bool,
    /// True when the value is the keccak hash of an indexed dynamic value (string, bytes,
    /// array, tuple): it cannot be decoded back, `value` holds the 32-byte hash.
    pub hashed: bool,
    pub value: DynSolValue,
}
