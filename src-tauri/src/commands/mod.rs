//! Tauri commands: translate between the UI and the engine, nothing more. One module per
//! screen area.

pub mod config;
pub mod events;
pub mod export;
pub mod links;
pub mod settings;
