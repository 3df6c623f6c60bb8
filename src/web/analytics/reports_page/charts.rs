//! The charts: a bar per day for a figure's card and the ratings' horizontal bars, as inline
//! SVG with an accessible name and a summary.

use jiff::civil::Date;
use maud::{Markup, html};

use super::texts::K;
use crate::analytics::reports::Figures;
use crate::domain::Lang;

/// Width of one day's slot in a chart's user units.
const SLOT: f64 = 10.0;
/// Height of a chart in user units.
const HEIGHT: f64 = 40.0;

/// A bar per day, scaled to `max` (or the largest value), with an accessible name and summary.
/// `None` values (no data that day) get no bar.
pub(super) fn bar_chart(
    lang: Lang,
    id: &str,
    title: &str,
    days: &[Date],
    values: &[Option<f64>],
    max: Option<f64>,
    label: &dyn Fn(f64) -> String,
) -> Markup {
    let largest = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    let scale = max.unwrap_or(largest).max(f64::EPSILON);
    let width = SLOT * days.len().max(1) as f64;
    let desc = chart_desc(lang, days, values, label);
    let (tid, did) = (format!("{id}-t"), format!("{id}-d"));
    html! {
        svg.rp-chart role="img" aria-labelledby=(format!("{tid} {did}"))
            viewBox=(format!("0 0 {width} {HEIGHT}")) preserveAspectRatio="none" focusable="false" {
            title #(tid) { (title) }
            desc #(did) { (desc) }
            line.rp-axis x1="0" y1=(HEIGHT - 0.5) x2=(width) y2=(HEIGHT - 0.5)
                stroke="currentColor" stroke-width="1" vector-effect="non-scaling-stroke" {}
            @for (i, (day, v)) in days.iter().zip(values).enumerate() {
                @if let Some(v) = v {
                    @let h = if *v > 0.0 { ((v / scale).min(1.0) * (HEIGHT - 2.0)).max(1.0) } else { 0.0 };
                    rect.rp-bar x=(fmt_num(i as f64 * SLOT + 1.0)) y=(fmt_num(HEIGHT - 1.0 - h))
                        width=(fmt_num(SLOT - 2.0)) height=(fmt_num(h)) fill="currentColor" {
                        title { (day) ": " (label(*v)) }
                    }
                }
            }
        }
    }
}

/// A number for an SVG attribute (at most two decimals).
pub(super) fn fmt_num(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// "From – to: highest … (day), lowest … (day)."
fn chart_desc(
    lang: Lang,
    days: &[Date],
    values: &[Option<f64>],
    label: &dyn Fn(f64) -> String,
) -> String {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return String::new();
    };
    let known: Vec<(Date, f64)> = days
        .iter()
        .zip(values)
        .filter_map(|(d, v)| v.map(|v| (*d, v)))
        .collect();
    let table = K::PerDay.in_lang(lang);
    let Some(&(hi_day, hi)) = known
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    else {
        return format!("{first} – {last}: {}.", K::NoData.in_lang(lang));
    };
    let &(lo_day, lo) = known
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .unwrap_or(&(hi_day, hi));
    let (hi, lo) = (label(hi), label(lo));
    lang.pick([
            format!(
                "{first} – {last}: максимум {hi} ({hi_day}), минимум {lo} ({lo_day}). Все числа — в таблице «{table}»."
            ),
            format!(
                "{first} – {last}: highest {hi} ({hi_day}), lowest {lo} ({lo_day}). Every number is in the “{table}” table."
            ),
            format!(
                "{first} – {last}: höchstens {hi} ({hi_day}), mindestens {lo} ({lo_day}). Alle Zahlen in der Tabelle „{table}“."
            ),
        ],
    )
}

/// Horizontal bars of the ratings 5 down to 1, with their counts written beside them.
pub(super) fn ratings_chart(lang: Lang, f: &Figures) -> Markup {
    let max = f.ratings.iter().copied().max().unwrap_or(0).max(1) as f64;
    let row_h = 24.0;
    let bar_x = 40.0;
    let bar_w = 220.0;
    let height = row_h * 5.0;
    let summary: Vec<String> = (1..=5)
        .rev()
        .map(|s| format!("{s}: {}", f.ratings[s - 1]))
        .collect();
    html! {
        svg.rp-dist role="img" aria-labelledby="rp-dist-t rp-dist-d"
            viewBox=(format!("0 0 320 {height}")) focusable="false" {
            title #rp-dist-t { (K::Ratings.in_lang(lang)) }
            desc #rp-dist-d { (summary.join(", ")) }
            @for (row, score) in (1..=5usize).rev().enumerate() {
                @let n = f.ratings[score - 1];
                @let y = row as f64 * row_h;
                @let w = if n > 0 { (n as f64 / max * bar_w).max(1.0) } else { 0.0 };
                text x="4" y=(fmt_num(y + 16.0)) fill="currentColor" { (score) " ★" }
                rect.rp-bar x=(fmt_num(bar_x)) y=(fmt_num(y + 4.0)) width=(fmt_num(w)) height="16" fill="currentColor" {}
                text x=(fmt_num(bar_x + w + 6.0)) y=(fmt_num(y + 16.0)) fill="currentColor" { (n) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_described() {
        let days: Vec<Date> = ["2026-03-07", "2026-03-08", "2026-03-09"]
            .iter()
            .map(|d| d.parse().unwrap())
            .collect();
        let label = |x: f64| format!("{x}");
        let svg = bar_chart(
            Lang::En,
            "c",
            "Things per day",
            &days,
            &[Some(2.0), None, Some(5.0)],
            None,
            &label,
        )
        .into_string();
        assert!(svg.contains(r#"role="img""#), "{svg}");
        assert!(
            svg.contains("<title id=\"c-t\">Things per day</title>"),
            "{svg}"
        );
        assert!(
            svg.contains("highest 5 (2026-03-09), lowest 2 (2026-03-07)"),
            "{svg}"
        );
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.contains("<title>2026-03-09: 5</title>"), "{svg}");
        assert!(!svg.contains("style="), "{svg}");
    }
}
