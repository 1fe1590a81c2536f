//! Test harness for Tokenwatch: a private [anvil](https://book.getfoundry.sh/anvil/) node per
//! test, the repository's Solidity test contracts (compiled on demand from `contracts/*.sol`),
//! and helpers to send transactions and shape the chain (mine, snapshot/revert, reorg,
//! stop/restart).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use tokenwatch_testkit::Anvil;
//! let anvil = Anvil::start().await?; // killed on drop
//! let accounts = anvil.accounts().await?;
//! let token = anvil.deploy("TestERC20", &["Demo USD", "DUSD", "6"]).await?;
//! token.send("mint", &[&accounts[0].to_string(), "1000000"]).await?;
//! let receipt = token.send("transfer", &[&accounts[1].to_string(), "250"]).await?;
//! assert_eq!(receipt.logs.len(), 1);
//! let balance = token.call("balanceOf", &[&accounts[1].to_string()]).await?;
//! assert_eq!(balance[0].as_uint().map(|(v, _)| v), Some(alloy_primitives::U256::from(250)));
//! # Ok(()) }
//! ```
//!
//! What survives [`Anvil::restart`] (anvil 1.7 `--state` dump, written on graceful stop):
//! all blocks (same numbers and hashes), transactions and receipts (with their logs, so
//! `eth_getLogs` still finds them), and the latest account state (balances, nonces, code,
//! storage). Historical state is kept too (the harness passes `--preserve-historical-states`),
//! so `eth_call` at old blocks works. Not kept: the mempool, snapshots (`evm_snapshot` ids),
//! filters/subscriptions, and runtime settings such as automine toggled by RPC.
//! [`Anvil::kill`] dumps nothing: a restart after it loads the last graceful dump, if any.
//!
//! On Linux the node is also killed when the thread that started it exits (`PR_SET_PDEATHSIG`),
//! so start nodes from the test's own task, not from a short-lived helper thread.

mod anvil;
mod artifacts;
pub mod bench;
mod contract;
mod paths;
mod proxy;
mod rabbitmq;
mod receiver;
mod rpc;
pub mod system;
mod types;

pub use anvil::{Anvil, AnvilOptions};
pub use artifacts::{ensure_compiled, load_artifact, Artifact};
pub use contract::{coerce_args, Contract, TxOptions};
pub use paths::{anvil_binary, artifacts_dir, repo_root};
pub use proxy::{Fault, LogsAnswer, ProxyStats, Refusal, RpcProxy, Tamper};
pub use rabbitmq::{Message as BrokerMessage, RabbitMq};
pub use receiver::{Answer, Received, Receiver};
pub use rpc::{Rpc, RpcError, DEFAULT_RECEIPT_TIMEOUT};
pub use types::{parse_quantity, Log, Receipt};

/// Re-exported so tests can build and inspect values without naming the alloy crates.
pub use alloy_dyn_abi::{DynSolType, DynSolValue};
pub use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
