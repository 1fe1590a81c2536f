//! The demo's fixed compliance scene, played once at setup so every demo (and its end-to-end
//! test) shows the same registers: DemoBond's identity registry with five investors and their
//! countries, a frozen wallet, partly frozen tokens, a recovery and agent changes.

use anyhow::Result;
use tokenwatch_testkit::{Address, Contract, Rpc, U256};

/// The investors (dev accounts 1-5) and their ISO 3166 numeric countries: France, Germany,
/// Switzerland, the United Kingdom, the United States.
const INVESTORS: [(usize, u16); 5] = [(1, 250), (2, 276), (3, 756), (4, 826), (5, 840)];

/// An investor's ONCHAINID in the demo: `0x1d00…00nn`.
pub fn onchain_id(n: u8) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = 0x1d;
    bytes[19] = n;
    Address::from(bytes)
}

/// Deploys DemoBond's identity registry and plays the scene; returns the registry.
///
/// What it leaves: identities for #1 (its identity replaced), #2, #4, #5 and #6 (#3's wallet,
/// recovered to #6, moved there); countries set by an event for all but #5 (a registration's
/// country is not in an event, as in T-REX); wallet #4 frozen; 100 DBOND of #2 frozen; agents
/// #0 and #9 (#8 added and removed).
pub async fn play(
    rpc: &Rpc,
    bond: &Contract,
    accounts: &[Address],
    one_bond: U256,
) -> Result<Contract> {
    let registry = rpc.deploy("IdentityRegistry", &[]).await?;
    let reg = |f: &'static str, args: Vec<String>| {
        let registry = &registry;
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            registry.send(f, &args).await.map(|_| ())
        }
    };
    let token = |f: &'static str, args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        bond.send(f, &args).await.map(|_| ())
    };
    let a = |i: usize| accounts[i].to_string();
    token("setIdentityRegistry", vec![registry.address().to_string()]).await?;
    for (i, country) in INVESTORS {
        let id = onchain_id(i as u8).to_string();
        reg("registerIdentity", vec![a(i), id, country.to_string()]).await?;
        if i != 5 {
            reg("updateCountry", vec![a(i), country.to_string()]).await?;
        }
    }
    token("setAddressFrozen", vec![a(4), "true".into()]).await?;
    let hundred = (one_bond * U256::from(100)).to_string();
    token("freezePartialTokens", vec![a(2), hundred]).await?;
    // #3 lost its wallet: its tokens and its identity move to #6.
    let id3 = onchain_id(3).to_string();
    token("recoveryAddress", vec![a(3), a(6), id3.clone()]).await?;
    reg("registerIdentity", vec![a(6), id3, "756".into()]).await?;
    reg("updateCountry", vec![a(6), "756".into()]).await?;
    reg("deleteIdentity", vec![a(3)]).await?;
    token("addAgent", vec![a(9)]).await?;
    token("addAgent", vec![a(8)]).await?;
    token("removeAgent", vec![a(8)]).await?;
    reg("updateIdentity", vec![a(1), onchain_id(11).to_string()]).await?;
    Ok(registry)
}
