//! The Tokenwatch config (TOML, the engine's format) the demo writes for its contracts.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use tokenwatch_testkit::Address;

/// What the config needs to know about the demo chain.
pub struct DemoConfig {
    pub rpc_url: String,
    pub chain_id: u64,
    pub usd: Address,
    pub nft: Address,
    pub bond: Address,
    pub registry: Address,
}

/// Blocks before the engine takes an event as final.
pub const CONFIRMATIONS: u64 = 2;

/// The listener of big DemoUSD transfers: the one that pops up.
const BIG: &str = "Big DemoUSD transfers";

/// Renders the config: one network and four listeners (big transfers pop up).
pub fn render(c: &DemoConfig) -> String {
    let network = "Demo chain";
    let listener = |name: &str, contracts: &[&Address], events: &str, filter: Option<&str>| {
        let contracts: Vec<String> = contracts.iter().map(|c| format!("\"{c}\"")).collect();
        let contracts = contracts.join(", ");
        let filter = filter
            .map(|w| format!("where = \"{w}\"\n"))
            .unwrap_or_default();
        // Only the big transfers (a few a minute) pop up; the rest fill the feed.
        let notify = if name == BIG { "notify = true\n" } else { "" };
        format!(
            "[[listeners]]\nname = \"{name}\"\nnetwork = \"{network}\"\n\
             contracts = [{contracts}]\nevents = [\"{events}\"]\n{filter}{notify}from_block = 0\n"
        )
    };
    [
        format!(
            "# Written by tokenwatch-demo.\n\n[[networks]]\nname = \"{network}\"\nchain_id = {}\n\
             rpc = [\"{}\"]\nconfirmations = {CONFIRMATIONS}\n",
            c.chain_id, c.rpc_url
        ),
        listener("DemoUSD transfers", &[&c.usd], "erc20:Transfer", None),
        listener(
            BIG,
            &[&c.usd],
            "erc20:Transfer",
            Some("value >= 1000000 * 10^decimals"),
        ),
        listener("DemoNFT", &[&c.nft], "erc721", None),
        // The bond and its identity registry: the ERC-3643 pack has the registry's events.
        listener(
            "DemoBond compliance",
            &[&c.bond, &c.registry],
            "erc3643",
            None,
        ),
    ]
    .join("\n")
}

/// Writes the config to `path` (atomically, creating parent directories).
pub fn write(path: &Path, c: &DemoConfig) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    fs::write(&tmp, render(c)).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_engine_format() {
        let a = |b: u8| Address::repeat_byte(b);
        let c = DemoConfig {
            rpc_url: "http://127.0.0.1:18545".into(),
            chain_id: 31337,
            usd: a(1),
            nft: a(2),
            bond: a(3),
            registry: a(4),
        };
        let text = render(&c);
        let usd = format!("contracts = [\"{}\"]", a(1));
        assert!(text.contains("[[networks]]\nname = \"Demo chain\"\nchain_id = 31337\n"));
        assert!(text.contains("rpc = [\"http://127.0.0.1:18545\"]\nconfirmations = 2\n"));
        assert_eq!(text.matches("[[listeners]]").count(), 4);
        assert_eq!(text.matches(&usd).count(), 2);
        assert!(text.contains("name = \"Big DemoUSD transfers\"\nnetwork = \"Demo chain\"\n"));
        let big = "where = \"value >= 1000000 * 10^decimals\"\nnotify = true\nfrom_block = 0\n";
        assert_eq!(
            text.matches("notify = true").count(),
            1,
            "only big transfers pop up"
        );
        assert!(text.contains(&format!("events = [\"erc20:Transfer\"]\n{big}")));
        assert!(text.contains(&format!(
            "contracts = [\"{}\"]\nevents = [\"erc721\"]",
            a(2)
        )));
        assert!(text.contains(&format!(
            "contracts = [\"{}\", \"{}\"]\nevents = [\"erc3643\"]",
            a(3),
            a(4)
        )));
    }
}
