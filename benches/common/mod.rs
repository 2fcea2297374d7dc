//! Helpers shared by the bench binaries: command-line options and peak memory.
#![allow(dead_code)]

/// The value after `name` on the bench's command line, or `default`.
pub fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident memory (VmHWM) in MiB of a process (`None`: this one).
pub fn peak_rss_mib(pid: Option<u32>) -> Option<f64> {
    status_mib(pid, "VmHWM:")
}

/// Resident memory now (VmRSS) in MiB of a process.
pub fn rss_mib(pid: u32) -> Option<f64> {
    status_mib(Some(pid), "VmRSS:")
}

fn status_mib(pid: Option<u32>, field: &str) -> Option<f64> {
    let path = pid.map_or_else(|| "/proc/self/status".to_string(), |p| format!("/proc/{p}/status"));
    let s = std::fs::read_to_string(path).ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}
