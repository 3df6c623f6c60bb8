//! The figures' cards: for each figure its name, value over the period, details, and the values
//! per day its chart shows.

use super::format::{decimal, duration, or_dash, pct};
use super::texts::K;
use crate::analytics::reports::{Figures, Report};
use crate::domain::Lang;

/// One figure's card: name, value, details and its chart per day.
pub(super) struct Card {
    pub(super) id: &'static str,
    pub(super) name: K,
    pub(super) value: String,
    pub(super) sub: String,
    pub(super) values: Vec<Option<f64>>,
    pub(super) max: Option<f64>,
    pub(super) label: Box<dyn Fn(f64) -> String>,
}

pub(super) fn cards(lang: Lang, r: &Report) -> Vec<Card> {
    let t = &r.total;
    let series = |f: &dyn Fn(&Figures) -> Option<f64>| -> Vec<Option<f64>> {
        r.days.iter().map(f).collect()
    };
    let count = move |x: f64| format!("{}", x.round() as i64);
    let pct_l = move |x: f64| pct(lang, x);
    let dur_l = move |x: f64| duration(lang, x as i64);
    let of = |a: u64, b: u64| {
        lang.pick([
            format!("{a} из {b}"),
            format!("{a} of {b}"),
            format!("{a} von {b}"),
        ])
    };
    let yes_no = |y: u64, n: u64| {
        lang.pick([
            format!("«Да» {y} · «Нет» {n}"),
            format!("Yes {y} · No {n}"),
            format!("Ja {y} · Nein {n}"),
        ])
    };
    let with_q = lang.pick([
        format!("с вопросом: {}", t.with_question),
        format!("{} with a question", t.with_question),
        format!("{} mit einer Frage", t.with_question),
    ]);
    let confirmed = lang.pick([
        format!("; подтвердили «Да»: {}", t.self_served_confirmed),
        format!("; {} confirmed with Yes", t.self_served_confirmed),
        format!("; {} mit „Ja“ bestätigt", t.self_served_confirmed),
    ]);
    let articles = r.articles.iter().filter(|a| a.views > 0).count();
    vec![
        Card {
            id: "rp-conversations",
            name: K::Conversations,
            value: t.conversations.to_string(),
            sub: with_q,
            values: series(&|f| Some(f.conversations as f64)),
            max: None,
            label: Box::new(count),
        },
        Card {
            id: "rp-self-service",
            name: K::SelfService,
            value: or_dash(t.self_service_rate().map(|x| pct(lang, x))),
            sub: of(t.self_served, t.with_question) + &confirmed,
            values: series(&Figures::self_service_rate),
            max: Some(1.0),
            label: Box::new(pct_l),
        },
        Card {
            id: "rp-escalation",
            name: K::Escalation,
            value: or_dash(t.escalation_rate().map(|x| pct(lang, x))),
            sub: of(t.escalated, t.with_question),
            values: series(&Figures::escalation_rate),
            max: Some(1.0),
            label: Box::new(pct_l),
        },
        Card {
            id: "rp-first-reply",
            name: K::FirstReply,
            value: or_dash(t.first_reply_median().map(|ms| duration(lang, ms))),
            sub: format!(
                "{}; {} {}; {}: {}",
                K::Median.in_lang(lang),
                K::P90.in_lang(lang),
                or_dash(t.first_reply_p90().map(|ms| duration(lang, ms))),
                K::Answers.in_lang(lang),
                t.first_reply_ms.len()
            ),
            values: series(&|f| f.first_reply_median().map(|ms| ms as f64)),
            max: None,
            label: Box::new(dur_l),
        },
        Card {
            id: "rp-resolve",
            name: K::Resolve,
            value: or_dash(t.resolve_median().map(|ms| duration(lang, ms))),
            sub: lang.pick([
                format!("медиана; решено: {}", t.resolve_ms.len()),
                format!("median; {} resolved", t.resolve_ms.len()),
                format!("Median; {} gelöst", t.resolve_ms.len()),
            ]),
            values: series(&|f| f.resolve_median().map(|ms| ms as f64)),
            max: None,
            label: Box::new(dur_l),
        },
        Card {
            id: "rp-csat",
            name: K::Csat,
            value: or_dash(
                t.csat_average()
                    .map(|a| format!("{} / 5", decimal(lang, a, 2))),
            ),
            sub: lang.pick([
                format!("оценок: {}", t.rating_count()),
                format!("{} ratings", t.rating_count()),
                format!("{} Bewertungen", t.rating_count()),
            ]),
            values: series(&Figures::csat_average),
            max: Some(5.0),
            label: Box::new(move |x| decimal(lang, x, 2)),
        },
        Card {
            id: "rp-views",
            name: K::Views,
            value: t.views.to_string(),
            sub: lang.pick([
                format!("статей: {articles}"),
                format!("{articles} articles"),
                format!("{articles} Artikel"),
            ]),
            values: series(&|f| Some(f.views as f64)),
            max: None,
            label: Box::new(count),
        },
        Card {
            id: "rp-helpful",
            name: K::Helpful,
            value: or_dash(t.helpful_share().map(|x| pct(lang, x))),
            sub: yes_no(t.votes_yes, t.votes_no),
            values: series(&Figures::helpful_share),
            max: Some(1.0),
            label: Box::new(pct_l),
        },
        Card {
            id: "rp-chat-answers",
            name: K::ChatAnswers,
            value: t.chat_answers.to_string(),
            sub: yes_no(t.chat_yes, t.chat_no),
            values: series(&|f| Some(f.chat_answers as f64)),
            max: None,
            label: Box::new(count),
        },
        Card {
            id: "rp-no-results",
            name: K::NoResults,
            value: t.searches_without_results.to_string(),
            sub: format!("{}: {}", K::BotNoAnswers.in_lang(lang), t.bot_no_answers),
            values: series(&|f| Some(f.searches_without_results as f64)),
            max: None,
            label: Box::new(count),
        },
    ]
}
