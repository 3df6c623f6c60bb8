//! How figures are written in each language: decimals, percentages, durations, a dash for a
//! missing figure, and weekday names.

use jiff::civil::Date;

use crate::domain::Lang;

const NBSP: char = '\u{a0}';

/// `x` with `digits` decimals and the language's decimal separator.
pub(super) fn decimal(lang: Lang, x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    match lang {
        Lang::En => s,
        Lang::Ru | Lang::De => s.replace('.', ","),
    }
}

/// A ratio as a percentage with one decimal.
pub(super) fn pct(lang: Lang, r: f64) -> String {
    let v = decimal(lang, r * 100.0, 1);
    let v = v
        .strip_suffix(".0")
        .or_else(|| v.strip_suffix(",0"))
        .unwrap_or(&v)
        .to_string();
    match lang {
        Lang::En => format!("{v}%"),
        Lang::Ru | Lang::De => format!("{v}{NBSP}%"),
    }
}

/// A duration in at most two units: `45 s`, `3 min 20 s`, `2 h 5 min`, `1 d 3 h`.
pub(super) fn duration(lang: Lang, ms: i64) -> String {
    let [s_u, m_u, h_u, d_u] = lang.pick([
        ["с", "мин", "ч", "д"],
        ["s", "min", "h", "d"],
        ["s", "Min.", "Std.", "T."],
    ]);
    let secs = (ms.max(0) + 500) / 1000;
    let two = |a: i64, au: &str, b: i64, bu: &str| {
        if b == 0 {
            format!("{a}{NBSP}{au}")
        } else {
            format!("{a}{NBSP}{au} {b}{NBSP}{bu}")
        }
    };
    match secs {
        s if s < 60 => format!("{s}{NBSP}{s_u}"),
        s if s < 3_600 => two(s / 60, m_u, s % 60, s_u),
        s if s < 86_400 => two(s / 3_600, h_u, (s % 3_600) / 60, m_u),
        s => two(s / 86_400, d_u, (s % 86_400) / 3_600, h_u),
    }
}

/// `—` for a missing figure.
pub(super) fn or_dash(s: Option<String>) -> String {
    s.unwrap_or_else(|| "—".to_string())
}

pub(super) fn weekday(lang: Lang, d: Date) -> &'static str {
    let names = lang.pick([
        ["пн", "вт", "ср", "чт", "пт", "сб", "вс"],
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
    ]);
    names[d.weekday().to_monday_zero_offset() as usize]
}

#[cfg(test)]
mod tests {
    use super::super::charts::fmt_num;
    use super::*;

    #[test]
    fn numbers_in_each_language() {
        assert_eq!(pct(Lang::En, 2.0 / 3.0), "66.7%");
        assert_eq!(pct(Lang::Ru, 0.5), "50\u{a0}%");
        assert_eq!(pct(Lang::De, 0.125), "12,5\u{a0}%");
        assert_eq!(duration(Lang::En, 45_000), "45\u{a0}s");
        assert_eq!(duration(Lang::En, 120_000), "2\u{a0}min");
        assert_eq!(duration(Lang::En, 200_000), "3\u{a0}min 20\u{a0}s");
        assert_eq!(duration(Lang::Ru, 7_500_000), "2\u{a0}ч 5\u{a0}мин");
        assert_eq!(duration(Lang::En, 97_200_000), "1\u{a0}d 3\u{a0}h");
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(1.5), "1.5");
    }
}
