//! The Tokens screen: each token's totals, its largest holders, supply and holders over time, the
//! holder register at a block or time (shown, and exported as CSV through a save dialog),
//! one address's balance over time, and an ERC-3643 token's compliance registers.

use tauri::{AppHandle, State};
use tokenwatch_engine::export::tokens::write_register;
use tokenwatch_engine::export::{out, ExportError};
use tokenwatch_engine::store::{
    AddressHistory, ComplianceRegisters, HolderSeries, Register, RegisterError, RegisterPage,
    Store, SupplySeries, TokenState,
};
use tokenwatch_engine::Address;

use super::events::read;
use super::export::ExportDone;
use super::{reply, Reply};
use crate::error::{AppError, Code};
use crate::state::AppState;

/// Rows of a register the screen shows (the export has them all).
const REGISTER_ROWS: usize = 200;

fn address(field: &str, text: &str) -> Result<Address, AppError> {
    tokenwatch_engine::config::parse_address(text.trim())
        .map_err(|e| AppError::new(Code::FilterInvalid, format!("{field}: {e}")))
}

/// Every token with stored transfers.
#[tauri::command]
pub async fn token_states(state: State<'_, AppState>) -> Reply<Vec<TokenState>> {
    reply("token_states", read(&state, |s| s.token_list()).await)
}

/// Asks the running engine to check every token against the chain now; the answer
/// comes with the next status (each token's reconciliation).
#[tauri::command]
pub async fn check_tokens(state: State<'_, AppState>) -> Reply<()> {
    let handle = state
        .token_check
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let answer = match handle {
        Some(h) => {
            h.check_now();
            Ok(())
        }
        None => Err(AppError::new(
            Code::EngineStopped,
            "the engine is not running, so nothing can be checked now",
        )),
    };
    reply("check_tokens", answer)
}

/// The `limit` largest holders of a token now.
#[tauri::command]
pub async fn top_holders(
    state: State<'_, AppState>,
    network: String,
    token: String,
    limit: u32,
) -> Reply<Vec<tokenwatch_engine::store::HolderRow>> {
    let answer = async {
        let token = address("token", &token)?;
        read(&state, move |s| {
            s.top_holders(&network, token, limit.min(1_000))
        })
        .await
    };
    reply("top_holders", answer.await)
}

/// Mints, burns and supply in about `buckets` time buckets.
#[tauri::command]
pub async fn supply_series(
    state: State<'_, AppState>,
    network: String,
    token: String,
    buckets: u32,
) -> Reply<SupplySeries> {
    let answer = async {
        let token = address("token", &token)?;
        read(&state, move |s| s.supply_series(&network, token, buckets)).await
    };
    reply("supply_series", answer.await)
}

/// The number of holders in about `buckets` time buckets.
#[tauri::command]
pub async fn holder_series(
    state: State<'_, AppState>,
    network: String,
    token: String,
    buckets: u32,
) -> Reply<HolderSeries> {
    let answer = async {
        let token = address("token", &token)?;
        read(&state, move |s| s.holder_series(&network, token, buckets)).await
    };
    reply("holder_series", answer.await)
}

/// A token's registers (frozen wallets and amounts, agents, pause, recoveries, identities,
/// partition balances); `null` when the network has nothing of the token.
#[tauri::command]
pub async fn token_registers(
    state: State<'_, AppState>,
    network: String,
    token: String,
) -> Reply<Option<ComplianceRegisters>> {
    let answer = async {
        let token = address("token", &token)?;
        read(&state, move |s| s.compliance(&network, token)).await
    };
    reply("token_registers", answer.await)
}

/// An address's balance in a token after each of its transfers.
#[tauri::command]
pub async fn address_history(
    state: State<'_, AppState>,
    network: String,
    token: String,
    holder: String,
) -> Reply<AddressHistory> {
    let answer = async {
        let (token, holder) = (address("token", &token)?, address("address", &holder)?);
        read(&state, move |s| s.address_history(&network, token, holder)).await
    };
    reply("address_history", answer.await)
}

/// The register at `block`, or at the newest block at or before `time` (seconds), or at
/// the newest covered block: its largest rows.
#[tauri::command]
pub async fn holder_register(
    state: State<'_, AppState>,
    network: String,
    token: String,
    block: Option<u64>,
    time: Option<i64>,
) -> Reply<RegisterPage> {
    let answer = async {
        let token = address("token", &token)?;
        state
            .readers
            .run(move |s| {
                Ok(register(s, &network, token, block, time).map(|r| r.page(REGISTER_ROWS)))
            })
            .await?
    };
    reply("holder_register", answer.await)
}

/// Asks where, then writes the register as `tokenwatch holders` does (labels from the
/// address book). `null` when the user cancelled.
#[tauri::command]
pub async fn export_register(
    app: AppHandle,
    state: State<'_, AppState>,
    network: String,
    token: String,
    block: Option<u64>,
) -> Reply<Option<ExportDone>> {
    let answer = async {
        let token = address("token", &token)?;
        let suggested = format!(
            "holders-{}-block-{}.csv",
            network,
            block.map_or("head".into(), |b| b.to_string())
        );
        let title = "Export the holder register to CSV";
        let Some(path) = crate::dialogs::pick_save_path(&app, title, &suggested).await? else {
            return Ok(None);
        };
        let db = state.paths.db.clone();
        let written = state.readers.run(move |s| {
            Ok(register(s, &network, token, block, None).and_then(|r| {
                let labels = s.labels_on(&network)?;
                let label = |a: &Address| labels.get(a).cloned();
                let rows = out::to_path(&path, &db, |w| write_register(&r, &label, w))
                    .map_err(export_error(&path))?;
                Ok(ExportDone {
                    path: path.display().to_string(),
                    rows: rows as u32,
                })
            }))
        });
        written.await?.map(Some)
    };
    reply("export_register", answer.await)
}

/// The register, at a time turned into its block first.
fn register(
    s: &Store,
    network: &str,
    token: Address,
    block: Option<u64>,
    time: Option<i64>,
) -> Result<Register, AppError> {
    let block = match (block, time) {
        (None, Some(t)) => Some(s.block_at_time(network, t)?.ok_or_else(|| {
            AppError::new(
                Code::TokenPartial,
                format!("No stored block of network \"{network}\" is as old as that time."),
            )
        })?),
        (b, _) => b,
    };
    s.register(network, token, block).map_err(|e| match e {
        RegisterError::Store(e) => AppError::from(e),
        RegisterError::Unknown { .. } => AppError::new(Code::TokenUnknown, e.to_string()),
        RegisterError::Partial(m) => AppError::new(Code::TokenPartial, m),
    })
}

fn export_error(path: &std::path::Path) -> impl Fn(ExportError) -> AppError + '_ {
    move |e| match e {
        ExportError::Store(s) => AppError::from(s),
        ExportError::Target(m) => AppError::new(Code::FileRefused, m),
        other => AppError::new(
            Code::FileUnwritable,
            format!("{other} ({})", path.display()),
        ),
    }
}
