use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{span, Event, Level, Metadata, Subscriber};

use super::reply;
use crate::error::{AppError, Code};

#[test]
fn a_failed_command_reaches_the_ui_as_code_and_message_and_is_logged() {
    let log = Capture::default();
    let failed = tracing::subscriber::with_default(log.clone(), || {
        reply::<()>(
            "history_page",
            Err(AppError::new(
                Code::FilterInvalid,
                "invalid filter: address: \"0x12\" is not an address",
            )),
        )
    });
    let json = serde_json::to_value(failed.unwrap_err()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "code": "filter.invalid",
            "message": "invalid filter: address: \"0x12\" is not an address",
        })
    );
    let lines = log.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].0, Level::WARN);
    assert!(
        lines[0].1.contains("command=history_page")
            && lines[0].1.contains("code=filter.invalid")
            && lines[0]
                .1
                .contains("error=invalid filter: address: \"0x12\" is not an address"),
        "{lines:?}"
    );
}

#[test]
fn a_command_that_succeeds_is_logged_at_debug() {
    let log = Capture::default();
    let done = tracing::subscriber::with_default(log.clone(), || reply("dashboard", Ok(7)));
    assert_eq!(done.ok(), Some(7));
    let lines = log.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].0, Level::DEBUG);
    assert!(lines[0].1.contains("command=dashboard"), "{lines:?}");
}

/// The command modules, by name, as `generate_handler!` names them.
const MODULES: &[(&str, &str)] = &[
    ("activity", include_str!("activity.rs")),
    ("config", include_str!("config.rs")),
    ("events", include_str!("events.rs")),
    ("export", include_str!("export.rs")),
    ("labels", include_str!("labels.rs")),
    ("links", include_str!("links.rs")),
    ("settings", include_str!("settings.rs")),
    ("targets", include_str!("targets.rs")),
    ("tokens", include_str!("tokens.rs")),
];

/// Every command the app registers answers through `reply` under its own name.
#[test]
fn every_registered_command_answers_through_reply() {
    let commands = registered(include_str!("../ipc.rs"));
    assert!(commands.len() > 20, "{commands:?}");
    for path in &commands {
        let (module, name) = match path.split("::").collect::<Vec<_>>()[..] {
            [module, name] => (module, name),
            _ => panic!("{path}: list commands as <module>::<name> in ipc.rs"),
        };
        let Some((_, source)) = MODULES.iter().find(|(m, _)| *m == module) else {
            panic!("{path}: add commands/{module}.rs to MODULES in this test");
        };
        let function = function(source, name).unwrap_or_else(|| panic!("{path}: not found"));
        let (signature, body) = function.split_once(" {\n").unwrap_or((function, ""));
        assert!(
            signature.contains("-> Reply<"),
            "{path} must return Reply<_>: {signature}"
        );
        // Without spaces and line breaks, as rustfmt may put them anywhere.
        let body: String = body.split_whitespace().collect();
        let named = format!("reply(\"{name}\",");
        assert!(body.contains(&named), "{path} must answer with {named}..)");
        assert_eq!(
            body.matches("reply(\"").count(),
            body.matches(&named).count(),
            "{path} answers under another command's name"
        );
    }
}

/// The paths listed in `with_commands!` (ipc.rs): the handler and `COMMANDS` are made
/// from that one list.
fn registered(ipc: &str) -> Vec<String> {
    let list = ipc
        .find("$then!(")
        .expect("with_commands! lists the commands")
        + 7;
    let end = list + ipc[list..].find(')').expect(")");
    ipc[list..end]
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The text of `fn name(...)` in `source`, from `fn` to its closing brace at column 0.
fn function<'a>(source: &'a str, name: &str) -> Option<&'a str> {
    let start = source.find(&format!("fn {name}("))?;
    let end = start + source[start..].find("\n}\n")?;
    Some(&source[start..end])
}

/// Records each event's level and fields.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<(Level, String)>>>);

impl Capture {
    fn lines(&self) -> Vec<(Level, String)> {
        self.0.lock().unwrap().clone()
    }
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, "{}={value} ", field.name());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let level = *event.metadata().level();
        self.0.lock().unwrap().push((level, fields.0));
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}
