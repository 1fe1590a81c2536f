//! Desktop notifications as an outbox target: what to pop up, when to summarise a burst
//! instead, and quiet hours. Showing the pop-up is the host's job (the app uses the OS
//! notification service), behind [`Notifier`]; time comes from a [`Clock`] so tests
//! control it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

mod error;
pub use crate::model::{parse_quiet_hours, DesktopPolicy, QuietHoursError};
pub use error::NotifyError;

use super::message::{amount, describe, short_value};
use super::text::{fit, inert, Medium, NAME_CAP, POPUP_BODY, VALUE_CAP};
use super::{Defer, Outcome, Sink};
use crate::event::EventStatus;
use crate::status::HoldReason;
use crate::store::Queued;

/// One pop-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Popup {
    /// Plain text.
    pub title: String,
    /// Escaped for body markup where the notification server may read it ([`POPUP_BODY`]).
    pub body: String,
    /// The event a click opens; `None` for a summary (opens the feed).
    pub event_id: Option<i64>,
}

/// Shows pop-ups (the OS notification service in the app).
pub trait Notifier: Send + Sync {
    /// Fails saying why, e.g. when no notification service runs.
    fn show(&self, popup: &Popup) -> Result<(), NotifyError>;
}

/// The time, for rate limits and quiet hours.
pub trait Clock: Send + Sync {
    fn now(&self) -> Instant;
    /// Minutes since local midnight.
    fn local_minute_of_day(&self) -> u32;
}

impl DesktopPolicy {
    /// During quiet hours (`minute` of the local day): look again after `recheck`; what
    /// waits goes out when they end.
    fn quiet_defer(&self, minute: u32) -> Option<Defer> {
        let (start, end) = self.quiet_hours.filter(|_| self.is_quiet(minute))?;
        let left = (end + 1440 - minute % 1440) % 1440;
        Some(Defer {
            wait: self.recheck,
            reason: HoldReason::QuietHours { start, end },
            until: Duration::from_secs(u64::from(left) * 60),
        })
    }

    /// The burst window is used up until a slot frees in `until`: look again by then (or
    /// after `recheck`, so an edited limit applies).
    fn burst_defer(&self, until: Duration) -> Defer {
        Defer {
            wait: until.clamp(Duration::from_millis(10), self.recheck),
            reason: HoldReason::BurstLimit {
                burst: self.burst,
                seconds: self.window.as_secs(),
            },
            until,
        }
    }
}

pub struct DesktopSink {
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    /// Replaced when the user edits the preferences (Settings), without a restart.
    policy: Mutex<DesktopPolicy>,
    /// When the recent pop-ups were shown.
    shown: Mutex<VecDeque<Instant>>,
}

impl DesktopSink {
    pub fn new(notifier: Arc<dyn Notifier>, clock: Arc<dyn Clock>, policy: DesktopPolicy) -> Self {
        Self {
            notifier,
            clock,
            policy: Mutex::new(policy),
            shown: Mutex::new(VecDeque::new()),
        }
    }

    /// Pops up an alert about the engine itself (a reorg deeper than the confirmation
    /// policy): not an event, so neither quiet hours nor the burst limit hold it back.
    /// Shown on a blocking thread; a failure is logged.
    pub fn alert(&self, popup: Popup) {
        let notifier = self.notifier.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = notifier.show(&popup) {
                tracing::warn!(error = %e, "cannot pop up an alert");
            }
        });
    }

    /// Applies edited preferences to the next pop-ups.
    pub fn set_policy(&self, policy: DesktopPolicy) {
        *self.policy.lock().unwrap_or_else(|p| p.into_inner()) = policy;
    }

    fn policy(&self) -> DesktopPolicy {
        self.policy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The pop-ups for a batch: one each while under the burst limit, then one summary.
    /// When the limit is used up, how long until a slot frees.
    /// Each pop-up comes with how many messages of the batch it covers. A pop-up takes its
    /// slot only once shown ([`Self::shown_now`]), so a failed one leaves the window as it was.
    fn plan(&self, batch: &[Queued]) -> Result<Vec<(Popup, usize)>, Duration> {
        let now = self.clock.now();
        let policy = self.policy();
        let mut shown = self.shown.lock().unwrap_or_else(|p| p.into_inner());
        while shown
            .front()
            .is_some_and(|t| now.duration_since(*t) >= policy.window)
        {
            shown.pop_front();
        }
        let room = (policy.burst as usize).saturating_sub(shown.len());
        if room == 0 {
            let oldest = shown.front().copied().unwrap_or(now);
            return Err(policy.window.saturating_sub(now.duration_since(oldest)));
        }
        // Keep one slot for the summary when the batch does not fit.
        let singles = if batch.len() <= room {
            batch.len()
        } else {
            room.saturating_sub(1)
        };
        let mut out: Vec<(Popup, usize)> = batch[..singles].iter().map(|q| (popup(q), 1)).collect();
        let rest = &batch[singles..];
        if !rest.is_empty() {
            out.push((summary(rest), rest.len()));
        }
        Ok(out)
    }

    /// Counts a pop-up just shown against the burst limit.
    fn shown_now(&self) {
        let now = self.clock.now();
        self.shown
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(now);
    }
}

/// Pop-up titles are plain text (notification servers do not parse markup there).
const TITLE_MAX: usize = 120;
/// Servers cut long bodies unevenly: a few hundred characters.
const BODY_MAX: usize = 400;

/// The pop-up of one event: chain text capped, and escaped in the body where the
/// notification server may read markup ([`POPUP_BODY`]).
pub fn popup(q: &Queued) -> Popup {
    let e = &q.event;
    let verb = match q.status {
        EventStatus::Removed => "Retracted",
        _ => "New",
    };
    let amount = amount(e);
    let plain = |s: &str| inert(Medium::Plain, s, NAME_CAP);
    let title = match &amount {
        Some((_, units)) => format!(
            "{verb} {} of {} on {}",
            plain(&e.event),
            plain(units),
            plain(&e.network)
        ),
        None => format!("{verb} {} on {}", plain(&e.event), plain(&e.network)),
    };
    let args: Vec<String> = e
        .arg_names
        .iter()
        .filter(|k| amount.as_ref().is_none_or(|(key, _)| key != *k))
        .take(3)
        .map(|k| {
            let v = short_value(e.args.get(k).unwrap_or(&serde_json::Value::Null));
            format!(
                "{} {}",
                inert(POPUP_BODY, k, NAME_CAP),
                inert(POPUP_BODY, &v, VALUE_CAP)
            )
        })
        .collect();
    let mut body = args.join(", ");
    if q.status == EventStatus::Removed {
        body = format!("The chain reorganised; this event is no longer on it. {body}");
    }
    body.push_str(&format!(
        " ({}, block {})",
        inert(POPUP_BODY, &e.listener, NAME_CAP),
        e.block_number
    ));
    Popup {
        title: fit(title, TITLE_MAX),
        body: fit(body, BODY_MAX),
        event_id: Some(e.id),
    }
}

/// One pop-up for many events: `37 Transfer events on local`.
fn summary(rest: &[Queued]) -> Popup {
    let mut names: Vec<&str> = rest.iter().map(|q| q.event.event.as_str()).collect();
    names.sort();
    names.dedup();
    let what = if names.len() == 1 {
        format!(
            "{} {} events",
            rest.len(),
            inert(Medium::Plain, names[0], NAME_CAP)
        )
    } else {
        format!("{} events", rest.len())
    };
    let first = &rest[0].event;
    let body = format!(
        "{} ({}): latest {}",
        inert(POPUP_BODY, &first.listener, NAME_CAP),
        if rest.len() > 1 { "summarised" } else { "one" },
        describe(&rest[rest.len() - 1], POPUP_BODY, BODY_MAX)
    );
    Popup {
        title: fit(
            format!(
                "{what} on {}",
                inert(Medium::Plain, &first.network, NAME_CAP)
            ),
            TITLE_MAX,
        ),
        body: fit(body, BODY_MAX),
        event_id: None,
    }
}

impl Sink for DesktopSink {
    fn send<'a>(&'a self, batch: &'a [Queued]) -> BoxFuture<'a, Vec<Outcome>> {
        Box::pin(async move {
            let started = Instant::now();
            let policy = self.policy();
            if let Some(defer) = policy.quiet_defer(self.clock.local_minute_of_day()) {
                return vec![Outcome::deferred(defer)];
            }
            let popups = match self.plan(batch) {
                Ok(p) => p,
                Err(until) => return vec![Outcome::deferred(policy.burst_defer(until))],
            };
            let ok = |_| Outcome {
                ok: true,
                code: None,
                latency: started.elapsed(),
                error: None,
                defer: None,
            };
            let mut covered = 0;
            for (p, n) in popups {
                let notifier = self.notifier.clone();
                let shown = tokio::task::spawn_blocking(move || notifier.show(&p))
                    .await
                    .unwrap_or_else(|e| Err(NotifyError::Task(e.to_string())));
                if let Err(error) = shown {
                    // What was shown counts as delivered; the first one not shown fails.
                    let mut out: Vec<Outcome> = (0..covered).map(ok).collect();
                    out.push(Outcome {
                        ok: false,
                        code: None,
                        latency: started.elapsed(),
                        error: Some(error.to_string()),
                        defer: None,
                    });
                    return out;
                }
                self.shown_now();
                covered += n;
            }
            // Every message of the batch was shown, alone or in the summary.
            (0..batch.len()).map(ok).collect()
        })
    }

    fn takes_history(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests;
