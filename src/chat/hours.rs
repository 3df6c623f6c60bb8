//! Business hours of the live agents: a weekly schedule in a time zone.
//!
//! PLACEHOLDER being replaced by the full parser (always open until then).

/// A weekly schedule: open intervals per weekday, in minutes after local midnight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyHours {
    days: [Vec<(u16, u16)>; 7],
}

impl WeeklyHours {
    /// Open all week.
    pub fn always() -> Self {
        WeeklyHours {
            days: std::array::from_fn(|_| vec![(0, 24 * 60)]),
        }
    }

    /// Parses `mon-fri 09:00-18:00; sat 10:00-14:00` or `24/7`.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.trim() == "24/7" {
            return Ok(Self::always());
        }
        Err(format!("'{s}': business hours are not implemented yet"))
    }
}

/// Parses an IANA time zone name.
pub fn parse_timezone(s: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(s).map_err(|e| format!("'{s}' is not a time zone: {e}"))
}

/// When agents work: a weekly schedule in a time zone.
#[derive(Debug, Clone)]
pub struct BusinessHours {
    weekly: WeeklyHours,
    tz: jiff::tz::TimeZone,
}

impl BusinessHours {
    /// A schedule in a time zone.
    pub fn new(weekly: WeeklyHours, tz: jiff::tz::TimeZone) -> Self {
        BusinessHours { weekly, tz }
    }

    /// Open all the time.
    pub fn always() -> Self {
        Self::new(WeeklyHours::always(), jiff::tz::TimeZone::UTC)
    }

    /// Whether support works at `at_ms` (Unix milliseconds).
    pub fn is_open(&self, _at_ms: i64) -> bool {
        let _ = (&self.weekly, &self.tz);
        true
    }

    /// The next moment (Unix ms) at or after `at_ms` when support is open; `None` when never.
    pub fn next_open(&self, at_ms: i64) -> Option<i64> {
        Some(at_ms)
    }
}
