//! Saving a network asks its endpoints for their chain id: a real anvil (31337) named as
//! chain 5 is refused naming both ids; an endpoint nobody answers on is saved unchecked.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::time::Duration;

use tokenwatch_engine::config::chain_check::{check_chain_id, ChainCheck};
use tokenwatch_testkit::Anvil;

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_id_is_checked_against_what_the_endpoint_answers() {
    let anvil = Anvil::start().await.expect("anvil");
    let urls = [anvil.url()];
    assert_eq!(
        check_chain_id(31337, &urls, WAIT).await,
        Ok(ChainCheck::Confirmed)
    );
    let refused = check_chain_id(5, &urls, WAIT).await.unwrap_err();
    assert_eq!(
        refused.to_string(),
        format!(
            "the endpoint {} answers chain id 31337, not 5: check the endpoint URL or the chain id",
            anvil.url()
        )
    );
    // One endpoint on another chain is enough to refuse, whatever the others say.
    let closed = format!("http://127.0.0.1:{}", free_port());
    let mixed = [closed.clone(), anvil.url()];
    assert!(check_chain_id(5, &mixed, WAIT).await.is_err());

    let unchecked = check_chain_id(5, std::slice::from_ref(&closed), WAIT)
        .await
        .unwrap();
    let warning = unchecked.warning().unwrap_or_default();
    assert!(
        warning.starts_with(&format!(
            "Saved without checking the chain id: no endpoint answered ({closed}: "
        )),
        "{warning}"
    );
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
