//! Tauri commands: translate between the UI and the engine, nothing more. One module per
//! screen area; every command answers through [`reply`], which logs how it went.

pub mod activity;
pub mod config;
pub mod events;
pub mod export;
pub mod labels;
pub mod links;
mod reply;
pub mod settings;
pub mod targets;
pub mod tokens;

pub use reply::{reply, Reply};
