//! The headless binary against a real anvil: the documented config works as written,
//! backfills equal the chain, bad input exits 2 with messages naming the problem.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use common::*;
use tokenwatch_testkit::Anvil;

/// The configuration from the README / issue, with only the RPC port changed.
const DOCUMENTED: &str = r#"
[[networks]]
name = "local"
chain_id = 31337
rpc = ["http://127.0.0.1:8545"]
confirmations = 0

[[listeners]]
name = "transfers"
network = "local"
contracts = ["0x5FbDB2315678afecb367f032d93F642f64180aa3"]
events = ["event Transfer(address indexed from, address indexed to, uint256 value)"]
from_block = 0

[[listeners]]
name = "big-transfers-to-me"
network = "local"
events = ["erc20:Transfer"]
where = "to == 0x70997970C51812dc3A010C3efE8bE8DCAF5A7B8e and value >= 1000"
from_block = 0
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_config_backfills_what_the_chain_holds() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    // First deployment from the first dev account: 0x5FbDB2315678afecb367f032d93F642f64180aa3.
    let token = anvil
        .deploy("TestERC20", &["Test", "TST", "18"])
        .await
        .expect("deploy");
    assert_eq!(
        format!("{}", token.address()),
        "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    );
    token
        .send("mint", &[&accounts[0].to_string(), "1000000"])
        .await
        .expect("mint");
    for i in 0..20u64 {
        let to = accounts[1 + (i as usize % 5)].to_string();
        token
            .send("transfer", &[&to, &(i * 100 + 1).to_string()])
            .await
            .expect("transfer");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "config.toml",
        &DOCUMENTED.replace("http://127.0.0.1:8545", &anvil.url()),
    );
    let db = dir.path().join("events.db");

    let check = tokenwatch(&["check", "--config", config.to_str().expect("path")]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let run = run_until_head_cli(&config, &db);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let rows = export(&db, &["--listener", "transfers"]);
    let chain = chain_logs(&anvil, &token.address().to_string()).await;
    assert_eq!(chain.len(), 21);
    assert_eq!(keys(&rows), chain, "stored events equal the chain's logs");
    // One signature exported: one column per argument after the fixed columns.
    let header = csv::Reader::from_reader(
        tokenwatch(&[
            "export",
            "--db",
            db.to_str().expect("path"),
            "--listener",
            "transfers",
        ])
        .stdout
        .as_slice(),
    )
    .headers()
    .expect("header")
    .clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        vec![
            "network",
            "chain_id",
            "block_number",
            "block_hash",
            "block_time",
            "tx_hash",
            "log_index",
            "contract",
            "event",
            "signature",
            "listeners",
            "status",
            "token_symbol",
            "token_decimals",
            "from",
            "to",
            "value",
            "value_units"
        ]
    );
    assert!(rows.iter().all(|r| &r[11] == "confirmed"));
    let first_transfer = rows.iter().find(|r| &r[16] == "1").expect("transfer of 1");
    assert_eq!(
        first_transfer[15].to_lowercase(),
        accounts[1].to_string().to_lowercase()
    );
    // The test token has 18 decimals: 1 raw is 0.000000000000000001 TST.
    assert_eq!(
        [
            &first_transfer[12],
            &first_transfer[13],
            &first_transfer[17]
        ],
        ["TST", "18", "0.000000000000000001"]
    );

    // `--out` writes the same CSV to a file; the database itself is refused as the target.
    let db_arg = db.to_str().expect("path");
    let csv_path = dir.path().join("history.csv");
    let to_file = tokenwatch(&[
        "export",
        "--db",
        db_arg,
        "--listener",
        "transfers",
        "--out",
        csv_path.to_str().expect("path"),
    ]);
    assert_eq!(
        to_file.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&to_file.stderr)
    );
    let from_file = csv::Reader::from_path(&csv_path)
        .expect("csv")
        .records()
        .count();
    assert_eq!(from_file, 21);
    assert!(
        !dir.path().join("history.csv.part").exists(),
        "no partial file left"
    );
    // A reader holds the database open, as the app or a `run` would: its log files exist.
    let reader = rusqlite::Connection::open(&db).expect("open");
    let _: i64 = reader
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("read");
    for target in [
        db.clone(),
        dir.path().join("events.db-wal"),
        dir.path().join("events.db-shm"),
    ] {
        assert!(target.exists(), "{}", target.display());
        let onto_db = tokenwatch(&[
            "export",
            "--db",
            db_arg,
            "--out",
            target.to_str().expect("path"),
        ]);
        let err = String::from_utf8_lossy(&onto_db.stderr);
        assert_eq!(onto_db.status.code(), Some(2), "{err}");
        assert!(err.contains("is the database being exported"), "{err}");
    }
    drop(reader);
    assert_eq!(
        export(&db, &["--listener", "transfers"]).len(),
        21,
        "the database is intact"
    );

    // A second run is a no-op: nothing doubled.
    let again = run_until_head_cli(&config, &db);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(export(&db, &["--listener", "transfers"]).len(), 21);
}

#[test]
fn bad_configs_exit_2_naming_each_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[(&str, &str)] = &[
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"not a url\"]\n", "rpc[0]"),
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"http://x\"]\nconfirmations = \"soon\"\n", "confirmations"),
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"http://x\"]\n[[listeners]]\nname = \"l\"\nnetwork = \"b\"\nevents = [\"erc20\"]\n", "unknown network \"b\""),
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"http://x\"]\n[[listeners]]\nname = \"l\"\nnetwork = \"a\"\ncontracts = [\"0x1234\"]\nevents = [\"erc20\"]\n", "contracts[0]"),
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"http://x\"]\n[[listeners]]\nname = \"l\"\nnetwork = \"a\"\nevents = [\"erc99:Transfer\"]\n", "events[0]"),
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"http://x\"]\n[[listeners]]\nname = \"l\"\nnetwork = \"a\"\nevents = [\"erc20:Transfer\"]\nwhere = \"too == 1\"\n", "where"),
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"http://x\"]\n[[listeners]]\nname = \"l\"\nnetwork = \"a\"\nevents = [\"erc20:Transfer\"]\nfrom_block = \"yesterday\"\n", "from_block"),
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"http://x\"]\nunknown_key = 1\n", "unknown_key"),
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"http://x\"]\n[[listeners]]\nname = \"l\"\nnetwork = \"a\"\nevents = [\"event Anon(address indexed who, uint256 v) anonymous\"]\n", "name the contracts"),
        ("this is not toml", "config"),
        ("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = [\"http://x\"]\nexplorer = \"javascript:alert(1)\"\n", "explorer"),
        ("[[webhooks]]\nname = \"w\"\nurl = \"https://\"\n", "webhooks[0] (\"w\").url"),
        ("[[rabbitmq]]\nname = \"r\"\nurl = \"amqp://guest:pw@localhost:56x2/\"\nexchange = \"e\"\n", "not a valid broker URL"),
    ];
    // A TOML error names the place, not the secret it quotes.
    let key = "0123456789abcdef0123456789abcdef";
    let path = write(
        dir.path(),
        "leaky.toml",
        &format!("[[networks]]\nname = \"a\"\nchain_id = 1\nrpc = \"https://mainnet.infura.io/v3/{key}\"\n"),
    );
    let out = tokenwatch(&["check", "--config", path.to_str().expect("path")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 4, column 7") && err.contains("expected a sequence"),
        "{err}"
    );
    assert!(!err.contains(key), "{err}");
    for (i, (text, expect)) in cases.iter().enumerate() {
        let path = write(dir.path(), &format!("bad{i}.toml"), text);
        let out = tokenwatch(&["check", "--config", path.to_str().expect("path")]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "case {i}: {err}");
        assert!(!err.contains(":pw@"), "case {i}: a password shown: {err}");
        assert!(
            err.contains(expect),
            "case {i}: expected {expect:?} in: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_id_mismatch_is_refused_clearly() {
    let anvil = Anvil::start().await.expect("anvil");
    let dir = tempfile::tempdir().expect("tempdir");
    let text = network(&anvil, 0).replace("chain_id = 31337", "chain_id = 1")
        + "[[listeners]]\nname = \"l\"\nnetwork = \"local\"\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n";
    let config = write(dir.path(), "c.toml", &text);
    let db = dir.path().join("e.db");
    let out = run_until_head_cli(&config, &db);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("chain id 1") && err.contains("31337"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_on_a_file_that_is_not_a_database_is_bad_input_and_leaves_it_alone() {
    let anvil = Anvil::start().await.expect("anvil");
    let dir = tempfile::tempdir().expect("tempdir");
    let text = network(&anvil, 0)
        + "[[listeners]]\nname = \"l\"\nnetwork = \"local\"\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n";
    let config = write(dir.path(), "c.toml", &text);
    let notes = write(
        dir.path(),
        "notes.txt",
        &"my notes, not a database\n".repeat(200),
    );
    let out = run_until_head_cli(&config, &notes);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not a database"), "{err}");
    let kept = std::fs::read_to_string(&notes).expect("read");
    assert_eq!(kept, "my notes, not a database\n".repeat(200));
}

#[test]
fn export_of_a_missing_database_is_bad_input() {
    let out = tokenwatch(&["export", "--db", "/nonexistent/dir/x.db"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/dir/x.db"));
}

/// `run` follows edits of its configuration: a listener added to the file starts without a
/// restart; a file that does not validate is reported and the previous one keeps running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_applies_an_edited_configuration_without_a_restart() {
    let anvil = Anvil::start().await.expect("anvil");
    let one = token_with_transfers(&anvil, 2).await;
    let two = token_with_transfers(&anvil, 3).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let first = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "one",
            &[one.address().to_string()],
            &["erc20:Transfer"],
            "from_block = 0"
        )
    );
    let cfg = write(dir.path(), "config.toml", &first);
    let db = dir.path().join("events.db");
    let mut child = run_command(&cfg, &db)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn tokenwatch");
    // Its log as it comes, to see when the watcher has read an edit.
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let log = log.clone();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                let mut log = log.lock().expect("log");
                log.push_str(&line);
                log.push('\n');
            }
        })
    };
    let logged = |what: &str| log.lock().expect("log").contains(what);
    let count = |l: &str| stored_rows(&db, Some(l)).len();
    eventually(
        "listener one backfilled",
        std::time::Duration::from_secs(30),
        || count("one") == 3,
        String::new,
    )
    .await;

    // A broken edit: reported, nothing stops.
    std::fs::write(&cfg, format!("{first}\n[[listeners]]\nname = \"broken\"\n")).expect("write");
    eventually(
        "the broken edit reported",
        std::time::Duration::from_secs(30),
        || logged("the changed configuration has problems; still running the previous one"),
        || log.lock().expect("log").clone(),
    )
    .await;
    assert!(child.try_wait().expect("wait").is_none(), "still running");

    // A listener added: backfilled while the first keeps running.
    let second = format!(
        "{first}{}",
        listener(
            "two",
            &[two.address().to_string()],
            &["erc20:Transfer"],
            "from_block = 0"
        )
    );
    std::fs::write(&cfg, second).expect("write");
    eventually(
        "listener two backfilled",
        std::time::Duration::from_secs(30),
        || count("two") == 4,
        String::new,
    )
    .await;
    assert_eq!(count("one"), 3);

    terminate(child.id());
    let status = child.wait().expect("exit");
    assert_eq!(status.code(), Some(0), "SIGTERM ends it cleanly");
    reader.join().expect("log reader");
    let log = log.lock().expect("log").clone();
    assert!(
        log.contains("missing field `network`"),
        "the broken edit's problem was named:\n{log}"
    );
}

/// Sends SIGTERM (with the `kill` command).
fn terminate(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}
