//! Entry point of the desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tokenwatch_app::render::choose();
    tokenwatch_app::run();
}
