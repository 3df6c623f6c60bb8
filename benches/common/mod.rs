//! What the benchmarks share: CPU time of a process from `/proc`, and client addresses.

use std::time::Duration;

/// CPU time (user + system) in a /proc/PID/stat line (clock ticks of 10 ms).
pub fn cpu_of_stat(stat: &str) -> Duration {
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the name.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// CPU time used so far by process `pid` (`self` for this one); zero when it is gone.
pub fn cpu_time(pid: &str) -> Duration {
    cpu_of_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default())
}

/// A new client address for each connection, for `X-Forwarded-For` through the loopback
/// proxy the server trusts by default: its per-address limits are for one client, not a bench (10.0.0.0/8, never a trusted proxy by default).
#[allow(dead_code)] // the abuse bench plays one client per address on purpose
pub fn forwarded() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::net::Ipv4Addr::from(0x0A00_0000 | (n & 0x00FF_FFFF)).to_string()
}
