//! This process's counters for monitoring (stored messages, the bus between nodes, the search
//! latency histogram), written in the Prometheus text format; `/metrics` (`web::api::metrics`)
//! adds the gauges it reads from the hub and the store.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the search latency histogram's buckets.
const SEARCH_BUCKETS: [f64; 9] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5];

static SEARCH_COUNTS: [AtomicU64; 10] = [const { AtomicU64::new(0) }; 10];
static SEARCH_MICROS: AtomicU64 = AtomicU64::new(0);
static MESSAGES: AtomicU64 = AtomicU64::new(0);
static BUS_RECONNECTS: AtomicU64 = AtomicU64::new(0);
static BUS_RECEIVED: AtomicU64 = AtomicU64::new(0);
static BUS_READ: AtomicU64 = AtomicU64::new(0);

/// Counts messages read from the store because another node announced them.
pub fn bus_messages_read(n: usize) {
    BUS_READ.fetch_add(n as u64, Ordering::Relaxed);
}

/// Counts a reconnection of the bus listener (see [`crate::chat::bus`]).
pub fn bus_reconnected() {
    BUS_RECONNECTS.fetch_add(1, Ordering::Relaxed);
}

/// Counts a notification received from another node.
pub fn bus_received() {
    BUS_RECEIVED.fetch_add(1, Ordering::Relaxed);
}

/// Counts one search of `took` in the latency histogram.
pub fn observe_search(took: Duration) {
    let secs = took.as_secs_f64();
    let i = SEARCH_BUCKETS
        .iter()
        .position(|b| secs <= *b)
        .unwrap_or(SEARCH_BUCKETS.len());
    SEARCH_COUNTS[i].fetch_add(1, Ordering::Relaxed);
    SEARCH_MICROS.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
}

/// Counts one stored chat message.
pub fn message_stored() {
    MESSAGES.fetch_add(1, Ordering::Relaxed);
}

/// Writes this process's counters (the bus, stored messages, the search latency histogram) in
/// the Prometheus text format.
pub fn write_counters(out: &mut String) {
    use std::fmt::Write;
    let _ = writeln!(
        out,
        "# HELP otvet_bus_reconnects_total Reconnections of this node's bus listener.\n\
         # TYPE otvet_bus_reconnects_total counter\n\
         otvet_bus_reconnects_total {}\n\
         # HELP otvet_bus_notifications_total Notifications received from other nodes.\n\
         # TYPE otvet_bus_notifications_total counter\n\
         otvet_bus_notifications_total {}\n\
         # HELP otvet_bus_messages_read_total Announced messages read because a socket here shows them.\n\
         # TYPE otvet_bus_messages_read_total counter\n\
         otvet_bus_messages_read_total {}",
        BUS_RECONNECTS.load(Ordering::Relaxed),
        BUS_RECEIVED.load(Ordering::Relaxed),
        BUS_READ.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP otvet_chat_messages_total Chat messages stored by this process.\n\
         # TYPE otvet_chat_messages_total counter\n\
         otvet_chat_messages_total {}",
        MESSAGES.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP otvet_search_duration_seconds Time of one search call.\n\
         # TYPE otvet_search_duration_seconds histogram"
    );
    let mut cumulative = 0;
    for (i, bound) in SEARCH_BUCKETS.iter().enumerate() {
        cumulative += SEARCH_COUNTS[i].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "otvet_search_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
        );
    }
    cumulative += SEARCH_COUNTS[SEARCH_BUCKETS.len()].load(Ordering::Relaxed);
    let _ = writeln!(
        out,
        "otvet_search_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n\
         otvet_search_duration_seconds_sum {}\n\
         otvet_search_duration_seconds_count {cumulative}",
        SEARCH_MICROS.load(Ordering::Relaxed) as f64 / 1e6
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_land_in_their_bucket() {
        let before = SEARCH_COUNTS[1].load(Ordering::Relaxed);
        observe_search(Duration::from_micros(700));
        assert_eq!(SEARCH_COUNTS[1].load(Ordering::Relaxed), before + 1);
        let before = SEARCH_COUNTS[9].load(Ordering::Relaxed);
        observe_search(Duration::from_secs(2));
        assert_eq!(SEARCH_COUNTS[9].load(Ordering::Relaxed), before + 1);
    }
}
