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
use crate::value::DecodedArg;
use condition::{Condition, EvalContext};

/// A watched event: its (topic0, topic count) key, definition and condition.
type Watched = ((B256, usize), Arc<EventDef>, Option<Condition>);

/// A log decoded by one definition: the amount it moves, its values, and the values named
/// (once a condition reads them).
struct Fit {
    amount: Option<U256>,
    values: Vec<DynSolValue>,
    args: Option<Vec<DecodedArg>>,
}

/// What one listener wants.
struct Want {
    id: i64,
    /// Sorted; empty: any contract.
    contracts: Vec<Address>,
    /// (topic0, topic count), definition and condition of each watched event (topic0 is
    /// the signature's hash, also computed for anonymous events). The condition names the
    /// arguments as this listener's definition does: two ABIs may name (or index) the
    /// arguments of one signature differently.
    events: Vec<Watched>,
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

    /// The watched event with this key: this listener's id, its definition and condition.
    fn event(&self, key: &(B256, usize)) -> Option<(i64, &Arc<EventDef>, Option<&Condition>)> {
        self.events
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, d, c)| (self.id, d, c.as_ref()))
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
    /// Listeners whose condition failed on the log (an overflow), with the error: counted
    /// with the undecodable logs, never dropped silently.
    pub failed: Vec<(i64, String)>,
}

/// All listeners of one network, compiled for matching.
pub struct Matcher {
    index: EventIndex,
    wants: Vec<Want>,
}

impl Matcher {
    /// Compiles the listeners' events and conditions. A condition that does not compile
    /// (validation already refused it) is an error, never an event dropped.
    pub fn new<'a>(
        listeners: impl IntoIterator<Item = (i64, &'a ListenerSpec)>,
    ) -> Result<Self, condition::ConditionError> {
        let mut defs = Vec::new();
        let mut wants = Vec::new();
        for (id, spec) in listeners {
            let mut events: Vec<Watched> = Vec::new();
            let mut shapes = Vec::new();
            let mut topic_filters = Vec::new();
            let mut continue_anonymous = false;
            let names: Vec<String> = spec.events.iter().map(|d| d.event.name.clone()).collect();
            for d in &spec.events {
                let condition = match &spec.condition {
                    Some(src) => Some(condition::Condition::parse_for(
                        src,
                        condition::EventScope {
                            name: &d.event.name,
                            params: &d.event.inputs,
                            watched: &names,
                        },
                    )?),
                    None => None,
                };
                let def = Arc::new(d.clone());
                let key = (def.topic0, def.topic_count);
                if d.event.anonymous {
                    continue_anonymous = true;
                } else {
                    if !shapes.contains(&key) {
                        shapes.push(key);
                    }
                    topic_filters.push((d.topic0, topic_filter(d, condition.as_ref())));
                }
                defs.push(def.clone());
                // The last of two same-keyed events wins, as it always has.
                events.retain(|(k, _, _)| *k != key);
                events.push((key, def, condition));
            }
            let mut contracts: Vec<Address> = spec.contracts.clone();
            contracts.sort();
            contracts.dedup();
            let uses_decimals = events
                .iter()
                .flat_map(|(_, _, c)| c)
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
        Ok(Self {
            index: EventIndex::shared(defs),
            wants,
        })
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
            // LOG0: only an anonymous event without indexed arguments fits.
            return self.match_anonymous(log, &in_scope, decimals);
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
            failed: Vec::new(),
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
                .filter_map(|w| w.event(&key))
        };
        // Without conditions to evaluate, a log whose data is value types fits whenever
        // its data holds the words: nothing to decode.
        let fits = |d: &EventDef| {
            d.words
                .as_ref()
                .is_some_and(|w| log.data.len() >= w.data_len)
        };
        if wanting().all(|(_, d, c)| c.is_none() && fits(d)) {
            let mut listeners = wanting();
            if let Some((first, def, _)) = listeners.next() {
                let at = def.words.as_ref().and_then(|w| w.amount);
                out.matched = Some(Matched {
                    def,
                    amount: at.and_then(|at| word(at, &log.topics, &log.data)),
                    listeners: std::iter::once(first)
                        .chain(listeners.map(|(id, _, _)| id))
                        .collect(),
                });
            }
            return out;
        }
        let judged = judge(log, wanting(), decimals);
        out.undecodable.extend(judged.undecodable);
        out.failed = judged.failed;
        if !judged.reason.is_empty() {
            out.reason = judged.reason;
        }
        out.matched = judged.matched;
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
        let mut failed = Vec::new();
        for def in self.index.anonymous_candidates(&log.topics) {
            let key = (def.topic0, def.topic_count);
            let wanting = self
                .wants
                .iter()
                .filter(|w| in_scope(w) && !w.contracts.is_empty())
                .filter_map(|w| w.event(&key));
            // Without topic0, a log that does not decode is simply another event.
            let judged = judge(log, wanting, decimals);
            failed.extend(judged.failed);
            if judged.matched.is_some() {
                return Outcome {
                    matched: judged.matched,
                    failed,
                    ..Outcome::default()
                };
            }
        }
        Outcome {
            failed,
            ..Outcome::default()
        }
    }
}

/// What [`judge`] found.
struct Judged<'a> {
    matched: Option<Matched<'a>>,
    undecodable: Vec<i64>,
    reason: String,
    failed: Vec<(i64, String)>,
}

/// Decodes the log by each wanting listener's own definition (once per distinct one) and
/// keeps the listeners whose condition it meets. The event is stored under the definition
/// of the first listener that takes it.
fn judge<'a>(
    log: &RpcLog,
    wanting: impl Iterator<Item = (i64, &'a Arc<EventDef>, Option<&'a Condition>)>,
    decimals: Option<u8>,
) -> Judged<'a> {
    let ctx = EvalContext { decimals };
    // Per definition: the log decoded by it, or None when the log does not fit.
    let mut decoded: Vec<(&Arc<EventDef>, Option<Fit>)> = Vec::new();
    let mut out = Judged {
        matched: None,
        undecodable: Vec::new(),
        reason: String::new(),
        failed: Vec::new(),
    };
    for (id, def, condition) in wanting {
        let known = decoded
            .iter()
            .position(|(d, _)| Arc::ptr_eq(d, def) || d.event.inputs == def.event.inputs);
        let slot = match known {
            Some(i) => i,
            None => {
                let fit = match decode_values(def, &log.topics, &log.data) {
                    Ok(values) => Some(Fit {
                        amount: amount(def, &values),
                        values,
                        args: None,
                    }),
                    Err(e) => {
                        out.reason = e.to_string();
                        None
                    }
                };
                decoded.push((def, fit));
                decoded.len() - 1
            }
        };
        let (def, fit) = &mut decoded[slot];
        let def: &'a Arc<EventDef> = def;
        let Some(fit) = fit else {
            out.undecodable.push(id);
            continue;
        };
        let takes = condition.is_none_or(|c| {
            // The arguments are named only when a condition reads them.
            let args = fit
                .args
                .get_or_insert_with(|| with_names(def, std::mem::take(&mut fit.values)));
            match c.eval(args, &ctx) {
                Ok(takes) => takes,
                Err(e) => {
                    if e.is_failure() {
                        out.failed.push((id, e.to_string()));
                    }
                    false
                }
            }
        });
        if takes {
            match &mut out.matched {
                Some(m) => m.listeners.push(id),
                None => {
                    out.matched = Some(Matched {
                        def,
                        amount: fit.amount,
                        listeners: vec![id],
                    })
                }
            }
        }
    }
    out
}

/// The `uint256` in a word of the log.
fn word(at: Word, topics: &[B256], data: &[u8]) -> Option<U256> {
    match at {
        Word::Topic(i) => topics.get(i).map(|t| U256::from_be_bytes(t.0)),
        Word::Data(offset) => data.get(offset..offset + 32).map(U256::from_be_slice),
    }
}

/// The amount a log carries under `def`, as the matcher reads it (a log stored elsewhere,
/// e.g. one a team stream brought).
pub fn amount_of(def: &EventDef, topics: &[B256], data: &[u8]) -> Option<U256> {
    if let Some(w) = &def.words {
        return w.amount.and_then(|at| word(at, topics, data));
    }
    amount(def, &crate::decode::decode_values(def, topics, data).ok()?)
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
fn topic_filter(
    def: &EventDef,
    condition: Option<&condition::Condition>,
) -> [Option<Vec<B256>>; 3] {
    let mut out: [Option<Vec<B256>>; 3] = [None, None, None];
    let Some(cond) = condition else {
        return out;
    };
    let constraints = cond.topic_constraints();
    let mut position = 0;
    for (i, p) in def.event.inputs.iter().enumerate() {
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
        .expect("matcher")
    }

    fn word(a: &str) -> B256 {
        a.parse::<Address>().expect("address").into_word()
    }

    fn log(address: Address, topics: Vec<B256>, data: Vec<u8>) -> RpcLog {
        RpcLog {
            address,
            topics,
            data: data.into(),
            block_number: None,
            block_hash: None,
            transaction_hash: None,
            log_index: None,
            removed: false,
            block_timestamp: None,
        }
    }

    #[test]
    fn each_listener_reads_the_log_by_its_own_definition() {
        // ERC-721 calls the first argument of `ApprovalForAll` `owner`, ERC-1155 `account`.
        let m = matcher(&[
            ("erc721:ApprovalForAll", &format!("owner == {ME}")),
            (
                "erc1155:ApprovalForAll",
                &format!("account == {ME} and approved == true"),
            ),
        ]);
        let topic0 = alloy_primitives::keccak256("ApprovalForAll(address,address,bool)");
        let approve = log(
            Address::repeat_byte(1),
            vec![topic0, word(ME), word(YOU)],
            U256::from(1).to_be_bytes::<32>().to_vec(),
        );
        let out = m.match_log(&approve, &[0, 1], None);
        let matched = out.matched.expect("matched");
        assert_eq!(matched.listeners, vec![0, 1]);
        assert!(out.undecodable.is_empty());
        // Stored under the first taker's definition; the second alone keeps its own.
        assert_eq!(matched.def.event.inputs[0].name, "owner");
        let out = m.match_log(&approve, &[1], None);
        assert_eq!(
            out.matched.expect("matched").def.event.inputs[0].name,
            "account"
        );
    }

    #[test]
    fn an_anonymous_event_without_indexed_arguments_is_matched() {
        let text = format!(
            "[[networks]]\nname = \"n\"\nchain_id = 1\nrpc = [\"http://127.0.0.1:1\"]\n\
             [[listeners]]\nname = \"notes\"\nnetwork = \"n\"\ncontracts = [\"{YOU}\"]\n\
             events = [\"event Note(uint256 x) anonymous\"]\nwhere = \"x > 5\"\n"
        );
        let config = Config::parse(&text, std::path::Path::new(".")).expect("config");
        let m = Matcher::new(config.listeners.iter().map(|l| (0, l))).expect("matcher");
        let you: Address = YOU.parse().expect("address");
        let note = |x: u64| log(you, Vec::new(), U256::from(x).to_be_bytes::<32>().to_vec());
        let out = m.match_log(&note(7), &[0], None);
        assert_eq!(out.matched.expect("LOG0 matched").listeners, vec![0]);
        assert!(m.match_log(&note(3), &[0], None).matched.is_none());
    }

    #[test]
    fn a_condition_that_fails_on_a_log_is_reported_for_its_listener() {
        let m = matcher(&[
            ("erc20:Transfer", "value * value * value > 1"),
            ("erc20:Transfer", "value > 1"),
        ]);
        let topic0 = alloy_primitives::keccak256("Transfer(address,address,uint256)");
        let transfer = |v: U256| {
            log(
                Address::repeat_byte(1),
                vec![topic0, word(ME), word(YOU)],
                v.to_be_bytes::<32>().to_vec(),
            )
        };
        let out = m.match_log(&transfer(U256::from(1) << 200), &[0, 1], None);
        assert_eq!(out.matched.expect("the other listener").listeners, vec![1]);
        assert_eq!(
            out.failed,
            vec![(
                0,
                "`value * value * value`: number overflows 256 bits".to_string()
            )]
        );
        let out = m.match_log(&transfer(U256::from(5)), &[0, 1], None);
        assert_eq!(out.matched.expect("both").listeners, vec![0, 1]);
        assert!(out.failed.is_empty());
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
