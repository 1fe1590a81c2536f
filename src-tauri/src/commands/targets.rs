//! Delivery targets on the Deliveries screen: listed without their secrets, saved and
//! removed through the configuration editing code (applied by the running engine at once),
//! and tried with a test message through the engine's own sink code.

use tauri::State;
use tokenwatch_engine::config::target_form::{TargetForm, TargetRef, TargetView};
use tokenwatch_engine::config::ConfigDoc;
use tokenwatch_engine::deliver::probe::{send_test, TestReply};

use super::{reply, Reply};
use crate::error::AppError;
use crate::keychain::OsKeychain;
use crate::state::AppState;

/// The targets as the file has them now.
async fn list(state: &AppState) -> Result<Vec<TargetView>, AppError> {
    let path = state.paths.config.clone();
    super::events::blocking(move || Ok(ConfigDoc::load(&path)?.targets())).await
}

/// Every webhook and RabbitMQ target, with where its secrets are kept (never the secrets).
#[tauri::command]
pub async fn target_list(state: State<'_, AppState>) -> Reply<Vec<TargetView>> {
    reply("target_list", list(&state).await)
}

/// Adds a target, or replaces the one `original` names; typed secrets go to the keychain.
#[tauri::command]
pub async fn save_target(
    state: State<'_, AppState>,
    original: Option<TargetRef>,
    target: TargetForm,
) -> Reply<Vec<TargetView>> {
    let saved = async {
        super::config::edit(&state, move |d| {
            Ok(d.put_target(original.as_ref(), target, &OsKeychain)?)
        })
        .await?;
        list(&state).await
    };
    reply("save_target", saved.await)
}

/// Removes a target; refused (`config.refused`) while listeners deliver to it.
#[tauri::command]
pub async fn remove_target(
    state: State<'_, AppState>,
    target: TargetRef,
) -> Reply<Vec<TargetView>> {
    let removed = async {
        super::config::edit(&state, move |d| Ok(d.remove_target(&target)?)).await?;
        list(&state).await
    };
    reply("remove_target", removed.await)
}

/// Sends one test message to the target as the form describes it (saved or not); nothing
/// is stored or written.
#[tauri::command]
pub async fn test_target(
    state: State<'_, AppState>,
    original: Option<TargetRef>,
    target: TargetForm,
) -> Reply<TestReply> {
    let path = state.paths.config.clone();
    let tried = async {
        let spec = super::events::blocking(move || {
            Ok(ConfigDoc::load(&path)?.target_spec(original.as_ref(), target, &OsKeychain)?)
        })
        .await?;
        Ok(send_test(&spec).await)
    };
    reply("test_target", tried.await)
}
