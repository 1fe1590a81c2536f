//! Helpers shared by the benchmark binaries: statistics, machine and version facts.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

/// A small deterministic generator (xorshift), so every run makes the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

pub fn loadavg() -> Value {
    json!(fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" "))
}

pub fn machine() -> Value {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default();
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    json!({
        "cpu": cpu,
        "nproc": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "mem_gib": mem_kib as f64 / 1024.0 / 1024.0,
        "kernel": command_line("uname", &["-r"]),
    })
}

pub fn versions(tokenwatch: &Path) -> Value {
    let anvil = crate::anvil_binary()
        .map(|p| command_line(&p.display().to_string(), &["--version"]))
        .unwrap_or_default();
    let mut commit = BTreeMap::new();
    if let Ok(root) = crate::repo_root() {
        let root = root.display().to_string();
        commit.insert(
            "head",
            command_line("git", &["-C", &root, "rev-parse", "--short", "HEAD"]),
        );
        let dirty = command_line(
            "git",
            &["-C", &root, "status", "--porcelain", "--untracked-files=no"],
        );
        commit.insert("dirty", (!dirty.is_empty()).to_string());
    }
    json!({
        "anvil": anvil.lines().next().unwrap_or(""),
        "rustc": command_line("rustc", &["-V"]),
        "tokenwatch": command_line(&tokenwatch.display().to_string(), &["--version"]),
        "git": commit,
    })
}

pub fn command_line(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

pub fn utc_now() -> String {
    command_line("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"])
}
