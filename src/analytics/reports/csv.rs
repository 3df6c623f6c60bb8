//! The report as CSV: the columns, the quoting of a field, and one line per day.

use super::report::Report;

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 29] = [
    "day",
    "conversations",
    "with_question",
    "self_served",
    "self_served_confirmed",
    "self_service_rate",
    "escalated",
    "escalation_rate",
    "first_replies",
    "first_reply_median_secs",
    "first_reply_p90_secs",
    "resolved",
    "resolve_median_secs",
    "ratings",
    "csat_average",
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
    "article_views",
    "helpful_yes",
    "helpful_no",
    "chat_answers",
    "chat_answers_yes",
    "chat_answers_no",
    "bot_no_answers",
    "searches_without_results",
    "time_zone",
];

/// A CSV field: quoted (with `"` doubled) when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A ratio with 4 decimals, empty when undefined.
fn csv_ratio(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.4}")).unwrap_or_default()
}

/// Milliseconds as whole seconds (rounded), empty when undefined.
fn csv_secs(ms: Option<i64>) -> String {
    ms.map(|ms| ((ms + 500).div_euclid(1000)).to_string())
        .unwrap_or_default()
}

/// The report as CSV (RFC 4180: a header line, then one line per day, CRLF line ends). Rates are
/// fractions (0.6667), durations whole seconds, empty cells where a figure has no data.
pub fn csv(report: &Report) -> String {
    let tz = report.period.tz().iana_name().unwrap_or("UTC");
    let mut out = String::new();
    let header: Vec<String> = CSV_COLUMNS.iter().map(|c| csv_field(c)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for (day, f) in report.period.days().iter().zip(&report.days) {
        let mut row = vec![
            day.to_string(),
            f.conversations.to_string(),
            f.with_question.to_string(),
            f.self_served.to_string(),
            f.self_served_confirmed.to_string(),
            csv_ratio(f.self_service_rate()),
            f.escalated.to_string(),
            csv_ratio(f.escalation_rate()),
            f.first_reply_ms.len().to_string(),
            csv_secs(f.first_reply_median()),
            csv_secs(f.first_reply_p90()),
            f.resolve_ms.len().to_string(),
            csv_secs(f.resolve_median()),
            f.rating_count().to_string(),
            f.csat_average()
                .map(|a| format!("{a:.2}"))
                .unwrap_or_default(),
        ];
        row.extend(f.ratings.iter().map(u64::to_string));
        row.extend([
            f.views.to_string(),
            f.votes_yes.to_string(),
            f.votes_no.to_string(),
            f.chat_answers.to_string(),
            f.chat_yes.to_string(),
            f.chat_no.to_string(),
            f.bot_no_answers.to_string(),
            f.searches_without_results.to_string(),
            tz.to_string(),
        ]);
        let row: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("abc"), "abc");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
