//! The demo's contracts and the activity it generates: a random DemoUSD transfer every ~2 s
//! (sometimes a big one, >= 1,000,000 DUSD), now and then a DemoNFT mint or transfer, and
//! rarely a DemoBond compliance action (address freeze, partial freeze, wallet recovery).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Result};
use tokenwatch_testkit::{Address, Contract, DynSolValue, Receipt, Rpc, U256};
use tokio::task::JoinSet;

const USD_DECIMALS: u32 = 6;
const BOND_DECIMALS: u32 = 18;
/// DUSD each dev account starts with.
const USD_START: u64 = 10_000_000;
/// DBOND accounts 1..=5 start with.
const BOND_START: u64 = 1_000;
const TICK: Duration = Duration::from_secs(2);

/// The deployed demo contracts and the dev accounts that move tokens around.
pub struct Demo {
    pub usd: Contract,
    pub nft: Contract,
    pub bond: Contract,
    /// DemoBond's identity registry.
    pub registry: Contract,
    accounts: Vec<Address>,
    next_nft: AtomicU64,
}

/// One step of activity; parameters are drawn up front, chain state is read when it runs.
enum Action {
    UsdTransfer {
        from: usize,
        to: usize,
        amount: U256,
    },
    NftMint {
        to: usize,
    },
    NftTransfer {
        id: u64,
        to: usize,
    },
    BondToggleFreeze {
        who: usize,
    },
    BondPartialFreeze {
        who: usize,
        amount: U256,
    },
    BondRecovery {
        lost: usize,
        new_wallet: usize,
        onchain_id: Address,
    },
    BondTransfer {
        from: usize,
        to: usize,
        amount: U256,
    },
}

impl Demo {
    /// Deploys the contracts and hands out initial balances.
    pub async fn setup(rpc: &Rpc) -> Result<Arc<Self>> {
        let accounts = rpc.accounts().await?;
        if accounts.len() < 10 {
            return Err(anyhow!(
                "the demo needs 10 dev accounts, the node has {}",
                accounts.len()
            ));
        }
        let usd = rpc.deploy("TestERC20", &["Demo USD", "DUSD", "6"]).await?;
        let nft = rpc.deploy("TestERC721", &[]).await?;
        nft.send("setNameAndSymbol", &["Demo NFT", "DNFT"]).await?;
        let bond = rpc
            .deploy("SecurityToken", &["Demo Bond", "DBOND", "18"])
            .await?;
        let start_usd = units(USD_START, USD_DECIMALS).to_string();
        let start_bond = units(BOND_START, BOND_DECIMALS).to_string();
        for (i, account) in accounts.iter().enumerate() {
            let a = account.to_string();
            usd.send("mint", &[&a, &start_usd]).await?;
            if (1..=5).contains(&i) {
                nft.send("mint", &[&a, &i.to_string()]).await?;
                bond.send("mint", &[&a, &start_bond]).await?;
            }
        }
        let registry = super::scene::play(rpc, &bond, &accounts, units(1, BOND_DECIMALS)).await?;
        println!("DemoUSD  (TestERC20, 6 decimals): {}", usd.address());
        println!("DemoNFT  (TestERC721):            {}", nft.address());
        println!("DemoBond (SecurityToken):         {}", bond.address());
        println!("DemoBond identity registry:       {}", registry.address());
        Ok(Arc::new(Self {
            usd,
            nft,
            bond,
            registry,
            accounts,
            next_nft: AtomicU64::new(6),
        }))
    }

    /// Generates activity every [`TICK`] until `stop` resolves.
    pub async fn run_until(self: Arc<Self>, stop: impl Future<Output = ()>) {
        let mut rng = Rng::from_time();
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut tasks = JoinSet::new();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => {
                    tasks.abort_all();
                    return;
                }
                _ = ticker.tick() => {
                    let plan = self.plan(&mut rng);
                    let demo = Arc::clone(&self);
                    // Each tick runs in its own task so a slow block (--block-time) does not
                    // hold up the clock; steps within a tick run in order.
                    tasks.spawn(async move {
                        for action in plan {
                            if let Err(e) = demo.execute(action).await {
                                println!("  (skipped: {e:#})");
                            }
                        }
                    });
                    while tasks.try_join_next().is_some() {}
                }
            }
        }
    }

    fn plan(&self, rng: &mut Rng) -> Vec<Action> {
        let n = self.accounts.len();
        let mut plan = Vec::new();
        let from = rng.below(n);
        let to = (from + 1 + rng.below(n - 1)) % n;
        let whole = if rng.one_in(6) {
            1_000_000 + rng.below(1_500_000)
        } else {
            1 + rng.below(5_000)
        };
        let cents = rng.below(100) as u64;
        let amount = units(whole as u64, USD_DECIMALS) + units(cents, USD_DECIMALS - 2);
        plan.push(Action::UsdTransfer { from, to, amount });

        if rng.one_in(4) {
            let minted = self.next_nft.load(Ordering::Relaxed) - 1;
            plan.push(if rng.one_in(2) {
                Action::NftMint { to: rng.below(n) }
            } else {
                Action::NftTransfer {
                    id: 1 + rng.below(minted as usize) as u64,
                    to: rng.below(n),
                }
            });
        }

        if rng.one_in(10) {
            // Account 0 is the bond's owner/agent; the others are investors.
            let who = 1 + rng.below(n - 1);
            let other = 1 + (who + rng.below(n - 2)) % (n - 1);
            plan.push(match rng.below(4) {
                0 => Action::BondToggleFreeze { who },
                1 => Action::BondPartialFreeze {
                    who,
                    amount: units(10 + rng.below(90) as u64, BOND_DECIMALS),
                },
                2 => Action::BondRecovery {
                    lost: who,
                    new_wallet: other,
                    onchain_id: rng.address(),
                },
                _ => Action::BondTransfer {
                    from: who,
                    to: other,
                    amount: units(1 + rng.below(50) as u64, BOND_DECIMALS),
                },
            });
        }
        plan
    }

    async fn execute(&self, action: Action) -> Result<()> {
        match action {
            Action::UsdTransfer { from, to, amount } => {
                let (f, t) = (self.addr(from), self.addr(to));
                if uint(&self.usd.call("balanceOf", &[&f]).await?) < amount {
                    let top_up = units(2 * USD_START, USD_DECIMALS).to_string();
                    self.usd.send("mint", &[&f, &top_up]).await?;
                }
                let r = self
                    .usd
                    .send_from(self.accounts[from], "transfer", &[&t, &amount.to_string()])
                    .await?;
                let big = if amount >= units(1_000_000, USD_DECIMALS) {
                    "  ** big **"
                } else {
                    ""
                };
                log(
                    &r,
                    &format!(
                        "DemoUSD  #{from} -> #{to}  {} DUSD{big}",
                        fmt_units(amount, USD_DECIMALS)
                    ),
                );
            }
            Action::NftMint { to } => {
                let id = self.next_nft.fetch_add(1, Ordering::Relaxed);
                let r = self
                    .nft
                    .send("mint", &[&self.addr(to), &id.to_string()])
                    .await?;
                log(&r, &format!("DemoNFT  mint #{id} -> #{to}"));
            }
            Action::NftTransfer { id, to } => {
                let owner = self.nft.call("ownerOf", &[&id.to_string()]).await?;
                let owner = owner
                    .first()
                    .and_then(DynSolValue::as_address)
                    .ok_or_else(|| anyhow!("no owner of #{id}"))?;
                let from = self
                    .index(owner)
                    .ok_or_else(|| anyhow!("NFT #{id} is held outside the dev accounts"))?;
                let to = if to == from {
                    (to + 1) % self.accounts.len()
                } else {
                    to
                };
                let r = self
                    .nft
                    .send_from(
                        owner,
                        "transferFrom",
                        &[&owner.to_string(), &self.addr(to), &id.to_string()],
                    )
                    .await?;
                log(&r, &format!("DemoNFT  #{id}: #{from} -> #{to}"));
            }
            Action::BondToggleFreeze { who } => {
                let frozen = self.bond.call("isFrozen", &[&self.addr(who)]).await?;
                let freeze = !frozen
                    .first()
                    .and_then(DynSolValue::as_bool)
                    .unwrap_or(false);
                let r = self
                    .bond
                    .send("setAddressFrozen", &[&self.addr(who), &freeze.to_string()])
                    .await?;
                let what = if freeze { "freeze" } else { "unfreeze" };
                log(&r, &format!("DemoBond {what} wallet #{who}"));
            }
            Action::BondPartialFreeze { who, amount } => {
                let w = self.addr(who);
                let frozen = uint(&self.bond.call("getFrozenTokens", &[&w]).await?);
                if !frozen.is_zero() {
                    let r = self
                        .bond
                        .send("unfreezePartialTokens", &[&w, &frozen.to_string()])
                        .await?;
                    log(
                        &r,
                        &format!(
                            "DemoBond unfreeze {} DBOND of #{who}",
                            fmt_units(frozen, BOND_DECIMALS)
                        ),
                    );
                    return Ok(());
                }
                if uint(&self.bond.call("balanceOf", &[&w]).await?) < amount {
                    self.bond.send("mint", &[&w, &amount.to_string()]).await?;
                }
                let r = self
                    .bond
                    .send("freezePartialTokens", &[&w, &amount.to_string()])
                    .await?;
                log(
                    &r,
                    &format!(
                        "DemoBond freeze {} DBOND of #{who}",
                        fmt_units(amount, BOND_DECIMALS)
                    ),
                );
            }
            Action::BondRecovery {
                lost,
                new_wallet,
                onchain_id,
            } => {
                let (l, n) = (self.addr(lost), self.addr(new_wallet));
                if uint(&self.bond.call("balanceOf", &[&l]).await?).is_zero() {
                    self.bond
                        .send("mint", &[&l, &units(BOND_START, BOND_DECIMALS).to_string()])
                        .await?;
                }
                let r = self
                    .bond
                    .send("recoveryAddress", &[&l, &n, &onchain_id.to_string()])
                    .await?;
                log(
                    &r,
                    &format!("DemoBond recovery #{lost} -> #{new_wallet} (investor {onchain_id})"),
                );
            }
            Action::BondTransfer { from, to, amount } => {
                let (f, t) = (self.addr(from), self.addr(to));
                if uint(&self.bond.call("balanceOf", &[&f]).await?) < amount {
                    self.bond.send("mint", &[&f, &amount.to_string()]).await?;
                }
                let r = self
                    .bond
                    .send_from(self.accounts[from], "transfer", &[&t, &amount.to_string()])
                    .await?;
                log(
                    &r,
                    &format!(
                        "DemoBond #{from} -> #{to}  {} DBOND",
                        fmt_units(amount, BOND_DECIMALS)
                    ),
                );
            }
        }
        Ok(())
    }

    fn addr(&self, i: usize) -> String {
        self.accounts[i].to_string()
    }

    fn index(&self, a: Address) -> Option<usize> {
        self.accounts.iter().position(|x| *x == a)
    }
}

fn log(r: &Receipt, what: &str) {
    println!("[block {:>5}] {what}", r.block_number);
}

fn uint(values: &[DynSolValue]) -> U256 {
    values
        .first()
        .and_then(DynSolValue::as_uint)
        .map(|(v, _)| v)
        .unwrap_or_default()
}

/// `whole * 10^decimals`.
fn units(whole: u64, decimals: u32) -> U256 {
    U256::from(whole) * U256::from(10u64).pow(U256::from(decimals))
}

/// `amount / 10^decimals` with the fraction, trailing zeros trimmed.
fn fmt_units(amount: U256, decimals: u32) -> String {
    let scale = U256::from(10u64).pow(U256::from(decimals));
    let (int, frac) = amount.div_rem(scale);
    if frac.is_zero() {
        return int.to_string();
    }
    let frac = format!("{:0>width$}", frac.to_string(), width = decimals as usize);
    format!("{int}.{}", frac.trim_end_matches('0'))
}

/// A tiny xorshift64* PRNG: plenty for picking demo actions.
struct Rng(u64);

impl Rng {
    fn from_time() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Self((nanos ^ (u64::from(std::process::id()) << 32)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-enough in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn address(&mut self) -> Address {
        let mut bytes = [0u8; 20];
        for chunk in bytes.chunks_mut(8) {
            let word = self.next().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Address::from(bytes)
    }
}
