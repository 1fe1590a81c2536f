//! Shared harness of the system tests: a private desktop session (Xvfb + D-Bus), the
//! real app driven through tauri-driver, and a small WebDriver client.

#![allow(dead_code)]

pub mod desktop;
pub mod notifications;
pub mod webdriver;
