//! Delivery targets edited as the app does: secrets typed in the form go to the keychain
//! and never into the file, removal is refused while listeners use a target, form errors
//! name their field, and "Send a test message" reaches a real receiver and broker.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::path::Path;
use std::time::Duration;

use tokenwatch_engine::config::target_edit::Staged;
use tokenwatch_engine::config::target_form::{Kept, TargetForm, TargetRef, TargetType};
use tokenwatch_engine::config::{decode_secret, ConfigDoc, EditError, NoKeychain};
use tokenwatch_engine::deliver::probe::send_test;
use tokenwatch_engine::deliver::webhook::sign;
use tokenwatch_testkit::RabbitMq;
use tokenwatch_testkit::{Answer, Receiver};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BOT: &str =
    "https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage";

const START: &str = r#"
[[networks]]
name = "local"
chain_id = 31337
rpc = ["http://127.0.0.1:8545"]

[[listeners]]
name = "transfers"
network = "local"
events = ["erc20:Transfer"]
"#;

fn doc(dir: &Path) -> ConfigDoc {
    let path = dir.join("config.toml");
    std::fs::write(&path, START).unwrap();
    ConfigDoc::load(&path).unwrap()
}

fn webhook(name: &str, url: &str, format: &str) -> TargetForm {
    TargetForm {
        kind: TargetType::Webhook,
        name: name.into(),
        url: Some(url.into()),
        format: format.into(),
        chat_id: None,
        secret: None,
        remove_secret: false,
        exchange: String::new(),
    }
}

fn problems_at(e: EditError) -> Vec<(String, String)> {
    match e {
        EditError::Problems(p) => p.into_iter().map(|p| (p.at, p.message)).collect(),
        other => panic!("expected field problems, got {other}"),
    }
}

#[test]
fn secrets_typed_go_to_the_keychain_never_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = doc(dir.path());
    let keychain = Staged::new(&NoKeychain);
    let signed = TargetForm {
        secret: Some(SECRET.into()),
        ..webhook("ops", "http://127.0.0.1:9/hook", "standard")
    };
    d.put_target(None, signed, &keychain).unwrap();
    let telegram = TargetForm {
        chat_id: Some("-1001".into()),
        ..webhook("tg", BOT, "telegram")
    };
    d.put_target(None, telegram, &keychain).unwrap();
    let broker = TargetForm {
        kind: TargetType::Rabbitmq,
        exchange: "events".into(),
        ..webhook("bus", "amqp://app:hunter2pass@127.0.0.1:5672/%2f", "")
    };
    d.put_target(None, broker, &keychain).unwrap();
    d.save(&keychain).unwrap();

    let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    for secret in [SECRET, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "hunter2pass"] {
        assert!(
            !text.contains(secret),
            "{secret} written to the file:\n{text}"
        );
    }
    assert!(
        text.contains("secret_keychain = \"webhook-ops-secret\""),
        "{text}"
    );
    assert!(
        text.contains("url = \"http://127.0.0.1:9/hook\""),
        "a plain URL stays: {text}"
    );
    let stored = keychain.stored();
    assert_eq!(
        stored.get("webhook-ops-secret").map(String::as_str),
        Some(SECRET)
    );
    assert_eq!(stored.get("webhook-tg-url").map(String::as_str), Some(BOT));
    assert!(stored["rabbitmq-bus-url"].contains("hunter2pass"));

    // The list says where each secret is, without it.
    let views = ConfigDoc::load(&dir.path().join("config.toml"))
        .unwrap()
        .targets();
    let ops = views.iter().find(|v| v.name == "ops").unwrap();
    assert_eq!(ops.secret_kept, Some(Kept::Keychain));
    assert_eq!(ops.url_kept, Some(Kept::File));
    let tg = views.iter().find(|v| v.name == "tg").unwrap();
    assert_eq!(
        (tg.url.as_deref(), tg.url_kept),
        (None, Some(Kept::Keychain))
    );
    assert_eq!(tg.chat_id.as_deref(), Some("-1001"));
    let json = serde_json::to_string(&views).unwrap();
    assert!(
        !json.contains("hunter2pass") && !json.contains(SECRET),
        "{json}"
    );

    // Editing without retyping keeps the stored secret; a rename carries listeners along.
    let mut d = ConfigDoc::load(&dir.path().join("config.toml")).unwrap();
    let mut l = d.view().listeners[0].clone();
    l.webhooks = vec!["ops".into()];
    d.put_listener(Some("transfers"), l).unwrap();
    let edit = TargetForm {
        url: None,
        ..webhook("ops2", "", "standard")
    };
    let original = TargetRef {
        kind: TargetType::Webhook,
        name: "ops".into(),
    };
    d.put_target(Some(&original), edit, &keychain).unwrap();
    let config = d.save(&keychain).unwrap();
    assert_eq!(d.view().listeners[0].webhooks, vec!["ops2".to_string()]);
    assert!(config
        .targets
        .iter()
        .any(|t| t.key.to_string() == "webhook:ops2"));
    assert_eq!(
        d.targets()[0].secret_kept,
        Some(Kept::Keychain),
        "still signed"
    );
}

#[test]
fn removal_is_refused_while_listeners_use_it_and_form_errors_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = doc(dir.path());
    let keychain = Staged::new(&NoKeychain);
    d.put_target(
        None,
        webhook("ops", "http://127.0.0.1:9/hook", "standard"),
        &keychain,
    )
    .unwrap();
    let mut l = d.view().listeners[0].clone();
    l.webhooks = vec!["ops".into()];
    d.put_listener(Some("transfers"), l).unwrap();
    let ops = TargetRef {
        kind: TargetType::Webhook,
        name: "ops".into(),
    };
    let err = d.remove_target(&ops).unwrap_err().to_string();
    assert!(err.contains("used by listener(s) transfers"), "{err}");

    let bad = problems_at(
        d.put_target(None, webhook("x", "ftp://host/x", "standard"), &keychain)
            .unwrap_err(),
    );
    assert_eq!(bad[0].0, "url");
    assert!(bad[0].1.contains("http:// or https://"), "{bad:?}");
    let bad = problems_at(
        d.put_target(
            None,
            webhook("x", "https://api.telegram.org/x", "telegram"),
            &keychain,
        )
        .unwrap_err(),
    );
    assert_eq!(
        bad[0],
        (
            "chatId".into(),
            "the Telegram format needs the chat id to post to".into()
        )
    );
    let unsigned = TargetForm {
        secret: Some("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
        ..webhook("x", "https://example.com/x", "standard")
    };
    let bad = problems_at(d.put_target(None, unsigned, &keychain).unwrap_err());
    assert_eq!(
        bad[0],
        (
            "secret".into(),
            "the signing secret starts with whsec_".into()
        )
    );
    let broker = TargetForm {
        kind: TargetType::Rabbitmq,
        exchange: "events".into(),
        ..webhook("bus", "http://127.0.0.1:5672", "")
    };
    let bad = problems_at(d.put_target(None, broker, &keychain).unwrap_err());
    assert!(bad[0].1.contains("amqp:// or amqps://"), "{bad:?}");
    assert!(
        keychain.stored().is_empty(),
        "nothing stored for refused forms"
    );
}

#[tokio::test]
async fn a_test_message_reaches_the_receiver_signed_and_its_answer_is_shown() {
    let receiver = Receiver::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = doc(dir.path());
    let form = TargetForm {
        secret: Some(SECRET.into()),
        ..webhook("ops", &receiver.url(), "standard")
    };
    let spec = d.target_spec(None, form, &NoKeychain).unwrap();
    let reply = send_test(&spec).await;
    assert!(reply.ok, "{reply:?}");
    assert_eq!(reply.status, Some(200));
    assert_eq!(reply.body.as_deref(), Some("ok"));
    let got = receiver.wait_for(1, Duration::from_secs(5)).await.unwrap();
    let body = got[0].json();
    assert_eq!(body["data"]["event"], "Test");
    assert_eq!(body["data"]["network"], "Tokenwatch");
    let header = |n: &str| {
        reply
            .headers
            .iter()
            .find(|h| h.name == n)
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(
        got[0].header("webhook-signature"),
        Some(header("webhook-signature").as_str())
    );
    let ts: i64 = header("webhook-timestamp").parse().unwrap();
    let expected = sign(
        &decode_secret(SECRET).unwrap(),
        &header("webhook-id"),
        ts,
        &got[0].body,
    );
    assert_eq!(
        header("webhook-signature"),
        expected,
        "the signature verifies"
    );
    let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    assert_eq!(text, START, "a test send saves nothing");

    // A refusal is shown with its status; a receiver that never answers is waited for boundedly.
    receiver.set_answer(Answer::Status(503));
    let reply = send_test(&spec).await;
    assert_eq!((reply.ok, reply.status), (false, Some(503)));
    assert!(reply.message.contains("503"), "{}", reply.message);
}

#[tokio::test]
async fn a_test_message_to_a_broker_says_whether_it_was_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let d = doc(dir.path());
    let form = |url: &str| TargetForm {
        kind: TargetType::Rabbitmq,
        exchange: "events".into(),
        ..webhook("bus", url, "")
    };
    let down = d
        .target_spec(
            None,
            form("amqp://guest:guest@127.0.0.1:9/%2f"),
            &NoKeychain,
        )
        .unwrap();
    let reply = send_test(&down).await;
    assert!(!reply.ok);
    assert!(
        reply.message.contains("cannot connect to the broker"),
        "{}",
        reply.message
    );
    if !RabbitMq::available() {
        eprintln!("rabbitmq-server is not installed; the broker half is skipped");
        return;
    }
    let broker = RabbitMq::start().await.unwrap();
    let spec = d
        .target_spec(None, form(&broker.url()), &NoKeychain)
        .unwrap();
    broker.bind_queue("events", "tests", "#").await.unwrap();
    let reply = send_test(&spec).await;
    assert!(reply.ok, "{reply:?}");
    assert!(reply.message.contains("confirmed"), "{}", reply.message);
    let got = broker.drain_queue("tests").await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].routing_key, "Tokenwatch.test.Test");
}
