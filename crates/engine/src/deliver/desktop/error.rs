//! What can go wrong with pop-ups: a host that cannot show one, quiet hours that do not parse.

/// Why the host could not show a pop-up, in words a person understands; kept with the
/// delivery attempt. The host picks the variant from what its notification service said;
/// the service's own words are kept for the log (`Debug`), not shown.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    #[error("No notification service is running on this desktop, so pop-ups cannot be shown; {STILL_SENT}")]
    NoService(String),
    #[error("This session has no D-Bus connection, so pop-ups cannot be shown; {STILL_SENT}")]
    NoSessionBus(String),
    #[error("The desktop refused the pop-up; {STILL_SENT} ({0})")]
    Refused(String),
    /// The blocking task that shows the pop-up ended without an answer (it panicked).
    #[error("the notification task failed: {0}")]
    Task(String),
}

const STILL_SENT: &str = "events are still stored and sent to the other targets";
