//! Deployed contracts: deploying an artifact with string constructor arguments, sending
//! transactions to it (from the node's unlocked dev accounts) and calling view functions.
//! Arguments are strings coerced to the ABI types with `DynSolType::coerce_str`
//! (`"1000"`, `"0xf39f..."`, `"true"`, `"[1,2]"`, `"(1,-2,0xabc...,hi)"`, `"1.5ether"`).

use std::fmt;

use alloy_dyn_abi::{DynSolType, DynSolValue, FunctionExt, JsonAbiExt, Specifier};
use alloy_json_abi::{Function, JsonAbi, Param};
use alloy_primitives::{hex, Address, Bytes, B256, U256};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Map, Value};

use crate::artifacts::load_artifact;
use crate::rpc::{revert_message, Rpc, RpcError};
use crate::types::Receipt;

/// Options for a transaction; unset fields are filled in by the node (gas is estimated).
#[derive(Debug, Clone, Default)]
pub struct TxOptions {
    /// Sender; defaults to the contract's default sender (the deployer).
    pub from: Option<Address>,
    /// Gas limit. Set it to mine a transaction that would revert (estimation fails on revert).
    pub gas: Option<u64>,
    /// Wei sent along.
    pub value: Option<U256>,
}

/// A contract deployed on a node, with its ABI.
#[derive(Clone)]
pub struct Contract {
    name: String,
    address: Address,
    abi: JsonAbi,
    rpc: Rpc,
    from: Address,
}

impl fmt::Debug for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contract")
            .field("name", &self.name)
            .field("address", &self.address)
            .field("url", &self.rpc.url())
            .finish()
    }
}

impl Rpc {
    /// Deploys the compiled contract `name` from the first dev account, with constructor
    /// arguments given as strings, and waits for the receipt.
    pub async fn deploy(&self, name: &str, args: &[&str]) -> Result<Contract> {
        let from = self.first_account().await?;
        self.deploy_from(from, name, args).await
    }

    /// [`deploy`](Self::deploy) from a given (unlocked) account.
    pub async fn deploy_from(&self, from: Address, name: &str, args: &[&str]) -> Result<Contract> {
        let artifact = load_artifact(name).await?;
        let mut code = artifact.bytecode.to_vec();
        match &artifact.abi.constructor {
            Some(ctor) => {
                let values = coerce_args(&ctor.inputs, args)
                    .with_context(|| format!("constructor of {name}"))?;
                let encoded = ctor
                    .abi_encode_input(&values)
                    .with_context(|| format!("encoding constructor arguments of {name}"))?;
                code.extend_from_slice(&encoded);
            }
            None if !args.is_empty() => {
                bail!(
                    "{name} has no constructor but {} argument(s) were given",
                    args.len()
                )
            }
            None => {}
        }
        let tx = json!({ "from": from, "input": Bytes::from(code) });
        let what = format!("deploying {name}({})", args.join(", "));
        let hash = self
            .send_transaction(tx)
            .await
            .map_err(|e| explain(e, &what))?;
        let receipt = self
            .wait_receipt(hash)
            .await
            .with_context(|| what.clone())?;
        let address = receipt
            .contract_address
            .ok_or_else(|| anyhow!("{what}: receipt has no address"))?;
        Ok(Contract {
            name: name.to_string(),
            address,
            abi: artifact.abi,
            rpc: self.clone(),
            from,
        })
    }

    /// A handle on an already deployed contract `name` (its artifact gives the ABI).
    pub async fn contract_at(&self, name: &str, address: Address) -> Result<Contract> {
        let artifact = load_artifact(name).await?;
        let from = self.first_account().await?;
        Ok(Contract {
            name: name.to_string(),
            address,
            abi: artifact.abi,
            rpc: self.clone(),
            from,
        })
    }

    async fn first_account(&self) -> Result<Address> {
        self.accounts()
            .await?
            .first()
            .copied()
            .ok_or_else(|| anyhow!("node has no accounts"))
    }
}

impl Contract {
    pub fn address(&self) -> Address {
        self.address
    }

    /// The contract (artifact) name, e.g. `TestERC20`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn abi(&self) -> &JsonAbi {
        &self.abi
    }

    /// The RPC client this contract talks through.
    pub fn rpc(&self) -> &Rpc {
        &self.rpc
    }

    /// The sender used when none is given (the deployer).
    pub fn default_from(&self) -> Address {
        self.from
    }

    /// Calldata for `func(args)`. `func` is a name, or a signature such as `Ping(uint256)` to
    /// pick one overload; with a bare name the overload with that many arguments that accepts
    /// them is used.
    pub fn encode_call(&self, func: &str, args: &[&str]) -> Result<Bytes> {
        let (function, values) = self.resolve(func, args)?;
        let data = function
            .abi_encode_input(&values)
            .with_context(|| format!("encoding {}", self.describe(func, args)))?;
        Ok(data.into())
    }

    /// An `eth_sendTransaction`-style request for `func(args)`, e.g. for
    /// [`Rpc::reorg`](crate::Rpc::reorg).
    pub fn tx_request(&self, opts: &TxOptions, func: &str, args: &[&str]) -> Result<Value> {
        let data = self.encode_call(func, args)?;
        let mut tx = Map::new();
        tx.insert("from".into(), json!(opts.from.unwrap_or(self.from)));
        tx.insert("to".into(), json!(self.address));
        tx.insert("input".into(), json!(data));
        if let Some(gas) = opts.gas {
            tx.insert("gas".into(), json!(format!("{gas:#x}")));
        }
        if let Some(value) = opts.value {
            tx.insert("value".into(), json!(format!("{value:#x}")));
        }
        Ok(Value::Object(tx))
    }

    /// Sends `func(args)` from the default sender and waits for the receipt.
    /// A revert is an error with the reason.
    pub async fn send(&self, func: &str, args: &[&str]) -> Result<Receipt> {
        self.send_with(&TxOptions::default(), func, args).await
    }

    /// [`send`](Self::send) from another unlocked account.
    pub async fn send_from(&self, from: Address, func: &str, args: &[&str]) -> Result<Receipt> {
        self.send_with(
            &TxOptions {
                from: Some(from),
                ..TxOptions::default()
            },
            func,
            args,
        )
        .await
    }

    /// [`send`](Self::send) with options (sender, gas, value).
    pub async fn send_with(&self, opts: &TxOptions, func: &str, args: &[&str]) -> Result<Receipt> {
        let hash = self.submit(opts, func, args).await?;
        self.rpc
            .wait_receipt(hash)
            .await
            .with_context(|| self.describe(func, args))
    }

    /// Sends `func(args)` without waiting to be mined; returns the transaction hash. Use it with
    /// automine off, then `mine()` and [`Rpc::wait_receipt`](crate::Rpc::wait_receipt).
    pub async fn submit(&self, opts: &TxOptions, func: &str, args: &[&str]) -> Result<B256> {
        let tx = self.tx_request(opts, func, args)?;
        self.rpc
            .send_transaction(tx)
            .await
            .map_err(|e| explain(e, &self.describe(func, args)))
    }

    /// Calls view function `func(args)` (`eth_call` at the latest block) and decodes the outputs.
    pub async fn call(&self, func: &str, args: &[&str]) -> Result<Vec<DynSolValue>> {
        let (function, values) = self.resolve(func, args)?;
        let data: Bytes = function
            .abi_encode_input(&values)
            .with_context(|| format!("encoding {}", self.describe(func, args)))?
            .into();
        let call = json!({ "from": self.from, "to": self.address, "input": data });
        let out = self
            .rpc
            .rpc("eth_call", json!([call, "latest"]))
            .await
            .map_err(|e| explain(e, &self.describe(func, args)))?;
        let out = out
            .as_str()
            .ok_or_else(|| anyhow!("eth_call: result is not a string"))?;
        let bytes = hex::decode(out).context("eth_call: bad hex")?;
        function
            .abi_decode_output(&bytes)
            .with_context(|| format!("decoding the output of {}", self.describe(func, args)))
    }

    fn describe(&self, func: &str, args: &[&str]) -> String {
        format!("{}.{func}({})", self.name, args.join(", "))
    }

    /// Picks the function for `func` and coerces the arguments.
    fn resolve(&self, func: &str, args: &[&str]) -> Result<(&Function, Vec<DynSolValue>)> {
        let candidates: Vec<&Function> = if func.contains('(') {
            self.abi
                .functions()
                .filter(|f| f.signature() == func)
                .collect()
        } else {
            self.abi
                .function(func)
                .map(|fs| fs.iter().collect())
                .unwrap_or_default()
        };
        if candidates.is_empty() {
            bail!("{} has no function {func:?}", self.name);
        }
        let mut last_err = None;
        for f in candidates.iter().filter(|f| f.inputs.len() == args.len()) {
            match coerce_args(&f.inputs, args) {
                Ok(values) => return Ok((f, values)),
                Err(e) => last_err = Some(e.context(format!("{}.{}", self.name, f.signature()))),
            }
        }
        Err(last_err.unwrap_or_else(|| {
            let sigs: Vec<String> = candidates.iter().map(|f| f.signature()).collect();
            anyhow!(
                "{}.{func}: {} argument(s) given, expected {}",
                self.name,
                args.len(),
                sigs.join(" or ")
            )
        }))
    }
}

/// Coerces string arguments to the types of `params`.
pub fn coerce_args(params: &[Param], args: &[&str]) -> Result<Vec<DynSolValue>> {
    if params.len() != args.len() {
        bail!(
            "{} argument(s) given, expected {}",
            args.len(),
            params.len()
        );
    }
    params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (param, arg))| {
            let ty: DynSolType = param
                .resolve()
                .with_context(|| format!("resolving type of parameter {i}"))?;
            ty.coerce_str(arg).with_context(|| {
                format!(
                    "argument {i} ({} {}): cannot parse {arg:?}",
                    ty.sol_type_name(),
                    param.name
                )
            })
        })
        .collect()
}

/// Adds what was being done to an RPC error, surfacing revert reasons in the message
/// (the [`RpcError`] stays reachable with `downcast_ref`).
fn explain(err: anyhow::Error, what: &str) -> anyhow::Error {
    let msg = match err.downcast_ref::<RpcError>() {
        Some(rpc) if rpc.message.contains("revert") => {
            format!("{what} reverted: {}", revert_message(rpc))
        }
        Some(rpc) => format!("{what} failed: {}", rpc.message),
        None => format!("{what} failed"),
    };
    err.context(msg)
}
