//! A listener's `where` checked for each of its events: a clause scoped to one event
//! (`Transfer(to == 0x…)`) is left out for the others, and a problem shared by several
//! events is reported once, naming them.

use super::{problem, ConfigProblem};
use crate::abi::EventDef;
use crate::matcher::condition::{Condition, ConditionError, EventScope};

/// The condition checked for each event. A problem shared by several events is reported
/// once, naming them; a field only some events have is named with those lacking it.
pub(super) fn parse_conditions(
    src: &str,
    defs: &[EventDef],
    problems: &mut Vec<ConfigProblem>,
) -> Vec<Option<Condition>> {
    let watched: Vec<String> = defs.iter().map(|d| d.event.name.clone()).collect();
    let mut failed: Vec<(ConditionError, Vec<&EventDef>)> = Vec::new();
    let mut out = Vec::new();
    for def in defs {
        let scope = EventScope {
            name: &def.event.name,
            params: &def.event.inputs,
            watched: &watched,
        };
        match Condition::parse_for(src, scope) {
            Ok(c) => out.push(Some(c)),
            Err(e) => {
                // The field list differs per event: one missing field is one problem.
                let same = |(f, _): &&mut (ConditionError, Vec<&EventDef>)| match &e.unknown_field {
                    Some(name) => f.unknown_field.as_ref() == Some(name),
                    None => f.to_string() == e.to_string(),
                };
                match failed.iter_mut().find(same) {
                    Some((_, events)) => events.push(def),
                    None => failed.push((e, vec![def])),
                }
                out.push(None);
            }
        }
    }
    for (e, lacking) in failed {
        let message = match &e.unknown_field {
            Some(field) => missing_field(&e, field, &lacking, defs),
            None => {
                let names: Vec<&str> = lacking.iter().map(|d| d.display.as_str()).collect();
                let events = if names.len() == 1 { "event" } else { "events" };
                format!("for {events} {}: {e}", names.join(", "))
            }
        };
        problems.push(problem("where", &message));
    }
    out
}

/// "AddressFrozen and TokensFrozen have no field `to` (Transfer has): …", with the caret.
fn missing_field(
    e: &ConditionError,
    field: &str,
    lacking: &[&EventDef],
    defs: &[EventDef],
) -> String {
    if let [one] = lacking {
        return format!("for event {}: {e}", one.display);
    }
    let names = unique(lacking.iter().map(|d| d.event.name.as_str()));
    let having = unique(
        defs.iter()
            .filter(|d| d.event.inputs.iter().any(|p| p.name == field))
            .map(|d| d.event.name.as_str())
            .filter(|n| !names.contains(n)),
    );
    let have = |n: &[&str]| if n.len() == 1 { "has" } else { "have" };
    let mut message = format!("{} {} no field `{field}`", words(&names), have(&names));
    if let Some(first) = having.first() {
        message += &format!(
            " ({} {}): to apply the clause only to {first} events, write it inside `{first}( … )`, e.g. `{first}({field} == …)`",
            words(&having),
            have(&having)
        );
    }
    ConditionError {
        message,
        ..e.clone()
    }
    .to_string()
}

fn unique<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// "A", "A and B", "A, B and C".
fn words(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, ConfigProblem};
    use std::path::Path;

    const ALICE: &str = "0x70997970C51812dC3A010C3eFe8BE8DcaF5a7B8E";

    /// A listener on the four events of the issue, with this condition.
    fn check(condition: &str) -> Result<Config, Vec<ConfigProblem>> {
        let text = format!(
            r#"
[[networks]]
name = "local"
chain_id = 31337
rpc = ["http://127.0.0.1:8545"]

[[listeners]]
name = "bond"
network = "local"
events = ["erc3643:AddressFrozen", "erc3643:TokensFrozen", "erc3643:RecoverySuccess", "erc3643:Transfer"]
where = "{condition}"
"#
        );
        Config::parse(&text, Path::new("."))
    }

    #[test]
    fn a_field_of_one_event_is_refused_once_naming_the_events_without_it() {
        let problems = check(&format!("to == {ALICE}")).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].at, "listeners[0] (\"bond\").where");
        let first = problems[0].message.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            "AddressFrozen, TokensFrozen and RecoverySuccess have no field `to` (Transfer has): to apply the clause only to Transfer events, write it inside `Transfer( … )`, e.g. `Transfer(to == …)`"
        );
        assert!(
            problems[0].message.ends_with("\n  ^^"),
            "the caret under `to`: {:?}",
            problems[0].message
        );
    }

    #[test]
    fn the_same_field_scoped_to_its_event_is_valid() {
        let config = check(&format!("Transfer(to == {ALICE})")).unwrap();
        assert_eq!(config.listeners[0].events.len(), 4);
    }

    #[test]
    fn clauses_for_several_events_combine() {
        let config = check(&format!(
            "Transfer(to == {ALICE}) and AddressFrozen(_isFrozen) or TokensFrozen(_amount > 5)"
        ))
        .unwrap();
        assert_eq!(config.listeners[0].events.len(), 4);
        crate::matcher::Matcher::new(config.listeners.iter().map(|l| (0, l)))
            .expect("the matcher compiles it for each event");
    }

    #[test]
    fn a_problem_every_event_shares_is_reported_once() {
        let problems = check("value >").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.starts_with("for events AddressFrozen("),
            "{problems:?}"
        );
        let problems = check("Mint(value > 1)").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0]
            .message
            .contains("the listener watches no event named `Mint`; it watches AddressFrozen, TokensFrozen, RecoverySuccess, Transfer"));
    }
}
