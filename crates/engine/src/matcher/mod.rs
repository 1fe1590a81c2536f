//! Matching decoded events against listeners: which listeners want a log, and does it
//! meet their conditions.

pub mod condition;

use std::sync::Arc;

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{Address, B256, U256};

use crate::abi::{EventDef, Word};
use crate::decode::{decode_values, with_names, EventIndex, Lookup};
use crate::model::ListenerSpec;
use crate::source::RpcLog;
use condition::{Condition, EvalContext};

/// What one listener wants.
struct Want {
    id: i64,
    /// Sorted; empty: any contract.
    contracts: Vec<Address>,
    /// (topic0, topic count) and condition of each watched event (topic0 is the
    /// signature's hash, also computed for anonymous events).
    events: Vec<((B256, usize), Option<Condition>)>,
    /// (topic0, topic count) of the watched non-anonymous events.
    shapes: Vec<(B256, usize)>,
    /// Per watched event: its topic0 and, for topics 1..=3, the values its condition
    /// allows (None: any).
    topic_filters: Vec<(B256, [Option<Vec<B256>>; 3])>,
    /// Watches at least one anonymous event (matched without topic0).
    anonymous: bool,
    /// A condition reads token units (the contract's decimals).
    uses_decimals: bool,
}

impl Want {
    fn watches(&self, contract: &Address) -> bool {
        self.contracts.is_empty() || self.contracts.binary_search(contract).is_ok()
    }

    /// The watched event with this key: `Some(condition)`.
    fn event(&self, key: &(B256, usize)) -> Option<&Option<Condition>> {
        self.events.iter().find(|(k, _)| k == key).map(|(_, c)| c)
    }
}

/// A log that matched at least one listener.
#[derive(Debug)]
pub struct Matched<'a> {
    pub def: &'a Arc<EventDef>,
    /// The amount it moves (see [`EventDef::amount_at`]).
    pub amount: Option<U256>,
    pub listeners: Vec<i64>,
}

/// What became of one log.
#[derive(Debug, Default)]
pub struct Outcome<'a> {
    /// Set when at least one listener took the log.
    pub matched: Option<Matched<'a>>,
    /// Listeners that watch the log's topic0 but whose ABI it does not fit (an ERC-721
    /// `Transfer` for an ERC-20 listener): counted for them, never dropped silently.
    pub undecodable: Vec<i64>,
    /// Why it did not fit, for the log.
    pub reason: String,
}

/// All listeners of one network, compiled for matching.
pub struct Matcher {
    index: EventIndex,
    wants: Vec<Want>,
}

impl Matcher {
    pub fn new<'a>(listeners: impl IntoIterator<Item = (i64, &'a ListenerSpec)>) -> Self {
        let mut defs = Vec::new();
        let mut wants = Vec::new();
        for (id, spec) in listeners {
            let mut events: Vec<((B256, usize), Option<Condition>)> = Vec::new();
            let mut shapes = Vec::new();
            let mut topic_filters = Vec::new();
            let mut continue_anonymous = false;
            for w in &spec.events {
                let key = (w.def.topic0, w.def.topic_count);
                if w.def.event.anonymous {
                    continue_anonymous = true;
                } else {
                    if !shapes.contains(&key) {
                        shapes.push(key);
                    }
                    topic_filters.push((w.def.topic0, topic_filter(w)));
                }
                defs.push(w.def.clone());
                // The last of two same-keyed events wins, as it always has.
                events.retain(|(k, _)| *k != key);
                events.push((key, w.condition.clone()));
            }
            let mut contracts: Vec<Address> = spec.contracts.clone();
            contracts.sort();
            contracts.dedup();
            let uses_decimals = events
                .iter()
                .flat_map(|(_, c)| c)
                .any(|c| c.uses_decimals());
            wants.push(Want {
                id,
                contracts,
                events,
                shapes,
                topic_filters,
                anonymous: continue_anonymous,
                uses_decimals,
            });
        }
        Self {
            index: EventIndex::new(defs),
            wants,
        }
    }

    /// The combined `eth_getLogs` queries for these listeners. The first selects by
    /// contract addresses (empty when any listener watches the whole network) and a topic
    /// filter: topic0 values, then, per indexed position, the union of the values the
    /// listeners' conditions allow when every watched event constrains that position (a
    /// superset: the matcher decides). Anonymous events carry no topic0, so their
    /// contracts get a second query without a topic filter.
    pub fn selection(&self, active: &[i64]) -> Vec<Selection> {
        let wants: Vec<&Want> = self
            .wants
            .iter()
            .filter(|w| active.contains(&w.id))
            .collect();
        let mut out = Vec::new();
        let named: Vec<&Want> = wants
            .iter()
            .copied()
            .filter(|w| !w.topic_filters.is_empty())
            .collect();
        if !named.is_empty() {
            out.push(Selection {
                addresses: addresses_of(&named),
                topics: combined_topics(&named),
            });
        }
        let anonymous: Vec<&Want> = wants.iter().copied().filter(|w| w.anonymous).collect();
        if !anonymous.is_empty() {
            out.push(Selection {
                addresses: addresses_of(&anonymous),
                topics: Vec::new(),
            });
        }
        out
    }

    /// Contracts whose `decimals()` a condition needs before `match_log` can decide.
    pub fn needs_decimals(&self, log: &RpcLog, active: &[i64]) -> bool {
        self.wants
            .iter()
            .any(|w| w.uses_decimals && active.contains(&w.id) && w.watches(&log.address))
    }

    /// Decodes the log and finds the active listeners that want it.
    pub fn match_log(&self, log: &RpcLog, active: &[i64], decimals: Option<u8>) -> Outcome<'_> {
        let in_scope = |w: &&Want| active.contains(&w.id) && w.watches(&log.address);
        let Some(&topic0) = log.topics.first() else {
            return Outcome::default();
        };
        let got = log.topics.len();
        let mut out = Outcome {
            undecodable: self
                .wants
                .iter()
                .filter(in_scope)
                .filter(|w| w.shapes.iter().any(|(t, _)| *t == topic0))
                .filter(|w| !w.shapes.contains(&(topic0, got)))
                .map(|w| w.id)
                .collect(),
            reason: String::new(),
            matched: None,
        };
        if !out.undecodable.is_empty() {
            out.reason = format!("{got} topics do not fit the watched event with this topic0");
        }
        let def = match self.index.lookup(&log.topics) {
            Lookup::Found(def) => def,
            Lookup::Unknown => return self.match_anonymous(log, &in_scope, decimals),
            Lookup::TopicCountMismatch { .. } => return out,
        };
        let key = (def.topic0, def.topic_count);
        let wanting = || {
            self.wants
                .iter()
                .filter(in_scope)
                .filter_map(|w| Some((w.id, w.event(&key)?.as_ref())))
        };
        // Without conditions to evaluate, a log whose data is value types fits whenever
        // its data holds the words: nothing to decode.
        let words = def.words.as_ref().filter(|w| log.data.len() >= w.data_len);
        if let Some(words) = words.filter(|_| wanting().all(|(_, c)| c.is_none())) {
            let listeners: Vec<i64> = wanting().map(|(id, _)| id).collect();
            if !listeners.is_empty() {
                out.matched = Some(Matched {
                    def,
                    amount: words.amount.and_then(|w| word(w, &log.topics, &log.data)),
                    listeners,
                });
            }
            return out;
        }
        let values = match decode_values(def, &log.topics, &log.data) {
            Ok(values) => values,
            Err(e) => {
                out.undecodable.extend(wanting().map(|(id, _)| id));
                out.reason = e.to_string();
                return out;
            }
        };
        let amount = amount(def, &values);
        let listeners = passing(def, values, wanting(), decimals);
        if !listeners.is_empty() {
            out.matched = Some(Matched {
                def,
                amount,
                listeners,
            });
        }
        out
    }

    /// A log no named event fits: the first anonymous event an in-scope listener names
    /// that decodes it (anonymous events are only watched on named contracts).
    fn match_anonymous(
        &self,
        log: &RpcLog,
        in_scope: &dyn Fn(&&Want) -> bool,
        decimals: Option<u8>,
    ) -> Outcome<'_> {
        for def in self.index.anonymous_candidates(&log.topics) {
            let key = (def.topic0, def.topic_count);
            let wanting: Vec<(i64, Option<&Condition>)> = self
                .wants
                .iter()
                .filter(|w| in_scope(w) && !w.contracts.is_empty())
                .filter_map(|w| Some((w.id, w.event(&key)?.as_ref())))
                .collect();
            if wanting.is_empty() {
                continue;
            }
            let Ok(values) = decode_values(def, &log.topics, &log.data) else {
                continue;
            };
            let amount = amount(def, &values);
            let listeners = passing(def, values, wanting.into_iter(), decimals);
            if !listeners.is_empty() {
                let matched = Some(Matched {
                    def,
                    amount,
                    listeners,
                });
                return Outcome {
                    matched,
                    ..Outcome::default()
                };
            }
        }
        Outcome::default()
    }
}

/// The listeners among `wanting` whose condition the decoded values meet. The arguments
/// are named only when a condition reads them.
fn passing<'c>(
    def: &EventDef,
    values: Vec<DynSolValue>,
    wanting: impl Iterator<Item = (i64, Option<&'c Condition>)> + Clone,
    decimals: Option<u8>,
) -> Vec<i64> {
    let args = if wanting.clone().any(|(_, c)| c.is_some()) {
        with_names(def, values)
    } else {
        Vec::new()
    };
    let ctx = EvalContext { decimals };
    wanting
        .filter(|(_, c)| c.is_none_or(|c| c.eval(&args, &ctx).unwrap_or(false)))
        .map(|(id, _)| id)
        .collect()
}

/// The `uint256` in a word of the log.
fn word(at: Word, topics: &[B256], data: &[u8]) -> Option<U256> {
    match at {
        Word::Topic(i) => topics.get(i).map(|t| U256::from_be_bytes(t.0)),
        Word::Data(offset) => data.get(offset..offset + 32).map(U256::from_be_slice),
    }
}

/// The amount the decoded values carry (see [`EventDef::amount_at`]).
fn amount(def: &EventDef, values: &[DynSolValue]) -> Option<U256> {
    match values.get(def.amount_at?) {
        Some(DynSolValue::Uint(v, _)) => Some(*v),
        _ => None,
    }
}

/// One `eth_getLogs` selection (without the block range).
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// Empty: any contract.
    pub addresses: Vec<Address>,
    pub topics: Vec<Option<Vec<B256>>>,
}

fn addresses_of(wants: &[&Want]) -> Vec<Address> {
    if wants.iter().any(|w| w.contracts.is_empty()) {
        return Vec::new();
    }
    let mut a: Vec<Address> = wants
        .iter()
        .flat_map(|w| w.contracts.iter().copied())
        .collect();
    a.sort();
    a.dedup();
    a
}

fn combined_topics(wants: &[&Want]) -> Vec<Option<Vec<B256>>> {
    let filters: Vec<&(B256, [Option<Vec<B256>>; 3])> =
        wants.iter().flat_map(|w| w.topic_filters.iter()).collect();
    let mut topic0: Vec<B256> = filters.iter().map(|(t, _)| *t).collect();
    topic0.sort();
    topic0.dedup();
    let mut topics = vec![Some(topic0)];
    for pos in 0..3 {
        let union: Option<Vec<B256>> = filters.iter().try_fold(Vec::new(), |mut acc, (_, f)| {
            acc.extend(f[pos].as_ref()?.iter().copied());
            Some(acc)
        });
        topics.push(union.filter(|u| !u.is_empty()).map(|mut u| {
            u.sort();
            u.dedup();
            u
        }));
    }
    while topics.last().is_some_and(Option::is_none) {
        topics.pop();
    }
    topics
}

/// Topics 1..=3 of a watched event as its condition pins them (None: any value).
fn topic_filter(w: &crate::model::WatchedEvent) -> [Option<Vec<B256>>; 3] {
    let mut out: [Option<Vec<B256>>; 3] = [None, None, None];
    let Some(cond) = &w.condition else {
        return out;
    };
    let constraints = cond.topic_constraints();
    let mut position = 0;
    for (i, p) in w.def.event.inputs.iter().enumerate() {
        if !p.indexed {
            continue;
        }
        if let (Some(values), Some(slot)) = (constraints.get(&i), out.get_mut(position)) {
            *slot = Some(values.clone());
        }
        position += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const ME: &str = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    const YOU: &str = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

    fn matcher(listeners: &[(&str, &str)]) -> Matcher {
        let mut text = String::from(
            "[[networks]]\nname = \"n\"\nchain_id = 1\nrpc = [\"http://127.0.0.1:1\"]\n",
        );
        for (i, (events, cond)) in listeners.iter().enumerate() {
            text.push_str(&format!(
                "[[listeners]]\nname = \"l{i}\"\nnetwork = \"n\"\nevents = [\"{events}\"]\nwhere = \"{cond}\"\n"
            ));
        }
        let config = Config::parse(&text, std::path::Path::new(".")).expect("config");
        Matcher::new(
            config
                .listeners
                .iter()
                .enumerate()
                .map(|(i, l)| (i as i64, l)),
        )
    }

    fn word(a: &str) -> B256 {
        a.parse::<Address>().expect("address").into_word()
    }

    #[test]
    fn conditions_on_indexed_arguments_become_topic_filters() {
        let m = matcher(&[("erc20:Transfer", &format!("to == {ME} and value >= 1000"))]);
        let sel = m.selection(&[0]);
        let (addresses, topics) = (&sel[0].addresses, &sel[0].topics);
        assert!(addresses.is_empty(), "network level");
        assert_eq!(topics.len(), 3, "topic0, from (any), to");
        assert_eq!(topics[1], None);
        assert_eq!(topics[2], Some(vec![word(ME)]));
    }

    #[test]
    fn in_lists_and_several_listeners_union_their_values() {
        let m = matcher(&[
            ("erc20:Transfer", &format!("to in [{ME}, {YOU}]")),
            ("erc20:Transfer", &format!("to == {ME}")),
        ]);
        let topics = &m.selection(&[0, 1])[0].topics;
        let mut want = vec![word(ME), word(YOU)];
        want.sort();
        assert_eq!(topics[2], Some(want));
    }

    #[test]
    fn an_unconstrained_listener_widens_the_filter() {
        let m = matcher(&[
            ("erc20:Transfer", &format!("to == {ME}")),
            ("erc20:Transfer", "value > 5"),
        ]);
        let topics = &m.selection(&[0, 1])[0].topics;
        assert_eq!(
            topics.len(),
            1,
            "only topic0: the second listener needs every transfer"
        );
        let m = matcher(&[("erc20:Transfer", &format!("to == {ME} or value > 5"))]);
        assert_eq!(
            m.selection(&[0])[0].topics.len(),
            1,
            "an `or` across fields pins nothing"
        );
        let m = matcher(&[("erc20:Transfer", &format!("not (to == {ME})"))]);
        assert_eq!(m.selection(&[0])[0].topics.len(), 1);
    }
}
