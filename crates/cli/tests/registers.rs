//! `tokenwatch registers` against a real chain: an ERC-3643 token's freezes, partial
//! freezes, a recovery, agent changes, pauses and its identity registry's identities and
//! countries, stored by `run --until-head`, must give the registers the contracts' own
//! getters give.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use tokenwatch_testkit::{Address, Anvil, Contract, DynSolValue, U256};

/// `tokenwatch registers` of `token`: its CSV rows as maps, or the failed output.
pub fn registers(
    db: &Path,
    token: &str,
) -> Result<Vec<BTreeMap<String, String>>, std::process::Output> {
    let out = tokenwatch(&[
        "registers",
        "--db",
        db.to_str().unwrap(),
        "--network",
        "local",
        "--token",
        token,
    ]);
    if !out.status.success() {
        return Err(out);
    }
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        [
            "network",
            "chain_id",
            "token",
            "register",
            "address",
            "value",
            "since_block",
            "since_time",
            "partition",
            "country",
            "country_name"
        ]
    );
    Ok(reader
        .records()
        .map(|r| {
            header
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, c)| (h.into(), c.into()))
                .collect()
        })
        .collect())
}

async fn getter(token: &Contract, func: &str, who: Address) -> DynSolValue {
    token
        .call(func, &[&who.to_string()])
        .await
        .expect(func)
        .remove(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_registers_say_what_the_contract_says_after_freezes_a_recovery_agents_and_pauses() {
    let anvil = Anvil::start().await.expect("anvil");
    let a = anvil.accounts().await.expect("accounts");
    let token = anvil
        .deploy("SecurityToken", &["Demo Bond", "DBOND", "18"])
        .await
        .expect("deploy");
    let send = |f: &'static str, args: Vec<String>| {
        let token = &token;
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            token.send(f, &args).await.expect(f)
        }
    };
    let s = |x: &Address| x.to_string();
    for (w, n) in [(a[1], "1000"), (a[2], "500"), (a[3], "200")] {
        send("mint", vec![s(&w), n.into()]).await;
    }
    send("setAddressFrozen", vec![s(&a[1]), "true".into()]).await;
    send("setAddressFrozen", vec![s(&a[1]), "false".into()]).await;
    let frozen_at = send("setAddressFrozen", vec![s(&a[2]), "true".into()])
        .await
        .block_number;
    send("freezePartialTokens", vec![s(&a[2]), "300".into()]).await;
    send("unfreezePartialTokens", vec![s(&a[2]), "100".into()]).await;
    send("freezePartialTokens", vec![s(&a[3]), "50".into()]).await;
    let recovered_at = send("recoveryAddress", vec![s(&a[3]), s(&a[4]), s(&a[5])])
        .await
        .block_number;
    send("addAgent", vec![s(&a[6])]).await;
    send("addAgent", vec![s(&a[7])]).await;
    send("removeAgent", vec![s(&a[7])]).await;
    send("pause", vec![]).await;
    send("unpause", vec![]).await;
    let paused_at = token
        .send_from(a[6], "pause", &[])
        .await
        .expect("pause")
        .block_number;

    // The identity registry: wallets 1-3 registered, countries set for 1 and 2 (2 twice),
    // 2's identity replaced, 3 removed.
    let registry = anvil
        .deploy("IdentityRegistry", &[])
        .await
        .expect("registry");
    send("setIdentityRegistry", vec![s(&registry.address())]).await;
    let id = |b: u8| Address::repeat_byte(b);
    let reg = |f: &'static str, args: Vec<String>| {
        let registry = &registry;
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            registry.send(f, &args).await.expect(f).block_number
        }
    };
    for (w, i) in [(a[1], 0xd1), (a[2], 0xd2), (a[3], 0xd3)] {
        reg("registerIdentity", vec![s(&w), s(&id(i)), "0".into()]).await;
    }
    reg("updateCountry", vec![s(&a[1]), "250".into()]).await;
    reg("updateCountry", vec![s(&a[2]), "840".into()]).await;
    reg("updateCountry", vec![s(&a[2]), "756".into()]).await;
    let updated_at = reg("updateIdentity", vec![s(&a[2]), s(&id(0xe2))]).await;
    reg("deleteIdentity", vec![s(&a[3])]).await;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let cfg = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "bond",
            &[token.address().to_string(), registry.address().to_string()],
            &["erc3643"],
            "from_block = 0"
        )
    );
    let cfg = write(dir.path(), "t.toml", &cfg);
    let out = run_until_head_cli(&cfg, &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rows = registers(&db, &token.address().to_string()).expect("registers");
    let got: BTreeSet<(String, Address, String)> = rows
        .iter()
        .map(|r| {
            (
                r["register"].clone(),
                r["address"].parse().unwrap(),
                r["value"].clone(),
            )
        })
        .collect();
    let e = |reg: &str, who: Address, v: &str| (reg.to_string(), who, v.to_string());
    let expected = BTreeSet::from([
        e("frozen_wallet", a[2], "true"),
        e("frozen_amount", a[2], "200"),
        e("frozen_amount", a[4], "50"),
        e("agent", a[0], "true"),
        e("agent", a[6], "true"),
        e("paused", a[6], "true"),
        e("recovery", a[3], &a[4].to_checksum(None)),
        e("identity", a[1], &id(0xd1).to_checksum(None)),
        e("identity", a[2], &id(0xe2).to_checksum(None)),
    ]);
    assert_eq!(got, expected, "{rows:#?}");
    assert_eq!(rows.len(), expected.len());

    // The contract's own getters agree, wallet by wallet.
    for who in &a[..8] {
        let has = |reg: &str| {
            rows.iter()
                .find(|r| r["register"] == reg && r["address"].parse::<Address>().unwrap() == *who)
        };
        assert_eq!(
            getter(&token, "isFrozen", *who).await.as_bool(),
            Some(has("frozen_wallet").is_some()),
            "{who}"
        );
        let frozen = has("frozen_amount").map_or(U256::ZERO, |r| r["value"].parse().unwrap());
        assert_eq!(
            getter(&token, "getFrozenTokens", *who)
                .await
                .as_uint()
                .map(|u| u.0),
            Some(frozen),
            "{who}"
        );
        assert_eq!(
            getter(&token, "isAgent", *who).await.as_bool(),
            Some(has("agent").is_some()),
            "{who}"
        );
    }
    let paused = token.call("paused", &[]).await.unwrap().remove(0);
    assert_eq!(paused.as_bool(), Some(true));
    let balance = getter(&token, "balanceOf", a[4])
        .await
        .as_uint()
        .map(|u| u.0);
    assert_eq!(
        balance,
        Some(U256::from(200)),
        "the recovery moved the whole balance"
    );

    // Identities and countries as the registry has them.
    let country = |who: Address| {
        rows.iter()
            .find(|r| {
                r["register"] == "identity" && r["address"].parse::<Address>().unwrap() == who
            })
            .map(|r| (r["country"].clone(), r["country_name"].clone()))
    };
    assert_eq!(country(a[1]), Some(("250".into(), "France".into())));
    assert_eq!(country(a[2]), Some(("756".into(), "Switzerland".into())));
    for who in &a[1..4] {
        let stored = registry
            .call("identity", &[&who.to_string()])
            .await
            .unwrap();
        let listed = rows
            .iter()
            .find(|r| {
                r["register"] == "identity" && r["address"].parse::<Address>().unwrap() == *who
            })
            .map(|r| r["value"].parse::<Address>().unwrap());
        assert_eq!(
            stored[0].as_address().filter(|a| !a.is_zero()),
            listed,
            "{who}"
        );
        let code = getter(&registry, "investorCountry", *who)
            .await
            .as_uint()
            .map(|u| u.0);
        let listed = country(*who).map_or(U256::ZERO, |(c, _)| c.parse().unwrap());
        assert_eq!(code, Some(listed), "{who}");
    }

    let since = |reg: &str| -> Vec<u64> {
        rows.iter()
            .filter(|r| r["register"] == reg)
            .map(|r| r["since_block"].parse().unwrap())
            .collect()
    };
    assert_eq!(since("frozen_wallet"), [frozen_at]);
    assert_eq!(since("paused"), [paused_at]);
    assert_eq!(since("recovery"), [recovered_at]);
    let identity_of_2 = rows
        .iter()
        .find(|r| r["register"] == "identity" && r["address"].parse::<Address>().unwrap() == a[2]);
    assert_eq!(
        identity_of_2.unwrap()["since_block"],
        updated_at.to_string()
    );
    assert!(rows
        .iter()
        .all(|r| r["since_time"].ends_with('Z') && r["chain_id"] == "31337"));

    let unknown =
        registers(&db, &Address::repeat_byte(0x42).to_string()).expect_err("unknown token");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no stored event of token"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );

    // A reorg takes the last two blocks away (2's new identity, 3's removal): the next run
    // takes their events out, and the register says what the registry says again.
    anvil.reorg(2, &[]).await.expect("reorg");
    let out = run_until_head_cli(&cfg, &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = registers(&db, &token.address().to_string()).expect("registers");
    let identities: BTreeSet<(Address, Address)> = rows
        .iter()
        .filter(|r| r["register"] == "identity")
        .map(|r| (r["address"].parse().unwrap(), r["value"].parse().unwrap()))
        .collect();
    assert_eq!(
        identities,
        BTreeSet::from([(a[1], id(0xd1)), (a[2], id(0xd2)), (a[3], id(0xd3))]),
        "{rows:#?}"
    );
    for (who, listed) in identities {
        let stored = registry
            .call("identity", &[&who.to_string()])
            .await
            .unwrap();
        assert_eq!(stored[0].as_address(), Some(listed), "{who}");
    }
}
