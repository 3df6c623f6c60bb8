//! The business hours in force: `--hours`/`--timezone`, or the override an admin set (served
//! on `/agent/settings`, see `web::agents::settings`).
//!
//! The override is kept in the `settings` table under [`HOURS_KEY`] as `spec|timezone`
//! (`mon-fri 09:00-18:00|Europe/Moscow`), loaded at start-up over the command line, and swapped
//! into [`Chat::hours`] at once, so the next customer who asks for a person is answered with the
//! new hours; the other nodes are told over the bus. Going back to the server's hours deletes it.

use super::{Chat, ChatConfig};
use crate::domain::agent::{Agent, Role};
use crate::domain::hours::{BusinessHours, WeeklyHours, parse_timezone};
use crate::error::AppError;
use crate::store::Store;

/// The `settings` key of the business-hours override.
pub const HOURS_KEY: &str = "business_hours";

/// Longest schedule accepted from the form, in bytes.
const MAX_SPEC_BYTES: usize = 500;

/// Checks a schedule and a time zone as typed by an admin.
pub fn parse_hours(spec: &str, timezone: &str) -> Result<BusinessHours, String> {
    let spec = spec.trim();
    if spec.len() > MAX_SPEC_BYTES {
        return Err(format!(
            "the business hours are longer than {MAX_SPEC_BYTES} characters"
        ));
    }
    if spec.contains('|') {
        return Err("the business hours may not contain '|'".into());
    }
    let weekly = WeeklyHours::parse(spec)?;
    let tz = parse_timezone(timezone.trim())?;
    Ok(BusinessHours::new(weekly, tz))
}

/// The stored form of an override: `spec|timezone`.
pub fn encode(spec: &str, timezone: &str) -> String {
    format!("{}|{}", spec.trim(), timezone.trim())
}

/// Reads a stored override back: the hours, the spec and the time zone as the admin wrote them.
pub fn decode(value: &str) -> Result<(BusinessHours, String, String), String> {
    let (spec, tz) = value
        .rsplit_once('|')
        .ok_or_else(|| format!("'{value}' is not `hours|timezone`"))?;
    Ok((parse_hours(spec, tz)?, spec.to_string(), tz.to_string()))
}

/// The hours to start with: the stored override when there is a valid one, else the command
/// line's. An override that no longer parses (a time zone gone from the database) is logged and
/// ignored.
pub async fn startup_hours(store: &Store, chat: &ChatConfig) -> BusinessHours {
    match store.setting(HOURS_KEY).await {
        Ok(Some(value)) => match decode(&value) {
            Ok((hours, spec, tz)) => {
                tracing::info!(hours = %spec, timezone = %tz, "business hours set by an admin");
                hours
            }
            Err(e) => {
                tracing::warn!(error = %e, "ignoring the stored business hours; using --hours");
                chat.hours.clone()
            }
        },
        Ok(None) => chat.hours.clone(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the stored business hours; using --hours");
            chat.hours.clone()
        }
    }
}

/// A schedule written back as rules `parse` accepts: consecutive days with the same hours
/// share a rule (`mon-fri 09:00-18:00; sat 10:00-14:00; sun closed`); overnight hours show as
/// the part of each day (`fri 22:00-24:00; sat 00:00-02:00`).
pub fn format_weekly(w: &WeeklyHours) -> String {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    if w.is_always() {
        return "24/7".into();
    }
    if w.is_empty() {
        return "closed".into();
    }
    let time = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    let mut rules = Vec::new();
    let mut start = 0;
    while start < 7 {
        let mut end = start;
        while end + 1 < 7 && w.day(end + 1) == w.day(start) {
            end += 1;
        }
        let days = if start == end {
            DAYS[start].to_string()
        } else {
            format!("{}-{}", DAYS[start], DAYS[end])
        };
        let hours = if w.day(start).is_empty() {
            "closed".to_string()
        } else {
            w.day(start)
                .iter()
                .map(|&(s, e)| format!("{}-{}", time(s), time(e)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        rules.push(format!("{days} {hours}"));
        start = end + 1;
    }
    rules.join("; ")
}

/// The IANA name of the hours' time zone (`UTC` for a zone without one).
pub fn zone_name(hours: &BusinessHours) -> String {
    hours.timezone().iana_name().unwrap_or("UTC").to_string()
}

/// Replaces the business hours (admins only): stored, then in force at once.
pub async fn set_hours(
    state: &Chat,
    admin: &Agent,
    spec: &str,
    timezone: &str,
) -> Result<(), AppError> {
    admin.require(Role::Admin)?;
    let hours = parse_hours(spec, timezone).map_err(AppError::BadRequest)?;
    state
        .store
        .put_setting(HOURS_KEY, &encode(spec, timezone))
        .await?;
    state.hours.store(std::sync::Arc::new(hours));
    state
        .hub
        .tell_others(super::bus::hours_notice(state.hub.node()));
    tracing::info!(by = admin.id, hours = %spec.trim(), timezone = %timezone.trim(), "business hours changed");
    Ok(())
}

/// Goes back to `--hours`/`--timezone` (admins only).
pub async fn reset_hours(state: &Chat, admin: &Agent) -> Result<(), AppError> {
    admin.require(Role::Admin)?;
    state.store.delete_setting(HOURS_KEY).await?;
    state
        .hours
        .store(std::sync::Arc::new(state.config.hours.clone()));
    state
        .hub
        .tell_others(super::bus::hours_notice(state.hub.node()));
    tracing::info!(by = admin.id, "business hours back to the server's");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_written_back_as_they_parse() {
        for spec in [
            "24/7",
            "closed",
            "mon-fri 09:00-18:00; sat 10:00-14:00",
            "пн-пт 9-13 14-18; вс закрыто",
            "fri 22:00-02:00",
            "mon,wed,fri 10:00-19:00",
            "daily 00:00-24:00; sun closed",
        ] {
            let w = WeeklyHours::parse(spec).unwrap();
            let written = format_weekly(&w);
            assert_eq!(
                WeeklyHours::parse(&written).unwrap(),
                w,
                "{spec} → {written}"
            );
        }
        assert_eq!(
            format_weekly(&WeeklyHours::parse("mon-fri 09:00-18:00").unwrap()),
            "mon-fri 09:00-18:00; sat-sun closed"
        );
    }

    #[test]
    fn overrides_are_stored_and_read_back() {
        let v = encode(" mon-fri 09:00-18:00 ", "Europe/Moscow");
        assert_eq!(v, "mon-fri 09:00-18:00|Europe/Moscow");
        let (hours, spec, tz) = decode(&v).unwrap();
        assert_eq!(spec, "mon-fri 09:00-18:00");
        assert_eq!(tz, "Europe/Moscow");
        assert_eq!(zone_name(&hours), "Europe/Moscow");
        assert!(decode("mon-fri 09:00-18:00").is_err());
        assert!(parse_hours("mon-fri 09:00-18:00", "Mars/Olympus").is_err());
        assert!(parse_hours("someday 9-18", "UTC").is_err());
        assert!(parse_hours("mon 9-18 | x", "UTC").is_err());
    }
}
