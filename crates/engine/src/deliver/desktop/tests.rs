use super::*;
use crate::event::StoredEvent;

/// A clock the test moves by hand.
pub(crate) struct TestClock(Mutex<(Instant, u32)>);

impl TestClock {
    pub(crate) fn at(minute_of_day: u32) -> Arc<Self> {
        Arc::new(Self(Mutex::new((Instant::now(), minute_of_day))))
    }

    pub(crate) fn advance(&self, d: Duration) {
        let mut g = self.0.lock().unwrap();
        g.0 += d;
        g.1 = (g.1 + (d.as_secs() / 60) as u32) % 1440;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Instant {
        self.0.lock().unwrap().0
    }
    fn local_minute_of_day(&self) -> u32 {
        self.0.lock().unwrap().1
    }
}

#[derive(Default)]
struct Recorder {
    shown: Mutex<Vec<Popup>>,
    fail: Mutex<Option<NotifyError>>,
}

impl Notifier for Recorder {
    fn show(&self, p: &Popup) -> Result<(), NotifyError> {
        if let Some(e) = self.fail.lock().unwrap().clone() {
            return Err(e);
        }
        self.shown.lock().unwrap().push(p.clone());
        Ok(())
    }
}

fn event(id: i64, status: EventStatus) -> Queued {
    Queued {
        id,
        status,
        attempts: 0,
        event: StoredEvent {
            id,
            network: "local".into(),
            chain_id: 31337,
            block_number: 10 + id as u64,
            block_hash: format!("0x{}", "ab".repeat(32)),
            block_time: None,
            tx_hash: format!("0x{}", "cd".repeat(32)),
            log_index: 0,
            contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3".into(),
            event: "Transfer".into(),
            signature: "Transfer(address,address,uint256)".into(),
            listener: "mine".into(),
            listeners: vec!["mine".into()],
            status,
            args: serde_json::json!({"from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "value": id.to_string()}),
            arg_names: vec!["from".into(), "to".into(), "value".into()],
            decimals: None,
            symbol: None,
        },
    }
}

fn batch(ids: std::ops::Range<i64>) -> Vec<Queued> {
    ids.map(|i| event(i, EventStatus::Pending)).collect()
}

fn sink(policy: DesktopPolicy, clock: Arc<TestClock>) -> (DesktopSink, Arc<Recorder>) {
    let rec = Arc::new(Recorder::default());
    (DesktopSink::new(rec.clone(), clock, policy), rec)
}

#[tokio::test]
async fn a_burst_becomes_a_few_popups_and_one_summary() {
    let clock = TestClock::at(12 * 60);
    let (s, rec) = sink(DesktopPolicy::default(), clock.clone());
    let out = s.send(&batch(1..38)).await;
    assert_eq!(out.len(), 37);
    assert!(out.iter().all(|o| o.ok));
    let shown = rec.shown.lock().unwrap().clone();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert_eq!(shown[0].title, "New Transfer on local");
    assert_eq!(shown[0].event_id, Some(1));
    assert!(shown[0].body.contains("value 1"), "{}", shown[0].body);
    assert_eq!(shown[2].title, "35 Transfer events on local");
    assert_eq!(shown[2].event_id, None);

    // The window is used up: the next event waits for it instead of popping up.
    let out = s.send(&batch(38..39)).await;
    assert_eq!(out.len(), 1);
    let defer = out[0].defer.clone().expect("deferred");
    assert_eq!(
        defer.wait,
        DesktopPolicy::default().recheck,
        "looks again soon"
    );
    // Why, and when the window has room again (a minute after the first pop-up).
    assert_eq!(
        defer.reason,
        HoldReason::BurstLimit {
            burst: 3,
            seconds: 60
        }
    );
    assert_eq!(defer.until, Duration::from_secs(60));
    clock.advance(Duration::from_secs(45));
    let later = s.send(&batch(38..39)).await;
    assert_eq!(
        later[0].defer.as_ref().map(|d| d.until),
        Some(Duration::from_secs(15))
    );
    assert_eq!(rec.shown.lock().unwrap().len(), 3);

    clock.advance(Duration::from_secs(16));
    let out = s.send(&batch(38..40)).await;
    assert!(out.iter().all(|o| o.ok));
    assert_eq!(rec.shown.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn quiet_hours_hold_popups_until_they_end() {
    let clock = TestClock::at(23 * 60);
    let policy = DesktopPolicy {
        quiet_hours: Some(parse_quiet_hours("22:00-07:00").unwrap()),
        recheck: Duration::from_secs(30),
        ..DesktopPolicy::default()
    };
    let (s, rec) = sink(policy, clock.clone());
    let out = s.send(&batch(1..6)).await;
    // Held until 07:00, eight hours away; looked at again every 30 s.
    assert_eq!(
        out,
        vec![Outcome::deferred(Defer {
            wait: Duration::from_secs(30),
            reason: HoldReason::QuietHours {
                start: 22 * 60,
                end: 7 * 60
            },
            until: Duration::from_secs(8 * 3600),
        })]
    );
    assert!(rec.shown.lock().unwrap().is_empty());
    clock.advance(Duration::from_secs(8 * 3600)); // 07:00
    let out = s.send(&batch(1..6)).await;
    assert_eq!(out.len(), 5);
    let shown = rec.shown.lock().unwrap().clone();
    assert_eq!(shown.len(), 3);
    assert_eq!(shown[2].title, "3 Transfer events on local");
}

#[tokio::test]
async fn a_missing_notification_service_is_an_error_in_words() {
    let (s, rec) = sink(DesktopPolicy::default(), TestClock::at(600));
    *rec.fail.lock().unwrap() = Some(NotifyError::NoService("ServiceUnknown".into()));
    let out = s.send(&batch(1..2)).await;
    assert_eq!(out.len(), 1);
    assert!(!out[0].ok);
    assert_eq!(
        out[0].error.as_deref(),
        Some("No notification service is running on this desktop, so pop-ups cannot be shown; events are still stored and sent to the other targets")
    );
}

#[tokio::test]
async fn a_popup_that_failed_leaves_its_burst_slot_free() {
    let (s, rec) = sink(DesktopPolicy::default(), TestClock::at(600));
    *rec.fail.lock().unwrap() = Some(NotifyError::NoService("ServiceUnknown".into()));
    for _ in 0..5 {
        assert!(!s.send(&batch(1..2)).await[0].ok);
    }
    // The service is back: the failures took no slot, so all three pop up at once.
    *rec.fail.lock().unwrap() = None;
    let out = s.send(&batch(1..4)).await;
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|o| o.ok && o.defer.is_none()), "{out:?}");
    assert_eq!(rec.shown.lock().unwrap().len(), 3);
}

#[test]
fn amounts_in_token_units_lead_the_title() {
    let mut q = event(4, EventStatus::Pending);
    q.event.args["value"] = serde_json::json!("1250000000");
    q.event.decimals = Some(6);
    q.event.symbol = Some("USDC".into());
    let p = popup(&q);
    assert_eq!(p.title, "New Transfer of 1,250.00 USDC on local");
    assert!(
        p.body
            .starts_with("from 0xf39F…2266, to 0x7099…79C8 (mine, block 14)"),
        "{}",
        p.body
    );
}

#[test]
fn retractions_say_so() {
    let p = popup(&event(4, EventStatus::Removed));
    assert_eq!(p.title, "Retracted Transfer on local");
    assert!(p.body.starts_with("The chain reorganised"));
}

#[test]
fn quiet_hours_parse_and_wrap_midnight() {
    let p = DesktopPolicy {
        quiet_hours: Some(parse_quiet_hours("22:00-07:30").unwrap()),
        ..DesktopPolicy::default()
    };
    assert!(p.is_quiet(23 * 60));
    assert!(p.is_quiet(7 * 60 + 29));
    assert!(!p.is_quiet(7 * 60 + 30));
    assert!(!p.is_quiet(12 * 60));
    assert_eq!(
        parse_quiet_hours("22:00").map_err(|e| e.to_string()),
        Err("\"22:00\" is not a time range like 22:00-07:00".to_string())
    );
    assert_eq!(
        parse_quiet_hours("22-07").map_err(|e| e.to_string()),
        Err("\"22-07\" is not a time range like 22:00-07:00 (24-hour clock)".to_string())
    );
    assert_eq!(
        parse_quiet_hours("25:00-07:00"),
        Err(QuietHoursError::BadTime("25:00-07:00".into()))
    );
    assert_eq!(
        parse_quiet_hours("07:00-07:00").map_err(|e| e.to_string()),
        Err("\"07:00-07:00\" starts and ends at the same time".to_string())
    );
}

const HOSTILE: &str = "<!channel> <https://evil.example/claim|Claim your airdrop> @everyone";

/// An event whose string argument and token symbol were chosen by whoever emitted it.
fn hostile(id: i64) -> Queued {
    let mut q = event(id, EventStatus::Pending);
    q.event.event = "BytesString".into();
    q.event.args = serde_json::json!({"text": HOSTILE, "long": "<b>ü</b>".repeat(400)});
    q.event.arg_names = vec!["text".into(), "long".into()];
    q
}

#[test]
fn chain_text_in_a_popup_body_shows_as_text_not_markup() {
    let p = popup(&hostile(5));
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        assert!(p.body.contains(HOSTILE), "{}", p.body);
    } else {
        // Freedesktop servers may read <b>, <i>, <a href>, <img> in a body.
        assert!(
            p.body.starts_with(
                "text &lt;!channel&gt; &lt;https://evil.example/claim|Claim your airdrop&gt; @everyone, long &lt;b&gt;ü&lt;/b&gt;"
            ),
            "{}",
            p.body
        );
        assert!(!p.body.contains('<'), "{}", p.body);
    }
    let n = p.body.chars().count();
    assert!(n <= 400, "a body of {n} characters");
    assert!(p.body.contains("…"), "the long value is cut: {}", p.body);
    assert!(p.body.ends_with("(mine, block 15)"), "{}", p.body);
}

#[test]
fn summaries_escape_and_cap_the_latest_event_too() {
    let long_name = |id| {
        let mut q = hostile(id);
        q.event.event = "E".repeat(300);
        q
    };
    let p = summary(&[long_name(5), long_name(6)]);
    assert!(p.title.starts_with("2 EEEE"), "{}", p.title);
    assert!(p.title.chars().count() <= 120, "{}", p.title);
    assert!(p.title.contains("…"), "{}", p.title);
    assert!(p.body.chars().count() <= 400, "{}", p.body);
    if !cfg!(any(target_os = "macos", target_os = "windows")) {
        assert!(!p.body.contains('<'), "{}", p.body);
        assert!(p.body.contains("&lt;!channel&gt;"), "{}", p.body);
    }
}
