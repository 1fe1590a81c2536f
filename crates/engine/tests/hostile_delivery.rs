//! Delivery facing hostile input on a real anvil and real receivers: event text chosen by
//! whoever emits it reaches chat services inert and capped (and data webhooks unchanged).

mod common;

use std::time::Duration;

use common::*;
use tokenwatch_engine::{Engine, RunOptions};
use tokenwatch_testkit::{Anvil, Contract, Received, Receiver};

const HOSTILE: &str = "<!channel> <https://evil.example/claim|Claim your airdrop> @everyone";

fn webhook(name: &str, url: &str, extra: &str) -> String {
    format!("\n[[webhooks]]\nname = \"{name}\"\nurl = \"{url}\"\n{extra}\n")
}

/// A config watching EventZoo's `BytesString(bytes data, string text)` into `hooks`.
fn zoo_config(anvil: &Anvil, zoo: &Contract, hooks: &str, names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!(
        "{}{hooks}{}",
        network(anvil, 0),
        listener(
            "zoo",
            &[zoo.address().to_string()],
            &["event BytesString(bytes data, string text)"],
            &format!("from_block = 0\nwebhooks = [{}]", names.join(", ")),
        )
    )
}

/// The value after `text ` in a chat line, up to the block.
fn text_value(line: &str) -> &str {
    let after = line.split_once(", text ").map_or("", |(_, v)| v);
    after.split(" — block").next().unwrap_or("")
}

fn field(r: &Received, key: &str) -> String {
    r.json()[key].as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_text_reaches_chats_inert_and_capped_and_data_webhooks_unchanged() {
    let anvil = Anvil::start().await.expect("anvil");
    let zoo = anvil.deploy("EventZoo", &[]).await.expect("deploy zoo");
    zoo.send("emitBytesString", &["0x01", "history"])
        .await
        .expect("emit");
    let (slack, discord, telegram, data) = (
        Receiver::start().await.expect("receiver"),
        Receiver::start().await.expect("receiver"),
        Receiver::start().await.expect("receiver"),
        Receiver::start().await.expect("receiver"),
    );
    let hooks = [
        webhook("slack", &slack.url(), "format = \"slack\""),
        webhook("discord", &discord.url(), "format = \"discord\""),
        webhook(
            "telegram",
            &telegram.url(),
            "format = \"telegram\"\nchat_id = \"-100\"",
        ),
        webhook("data", &data.url(), ""),
    ]
    .concat();
    let text = zoo_config(
        &anvil,
        &zoo,
        &hooks,
        &["slack", "discord", "telegram", "data"],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::start(
        parse_config(&text),
        &dir.path().join("e.db"),
        RunOptions::default(),
    )
    .await
    .expect("engine");
    let wait = Duration::from_secs(30);
    data.wait_for(1, wait).await.expect("history to data");
    let long = "ü*".repeat(1500);
    zoo.send("emitBytesString", &["0x02", HOSTILE])
        .await
        .expect("emit hostile");
    zoo.send("emitBytesString", &["0x03", &long])
        .await
        .expect("emit long");
    let data_got = data.wait_for(3, wait).await.expect("data");
    let slack_got = slack.wait_for(2, wait).await.expect("slack");
    let discord_got = discord.wait_for(2, wait).await.expect("discord");
    let telegram_got = telegram.wait_for(2, wait).await.expect("telegram");

    // Data carries the exact strings.
    assert_eq!(data_got[1].json()["data"]["args"]["text"], HOSTILE);
    assert_eq!(data_got[2].json()["data"]["args"]["text"], long.as_str());

    // Slack: no <!channel>, no <url|label> link, no mention.
    let s = field(&slack_got[0], "text");
    assert_eq!(
        text_value(&s),
        "&lt;!channel&gt; &lt;https://evil.example/claim|Claim your airdrop&gt; @everyone",
        "{s}"
    );
    assert!(!s.contains('<') && !s.contains('>'), "{s}");

    // Discord: no mention pings whatever the text, markdown and @everyone neutralised.
    let d = &discord_got[0];
    assert_eq!(
        d.json()["allowed_mentions"],
        serde_json::json!({"parse": []})
    );
    let c = field(d, "content");
    assert_eq!(
        text_value(&c),
        "\\<!channel\\> \\<https\\://evil.example/claim\\|Claim your airdrop\\> @\u{200B}everyone",
        "{c}"
    );
    assert!(!c.contains("@everyone"), "{c}");

    // Telegram: sent as plain text (no parse_mode), so the text is shown as written.
    let t = &telegram_got[0];
    assert!(t.json().get("parse_mode").is_none(), "{:?}", t.json());
    assert_eq!(text_value(&field(t, "text")), HOSTILE);

    // 3,000 characters: every chat message keeps its start and `…`, within the limit.
    for (r, key, limit) in [
        (&slack_got[1], "text", 3000),
        (&discord_got[1], "content", 2000),
        (&telegram_got[1], "text", 4096),
    ] {
        let line = field(r, key);
        let value = text_value(&line);
        assert!(value.starts_with("ü"), "{line}");
        assert!(value.ends_with('…'), "{line}");
        assert!(value.chars().count() <= 200, "{} characters", value.len());
        assert!(line.chars().count() <= limit, "{line}");
        assert!(line.contains(" — block "), "the line ends as usual: {line}");
    }
    engine.shutdown().await.expect("shutdown");
}
