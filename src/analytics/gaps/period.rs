//! Periods of a report: parsing `7d`, `24h` or `2w`, writing one back, and UTC dates.

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;
/// The period of a report when none is asked for.
pub const DEFAULT_PERIOD: &str = "30d";
/// Longest period accepted.
pub const MAX_PERIOD_MS: i64 = 366 * DAY_MS;

/// Parses a period: `7d`, `24h`, `2w`, or a number of days; from one hour to 366 days.
pub fn parse_period(s: &str) -> Result<i64, String> {
    let t = s.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a period: use e.g. 7d, 24h or 2w"))?;
    let unit_ms = match unit.trim() {
        "" | "d" | "day" | "days" => DAY_MS,
        "h" | "hour" | "hours" => DAY_MS / 24,
        "w" | "week" | "weeks" => 7 * DAY_MS,
        _ => return Err(format!("'{s}' is not a period: use e.g. 7d, 24h or 2w")),
    };
    let ms = n.saturating_mul(unit_ms);
    if !(DAY_MS / 24..=MAX_PERIOD_MS).contains(&ms) {
        return Err(format!("'{s}': a period is from 1h to 366d"));
    }
    Ok(ms)
}

/// A period as `parse_period` reads it back: `7d`, or `36h` when not whole days.
pub fn format_period(ms: i64) -> String {
    if ms % DAY_MS == 0 {
        format!("{}d", ms / DAY_MS)
    } else {
        format!("{}h", ms / (DAY_MS / 24))
    }
}

/// `YYYY-MM-DD` (UTC) of a time in ms.
pub fn date_of(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(parse_period("7d"), Ok(7 * DAY_MS));
        assert_eq!(parse_period(" 24h "), Ok(DAY_MS));
        assert_eq!(parse_period("2w"), Ok(14 * DAY_MS));
        assert_eq!(parse_period("30"), Ok(30 * DAY_MS));
        assert!(parse_period("0d").is_err());
        assert!(parse_period("400d").is_err());
        assert!(parse_period("week").is_err());
        assert!(parse_period("7x").is_err());
        assert_eq!(format_period(7 * DAY_MS), "7d");
        assert_eq!(format_period(36 * DAY_MS / 24), "36h");
        assert_eq!(date_of(0), "1970-01-01");
    }
}
