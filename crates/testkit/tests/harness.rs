//! Tests of the harness itself against a real anvil: nodes, contracts, logs, chain shaping.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use serde_json::json;
use tokenwatch_testkit::{Anvil, AnvilOptions, DynSolValue, TxOptions, B256, U256};

/// keccak256("Transfer(address,address,uint256)")
const TRANSFER_TOPIC: &str = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

fn uint(values: &[DynSolValue]) -> U256 {
    values[0].as_uint().map(|(v, _)| v).expect("uint output")
}

#[tokio::test]
async fn two_nodes_get_different_ports() -> Result<()> {
    let (a, b) = tokio::try_join!(Anvil::start(), Anvil::start())?;
    assert_ne!(a.port(), b.port());
    assert_eq!(a.chain_id(), 31337);
    assert_eq!(a.block_number().await?, 0);
    assert_eq!(b.rpc("eth_chainId", json!([])).await?, json!("0x7a69"));
    assert_eq!(a.accounts().await?.len(), 10);
    assert!(a.ws_url().starts_with("ws://127.0.0.1:"));
    Ok(())
}

#[tokio::test]
async fn options_chain_id_and_block_time() -> Result<()> {
    let anvil = Anvil::start_with(AnvilOptions {
        chain_id: Some(1337),
        block_time: Some(Duration::from_millis(200)),
        ..AnvilOptions::default()
    })
    .await?;
    assert_eq!(anvil.chain_id(), 1337);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while anvil.block_number().await? < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "interval mining produces blocks"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

#[tokio::test]
async fn deploys_every_contract() -> Result<()> {
    let anvil = Anvil::start().await?;
    let erc20 = anvil
        .deploy("TestERC20", &["Demo USD", "DUSD", "6"])
        .await?;
    assert_eq!(uint(&erc20.call("decimals", &[]).await?), U256::from(6));
    assert_eq!(erc20.call("symbol", &[]).await?[0].as_str(), Some("DUSD"));
    for (name, args) in [
        ("TestERC721", vec![]),
        ("TestERC1155", vec![]),
        ("EventSpammer", vec![]),
        ("EventZoo", vec![]),
        ("SecurityToken", vec!["Demo Bond", "DBOND", "18"]),
    ] {
        let c = anvil.deploy(name, &args).await?;
        assert!(
            !anvil.code(c.address()).await?.is_empty(),
            "{name} has code"
        );
    }
    Ok(())
}

#[tokio::test]
async fn erc20_transfer_is_seen_by_get_logs() -> Result<()> {
    let anvil = Anvil::start().await?;
    let acc = anvil.accounts().await?;
    let (a0, a1) = (acc[0].to_string(), acc[1].to_string());
    let token = anvil
        .deploy("TestERC20", &["Demo USD", "DUSD", "6"])
        .await?;
    token.send("mint", &[&a0, "5000"]).await?;
    let receipt = token.send("transfer", &[&a1, "1000"]).await?;
    assert!(receipt.status);
    assert_eq!(receipt.logs.len(), 1);

    let logs = anvil
        .logs(
            json!({ "fromBlock": "0x0", "toBlock": "latest", "address": token.address(),
                      "topics": [TRANSFER_TOPIC] }),
        )
        .await?;
    assert_eq!(logs.len(), 2, "mint + transfer");
    let t = &logs[1];
    assert_eq!(t.transaction_hash, receipt.transaction_hash);
    assert_eq!(t.block_number, receipt.block_number);
    assert_eq!(t.topics[1], acc[0].into_word());
    assert_eq!(t.topics[2], acc[1].into_word());
    assert_eq!(U256::from_be_slice(&t.data), U256::from(1000));
    assert_eq!(
        uint(&token.call("balanceOf", &[&a1]).await?),
        U256::from(1000)
    );
    Ok(())
}

#[tokio::test]
async fn revert_reason_is_reported() -> Result<()> {
    let anvil = Anvil::start().await?;
    let acc = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Demo USD", "DUSD", "6"])
        .await?;
    let a1 = acc[1].to_string();
    let err = token.send("transfer", &[&a1, "1"]).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("ERC20: insufficient balance"),
        "{err:#}"
    );

    // With an explicit gas limit the reverting tx is mined; the error still has the reason.
    let opts = TxOptions {
        gas: Some(100_000),
        ..TxOptions::default()
    };
    let err = token
        .send_with(&opts, "transfer", &[&a1, "1"])
        .await
        .unwrap_err();
    assert!(
        format!("{err:#}").contains("ERC20: insufficient balance"),
        "{err:#}"
    );

    assert!(token
        .send("transfer", &["not an address", "1"])
        .await
        .is_err());
    assert!(token.send("nope", &[]).await.is_err());
    Ok(())
}

#[tokio::test]
async fn spam_1000_events_in_one_tx() -> Result<()> {
    let anvil = Anvil::start().await?;
    let acc = anvil.accounts().await?;
    let spammer = anvil.deploy("EventSpammer", &[]).await?;
    let receipt = spammer.send("spam", &[&acc[1].to_string(), "1000"]).await?;
    assert_eq!(receipt.logs.len(), 1000);
    let logs = anvil
        .logs(json!({ "fromBlock": format!("{:#x}", receipt.block_number), "toBlock": "latest" }))
        .await?;
    assert_eq!(logs.len(), 1000);
    assert_eq!(U256::from_be_slice(&logs[999].data), U256::from(1000));
    assert!(logs
        .iter()
        .all(|l| l.transaction_hash == receipt.transaction_hash));
    Ok(())
}

#[tokio::test]
async fn spam_10000_events_fit_in_one_tx() -> Result<()> {
    let anvil = Anvil::start().await?;
    let acc = anvil.accounts().await?;
    let spammer = anvil.deploy("EventSpammer", &[]).await?;
    let receipt = spammer
        .send("spam", &[&acc[1].to_string(), "10000"])
        .await?;
    assert_eq!(receipt.logs.len(), 10_000);
    assert!(receipt.gas_used < 30_000_000);
    Ok(())
}

#[tokio::test]
async fn event_zoo_emits_all_shapes() -> Result<()> {
    let anvil = Anvil::start().await?;
    let zoo = anvil.deploy("EventZoo", &[]).await?;
    let receipt = zoo.send("emitAll", &[]).await?;
    assert_eq!(receipt.logs.len(), 11);
    let anon = &receipt.logs[6];
    assert_eq!(anon.topics.len(), 1, "anonymous event: no selector topic");
    let erc721 = &receipt.logs[9];
    assert_eq!(erc721.topics.len(), 4);
    assert_eq!(erc721.topic0(), Some(TRANSFER_TOPIC.parse::<B256>()?));
    // Overloads: by signature, or by argument count.
    zoo.send("emitPing", &["5"]).await?;
    zoo.send(
        "emitPingNote(address,string)",
        &["0x0000000000000000000000000000000000000a11", "hi"],
    )
    .await?;
    // Struct and array arguments are coerced from strings.
    let r = zoo
        .send(
            "emitStruct",
            &["(1, -2, 0x0000000000000000000000000000000000000a11, label)"],
        )
        .await?;
    assert_eq!(r.logs.len(), 1);
    Ok(())
}

#[tokio::test]
async fn event_zoo_indexed_dynamic_values_are_hashed() -> Result<()> {
    use tokenwatch_testkit::keccak256;
    let anvil = Anvil::start().await?;
    let zoo = anvil.deploy("EventZoo", &[]).await?;
    let receipt = zoo.send("emitAll", &[]).await?;
    let log = &receipt.logs[5]; // IndexedDynamic
    assert_eq!(log.topics[1], keccak256("zoo"));
    assert_eq!(log.topics[2], keccak256([0xde, 0xad, 0xbe, 0xef]));
    // Struct: in-place encoding, each member padded to 32 bytes, no offsets or lengths.
    let mut point = Vec::new();
    point.extend_from_slice(&U256::from(7).to_be_bytes::<32>());
    point.extend_from_slice(&(U256::MAX - U256::from(6)).to_be_bytes::<32>()); // -7
    let who: tokenwatch_testkit::Address = "0x0000000000000000000000000000000000000a11".parse()?;
    point.extend_from_slice(&who.into_word()[..]);
    let mut label = [0u8; 32];
    label[..3].copy_from_slice(b"zoo");
    point.extend_from_slice(&label);
    assert_eq!(log.topics[3], keccak256(&point));
    Ok(())
}

#[tokio::test]
async fn contract_at_attaches_an_abi() -> Result<()> {
    let anvil = Anvil::start().await?;
    let token = anvil
        .deploy("TestERC20", &["Demo USD", "DUSD", "6"])
        .await?;
    let again = anvil.contract_at("TestERC20", token.address()).await?;
    assert_eq!(again.call("name", &[]).await?[0].as_str(), Some("Demo USD"));
    Ok(())
}

#[tokio::test]
async fn erc721_erc1155_and_security_token_flows() -> Result<()> {
    let anvil = Anvil::start().await?;
    let acc = anvil.accounts().await?;
    let (a0, a1, a2) = (acc[0].to_string(), acc[1].to_string(), acc[2].to_string());

    let nft = anvil.deploy("TestERC721", &[]).await?;
    nft.send("mint", &[&a1, "7"]).await?;
    let r = nft
        .send_from(acc[1], "transferFrom", &[&a1, &a2, "7"])
        .await?;
    assert_eq!(r.logs[0].topics.len(), 4);
    assert_eq!(
        nft.call("ownerOf", &["7"]).await?[0].as_address(),
        Some(acc[2])
    );

    let multi = anvil.deploy("TestERC1155", &[]).await?;
    multi.send("mintBatch", &[&a1, "[1,2]", "[10,20]"]).await?;
    multi
        .send_from(acc[1], "safeTransferFrom", &[&a1, &a2, "2", "5", "0x"])
        .await?;
    let r = multi.send("setURI", &["1", "ipfs://x"]).await?;
    assert_eq!(r.logs[0].topics.len(), 2);

    let bond = anvil
        .deploy("SecurityToken", &["Demo Bond", "DBOND", "18"])
        .await?;
    bond.send("mint", &[&a1, "1000"]).await?;
    bond.send("setAddressFrozen", &[&a1, "true"]).await?;
    let err = bond
        .send_from(acc[1], "transfer", &[&a2, "1"])
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("wallet is frozen"), "{err:#}");
    bond.send("setAddressFrozen", &[&a1, "false"]).await?;
    bond.send("freezePartialTokens", &[&a1, "600"]).await?;
    assert!(bond
        .send_from(acc[1], "transfer", &[&a2, "500"])
        .await
        .is_err());
    bond.send_from(acc[1], "transfer", &[&a2, "400"]).await?;
    let r = bond.send("recoveryAddress", &[&a1, &a0, &a2]).await?;
    // TokensUnfrozen, Transfer, TokensFrozen, RecoverySuccess
    assert_eq!(r.logs.len(), 4);
    assert_eq!(
        uint(&bond.call("balanceOf", &[&a0]).await?),
        U256::from(600)
    );
    assert!(
        bond.send_from(acc[1], "mint", &[&a1, "1"]).await.is_err(),
        "agent only"
    );
    bond.send("pause", &[]).await?;
    assert!(
        bond.send_from(acc[2], "transfer", &[&a1, "1"])
            .await
            .is_err(),
        "paused"
    );
    bond.send("addAgent", &[&a1]).await?;
    bond.send_from(acc[1], "unpause", &[]).await?;
    Ok(())
}

#[tokio::test]
async fn snapshot_revert_changes_block_hash() -> Result<()> {
    let anvil = Anvil::start().await?;
    let acc = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Demo USD", "DUSD", "6"])
        .await?;
    let snap = anvil.snapshot().await?;
    let receipt = token.send("mint", &[&acc[1].to_string(), "5"]).await?;
    let height = receipt.block_number;
    anvil.revert(snap).await?;
    assert_eq!(anvil.block_number().await?, height - 1);
    assert!(anvil.get_block(height).await?.is_none());
    token.send("mint", &[&acc[2].to_string(), "6"]).await?;
    assert_eq!(anvil.block_number().await?, height);
    assert_ne!(anvil.block_hash(height).await?, receipt.block_hash);
    assert_eq!(
        uint(&token.call("balanceOf", &[&acc[1].to_string()]).await?),
        U256::ZERO
    );
    Ok(())
}

#[tokio::test]
async fn reorg_replaces_blocks() -> Result<()> {
    let anvil = Anvil::start().await?;
    let acc = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Demo USD", "DUSD", "6"])
        .await?;
    let r1 = token.send("mint", &[&acc[1].to_string(), "5"]).await?;
    anvil.mine(2).await?;
    let head = anvil.block_number().await?;
    let old: Vec<B256> = futures_hashes(&anvil, r1.block_number..=head).await?;

    // Empty list: the replaced blocks come back empty, the mint is gone.
    anvil.reorg(3, &[]).await?;
    assert_eq!(anvil.block_number().await?, head);
    let new = futures_hashes(&anvil, r1.block_number..=head).await?;
    for (o, n) in old.iter().zip(&new) {
        assert_ne!(o, n);
    }
    assert_eq!(
        anvil.block_hash(r1.block_number - 1).await?,
        token_block_hash(&anvil).await?
    );
    assert!(anvil.receipt(r1.transaction_hash).await?.is_none());
    assert_eq!(
        uint(&token.call("balanceOf", &[&acc[1].to_string()]).await?),
        U256::ZERO
    );

    // With transactions: offset 1 = the second new block.
    let tx = token.tx_request(&TxOptions::default(), "mint", &[&acc[2].to_string(), "9"])?;
    anvil.reorg(2, &[(tx, 1)]).await?;
    let logs = anvil
        .logs(json!({ "fromBlock": "0x0", "toBlock": "latest" }))
        .await?;
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].block_number, head);
    assert_eq!(
        uint(&token.call("balanceOf", &[&acc[2].to_string()]).await?),
        U256::from(9)
    );
    Ok(())
}

async fn futures_hashes(anvil: &Anvil, range: std::ops::RangeInclusive<u64>) -> Result<Vec<B256>> {
    let mut out = Vec::new();
    for n in range {
        out.push(anvil.block_hash(n).await?);
    }
    Ok(out)
}

/// The deploy block (1) is below the reorg and keeps its hash.
async fn token_block_hash(anvil: &Anvil) -> Result<B256> {
    anvil.block_hash(1).await
}

#[tokio::test]
async fn automine_off_submit_mine_wait() -> Result<()> {
    let anvil = Anvil::start().await?;
    let acc = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Demo USD", "DUSD", "6"])
        .await?;
    anvil.set_automine(false).await?;
    assert!(!anvil.automine().await?);
    let h1 = token
        .submit(&TxOptions::default(), "mint", &[&acc[1].to_string(), "1"])
        .await?;
    let h2 = token
        .submit(&TxOptions::default(), "mint", &[&acc[1].to_string(), "2"])
        .await?;
    assert!(anvil.receipt(h1).await?.is_none());
    anvil.mine(1).await?;
    let (r1, r2) = (anvil.wait_receipt(h1).await?, anvil.wait_receipt(h2).await?);
    assert_eq!(r1.block_number, r2.block_number, "both in one block");
    Ok(())
}

#[tokio::test]
async fn stop_restart_keeps_the_chain() -> Result<()> {
    let mut anvil = Anvil::start().await?;
    let acc = anvil.accounts().await?;
    let a1 = acc[1].to_string();
    let token = anvil
        .deploy("TestERC20", &["Demo USD", "DUSD", "6"])
        .await?;
    let minted = token.send("mint", &[&a1, "777"]).await?;
    anvil.mine(3).await?;
    let head = anvil.block_number().await?;
    let head_hash = anvil.block_hash(head).await?;
    let port = anvil.port();
    let old_pid = anvil.pid();

    anvil.stop().await?;
    assert!(anvil.block_number().await.is_err(), "node is down");
    anvil.restart().await?;
    assert_eq!(anvil.port(), port);
    assert_ne!(anvil.pid(), old_pid);

    assert_eq!(anvil.block_number().await?, head);
    assert_eq!(anvil.block_hash(head).await?, head_hash);
    assert_eq!(
        anvil.block_hash(minted.block_number).await?,
        minted.block_hash
    );
    assert!(!anvil.code(token.address()).await?.is_empty());
    // The Contract handle keeps working: same URL.
    assert_eq!(
        uint(&token.call("balanceOf", &[&a1]).await?),
        U256::from(777)
    );
    let logs = anvil
        .logs(json!({ "fromBlock": "0x0", "toBlock": "latest" }))
        .await?;
    assert_eq!(logs.len(), 1);
    assert!(anvil.receipt(minted.transaction_hash).await?.is_some());
    // Historical state (--preserve-historical-states): the balance before the mint.
    let before = json!({ "to": token.address(),
        "input": token.encode_call("balanceOf", &[&a1])? });
    let v = anvil
        .rpc(
            "eth_call",
            json!([before, format!("{:#x}", minted.block_number - 1)]),
        )
        .await?;
    assert_eq!(v, json!(format!("0x{}", "0".repeat(64))));
    // The chain goes on.
    token.send("mint", &[&a1, "1"]).await?;
    assert_eq!(anvil.block_number().await?, head + 1);
    Ok(())
}

#[tokio::test]
async fn kill_then_restart_without_dump_is_a_fresh_chain() -> Result<()> {
    let mut anvil = Anvil::start().await?;
    anvil.mine(5).await?;
    anvil.kill()?;
    anvil.restart().await?;
    assert_eq!(anvil.block_number().await?, 0);
    Ok(())
}

#[tokio::test]
async fn drop_kills_the_process() -> Result<()> {
    let anvil = Anvil::start().await?;
    let pid = anvil.pid().expect("running");
    let url = anvil.url();
    let proc_dir = format!("/proc/{pid}");
    assert!(Path::new(&proc_dir).exists());
    drop(anvil);
    assert!(
        !Path::new(&proc_dir).exists(),
        "anvil {pid} still exists after drop"
    );
    assert!(tokenwatch_testkit::Rpc::new(url)?
        .block_number()
        .await
        .is_err());
    Ok(())
}
