//! The `/agent/reports` page: the period form, a card per figure with a bar chart per day
//! (inline SVG, server-rendered, no script), the ratings, the per-day table and the articles.
//!
//! Every chart is an `<svg role="img">` with a `<title>` and a `<desc>` summing it up, a
//! `<title>` per bar, and its numbers repeated in the tables below. Colours come from the
//! stylesheet served at `/agent/reports.css` (no inline styles or scripts).

use std::hash::{Hash, Hasher};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use maud::{Markup, html};

use super::reports::PeriodParams;
use crate::agents::Role;
use crate::analytics::reports::{Figures, Report};
use crate::domain::{Lang, Slug};
use crate::web::agents::session::{AgentSession, CSRF_FIELD};
use crate::web::pages::{Head, Site, layout, respond};
use crate::web::state::AppState;

/// The page's own styles, on top of the help center's `site.css`.
const REPORTS_CSS: &str = r#"/* /agent/reports */
body:has(.rp) .wrap { max-width: 76rem; }
.rp-nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; align-items: center; }
.rp-nav form { margin: 0; }
.rp-period { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin: 1rem 0 0.5rem; }
.rp-period label { display: flex; flex-direction: column; font-size: 0.95rem; gap: 0.2rem; }
.rp-period input { font: inherit; padding: 0.4rem 0.5rem; border: 2px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); }
.rp-quick { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; padding: 0; margin: 0.5rem 0; }
.rp-note { color: var(--muted); margin: 0.25rem 0 1rem; }
.rp-error { border: 2px solid #b00020; border-radius: 6px; padding: 0.5rem 1rem; }
.rp-cards { list-style: none; padding: 0; margin: 1rem 0; display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); }
.rp-card { border: 1px solid var(--border); border-radius: 8px; padding: 0.75rem 1rem; background: var(--surface); display: flex; flex-direction: column; }
.rp-card h2 { font-size: 0.95rem; font-weight: 600; margin: 0; color: var(--muted); }
.rp-value { font-size: 1.75rem; font-weight: 700; margin: 0.15rem 0; }
.rp-sub { font-size: 0.9rem; color: var(--muted); margin: 0 0 0.5rem; }
.rp-chart { display: block; width: 100%; height: 3.5rem; margin-top: auto; color: var(--link); }
.rp-chart .rp-bar { fill: currentColor; }
.rp-chart .rp-bar:hover { opacity: 0.7; }
.rp-chart .rp-axis { stroke: var(--border); }
.rp-dist { display: block; width: 100%; max-width: 30rem; height: auto; color: var(--link); }
.rp-dist .rp-bar { fill: currentColor; }
.rp-dist text { fill: var(--fg); font-size: 13px; }
.rp-two { display: grid; gap: 1rem 2rem; grid-template-columns: 1fr; }
@media (min-width: 56rem) { .rp-two { grid-template-columns: minmax(0, 1fr) minmax(0, 2fr); } }
.rp-scroll { overflow-x: auto; margin: 0.5rem 0 1.5rem; }
.rp table { display: table; width: 100%; font-size: 0.92rem; margin: 0; }
.rp thead th { vertical-align: bottom; }
.rp-days th, .rp-days td { padding: 0.3em 0.45em; font-size: 0.85rem; }
.rp td.n, .rp th.n { text-align: right; font-variant-numeric: tabular-nums; }
.rp td.n, .rp tbody th[scope=row].rp-day, .rp tfoot th { white-space: nowrap; }
.rp tfoot th, .rp tfoot td { font-weight: 700; }
.rp-defs dt { font-weight: 600; margin-top: 0.6rem; }
.rp-defs dd { margin: 0.15rem 0 0 1rem; }
"#;

/// A short version of the stylesheet, for cache-busting links.
fn css_version() -> String {
    let mut h = rustc_hash::FxHasher::default();
    REPORTS_CSS.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// `GET /agent/reports.css`.
pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        REPORTS_CSS,
    )
}

// ---------------------------------------------------------------------------------------------
// Texts
// ---------------------------------------------------------------------------------------------

/// A text of the page.
#[derive(Debug, Clone, Copy)]
enum K {
    Title,
    Description,
    Nav,
    Console,
    Canned,
    Team,
    Reports,
    SignedInAs,
    SignOut,
    From,
    To,
    Show,
    Download,
    Conversations,
    SelfService,
    Escalation,
    FirstReply,
    Resolve,
    Csat,
    Views,
    Helpful,
    ChatAnswers,
    NoResults,
    BotNoAnswers,
    PerDay,
    Day,
    Total,
    Ratings,
    Score,
    Count,
    Articles,
    Article,
    NoArticles,
    Median,
    Answers,
    NoData,
    Definitions,
    WrongPeriod,
    QuickPeriods,
    TableNote,
}

fn tx(lang: Lang, k: K) -> &'static str {
    let [ru, en, de] = match k {
        K::Title => [
            "Аналитика поддержки",
            "Support analytics",
            "Support-Analytik",
        ],
        K::Description => [
            "Показатели чата и справочного центра по дням",
            "Chat and help-center figures per day",
            "Kennzahlen von Chat und Hilfe-Center pro Tag",
        ],
        K::Nav => [
            "Разделы консоли",
            "Console sections",
            "Bereiche der Konsole",
        ],
        K::Console => ["Консоль", "Console", "Konsole"],
        K::Canned => ["Шаблоны ответов", "Canned replies", "Textbausteine"],
        K::Team => ["Команда", "Team", "Team"],
        K::Reports => ["Аналитика", "Analytics", "Analytik"],
        K::SignedInAs => ["Вы вошли как", "Signed in as", "Angemeldet als"],
        K::SignOut => ["Выйти", "Sign out", "Abmelden"],
        K::From => ["С", "From", "Von"],
        K::To => ["По", "To", "Bis"],
        K::Show => ["Показать", "Show", "Anzeigen"],
        K::Download => ["Скачать CSV", "Download CSV", "CSV herunterladen"],
        K::Conversations => ["Разговоры", "Conversations", "Gespräche"],
        K::SelfService => ["Решено ботом", "Self-service rate", "Self-Service-Quote"],
        K::Escalation => ["Передано людям", "Escalation rate", "Eskalationsquote"],
        K::FirstReply => [
            "Первый ответ оператора",
            "Time to first reply",
            "Zeit bis zur ersten Antwort",
        ],
        K::Resolve => ["Время до решения", "Time to resolve", "Zeit bis zur Lösung"],
        K::Csat => ["Оценка (CSAT)", "CSAT", "Zufriedenheit (CSAT)"],
        K::Views => ["Просмотры статей", "Article views", "Artikelaufrufe"],
        K::Helpful => ["«Статья помогла»", "Helpful votes", "„Hilfreich“-Stimmen"],
        K::ChatAnswers => ["Ответы бота статьями", "Bot answers", "Antworten des Bots"],
        K::NoResults => [
            "Поиск без результата",
            "Searches without results",
            "Suchen ohne Ergebnis",
        ],
        K::BotNoAnswers => [
            "Бот ничего не нашёл",
            "Bot found nothing",
            "Bot fand nichts",
        ],
        K::PerDay => ["По дням", "Per day", "Pro Tag"],
        K::Day => ["День", "Day", "Tag"],
        K::Total => ["Весь период", "Whole period", "Gesamter Zeitraum"],
        K::Ratings => [
            "Оценки разговоров",
            "Conversation ratings",
            "Bewertungen der Gespräche",
        ],
        K::Score => ["Оценка", "Score", "Note"],
        K::Count => ["Сколько", "Count", "Anzahl"],
        K::Articles => ["Статьи", "Top articles", "Top-Artikel"],
        K::Article => ["Статья", "Article", "Artikel"],
        K::NoArticles => [
            "За этот период статьи не открывали и не оценивали.",
            "No article was viewed, voted on or given as an answer in this period.",
            "In diesem Zeitraum wurde kein Artikel aufgerufen, bewertet oder als Antwort gegeben.",
        ],
        K::Median => ["медиана", "median", "Median"],
        K::Answers => ["ответов", "replies", "Antworten"],
        K::NoData => ["нет данных", "no data", "keine Daten"],
        K::Definitions => [
            "Как считаются показатели",
            "How the figures are counted",
            "Wie die Zahlen berechnet werden",
        ],
        K::WrongPeriod => ["Неверный период", "Wrong period", "Ungültiger Zeitraum"],
        K::QuickPeriods => ["Быстрый выбор", "Quick periods", "Schnellauswahl"],
        K::TableNote => [
            "Те же числа, что на графиках.",
            "The numbers behind the charts.",
            "Die Zahlen hinter den Diagrammen.",
        ],
    };
    pick(lang, [ru, en, de])
}

fn pick<T>(lang: Lang, [ru, en, de]: [T; 3]) -> T {
    match lang {
        Lang::Ru => ru,
        Lang::En => en,
        Lang::De => de,
    }
}

/// The definitions shown under the page (the same as in README.md).
fn definitions(lang: Lang) -> Vec<(K, &'static str)> {
    let d =
        |k: K, ru: &'static str, en: &'static str, de: &'static str| (k, pick(lang, [ru, en, de]));
    vec![
        d(
            K::Conversations,
            "Разговоры, начатые в этот день. Всё о разговорах (решено ботом, передано людям, время ответа и решения, оценки) относится ко дню начала разговора. «С вопросом» — бот ответил статьёй или сказал, что ничего не нашёл, либо разговор дошёл до человека.",
            "Conversations started on the day. Everything about conversations (self-service, escalation, reply and resolution times, ratings) counts on the day the conversation started. “With a question”: the bot answered with an article or said it found nothing, or the conversation reached a person.",
            "An diesem Tag begonnene Gespräche. Alles über Gespräche (Self-Service, Eskalation, Antwort- und Lösungszeiten, Bewertungen) zählt am Tag des Gesprächsbeginns. „Mit einer Frage“: Der Bot antwortete mit einem Artikel oder fand nichts, oder das Gespräch erreichte einen Menschen.",
        ),
        d(
            K::SelfService,
            "Доля разговоров с вопросом, где бот ответил статьёй и разговор так и не дошёл до человека: клиент нажал «Да» или ушёл, не позвав оператора. «Подтвердили» — нажали «Да».",
            "Share of the conversations with a question where the bot answered with an article and the conversation never reached a person: the customer said Yes, or left without asking for one. “Confirmed”: they said Yes.",
            "Anteil der Gespräche mit einer Frage, in denen der Bot mit einem Artikel antwortete und das Gespräch nie einen Menschen erreichte: Der Kunde sagte „Ja“ oder ging, ohne nach einem Menschen zu fragen.",
        ),
        d(
            K::Escalation,
            "Доля разговоров с вопросом, дошедших до человека: попали в очередь (клиент позвал оператора, нажал «Нет», бот ничего не нашёл) или оператор взял разговор сам.",
            "Share of the conversations with a question that reached a person: entered the queue (the customer asked for a person, said No, or the bot found nothing) or an agent took it over.",
            "Anteil der Gespräche mit einer Frage, die einen Menschen erreichten: in die Warteschlange (Kunde wollte einen Menschen, sagte „Nein“, oder der Bot fand nichts) oder von einem Agenten übernommen.",
        ),
        d(
            K::FirstReply,
            "От попадания в очередь до первого ответа оператора, включая ожидание в нерабочие часы. Медиана и 90-й процентиль.",
            "From entering the queue to an agent's first reply, waiting outside business hours included. Median and 90th percentile.",
            "Vom Eintritt in die Warteschlange bis zur ersten Antwort eines Agenten, Wartezeit außerhalb der Geschäftszeiten eingeschlossen. Median und 90. Perzentil.",
        ),
        d(
            K::Resolve,
            "От попадания в очередь до закрытия разговора, по закрытым разговорам. Медиана.",
            "From entering the queue to resolved, over the resolved conversations. Median.",
            "Vom Eintritt in die Warteschlange bis zur Lösung, über die gelösten Gespräche. Median.",
        ),
        d(
            K::Csat,
            "Средняя оценка клиентов (1–5) и сколько поставлено каждой.",
            "The customers' average rating (1–5) and how many of each score.",
            "Die durchschnittliche Bewertung (1–5) und wie oft jede Note gegeben wurde.",
        ),
        d(
            K::Views,
            "Уникальные посетители статьи за день (по дням UTC — так они хранятся). «Статья помогла» — голоса «Да»/«Нет» по времени голоса; ответы бота статьями — по времени ответа, с «Да»/«Нет» клиентов.",
            "Distinct visitors of an article per day (UTC days, as they are stored). Helpful votes: Yes/No by the time of the vote; bot answers: by the time of the answer, with the customers' Yes/No.",
            "Verschiedene Besucher eines Artikels pro Tag (UTC-Tage, wie gespeichert). „Hilfreich“-Stimmen nach Zeitpunkt der Stimme; Bot-Antworten nach Zeitpunkt der Antwort, mit dem Ja/Nein der Kunden.",
        ),
        d(
            K::NoResults,
            "Поиски в справочном центре, где лучший результат не дотянул до порога уверенности, по времени поиска. «Бот ничего не нашёл» — такие ответы бота в чате, по времени ответа.",
            "Help-center searches whose best hit did not reach the confidence threshold, by the time of the search. “Bot found nothing”: the chat bot's replies saying so, by the time they were sent.",
            "Suchen im Hilfe-Center, deren bester Treffer die Konfidenzschwelle nicht erreichte, nach Zeitpunkt der Suche. „Bot fand nichts“: solche Antworten des Chat-Bots, nach Zeitpunkt.",
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

const NBSP: char = '\u{a0}';

/// `x` with `digits` decimals and the language's decimal separator.
fn decimal(lang: Lang, x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    match lang {
        Lang::En => s,
        Lang::Ru | Lang::De => s.replace('.', ","),
    }
}

/// A ratio as a percentage with one decimal.
fn pct(lang: Lang, r: f64) -> String {
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
fn duration(lang: Lang, ms: i64) -> String {
    let [s_u, m_u, h_u, d_u] = pick(
        lang,
        [
            ["с", "мин", "ч", "д"],
            ["s", "min", "h", "d"],
            ["s", "Min.", "Std.", "T."],
        ],
    );
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
fn or_dash(s: Option<String>) -> String {
    s.unwrap_or_else(|| "—".to_string())
}

fn weekday(lang: Lang, d: Date) -> &'static str {
    let names = pick(
        lang,
        [
            ["пн", "вт", "ср", "чт", "пт", "сб", "вс"],
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
        ],
    );
    names[d.weekday().to_monday_zero_offset() as usize]
}

// ---------------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------------

/// Width of one day's slot in a chart's user units.
const SLOT: f64 = 10.0;
/// Height of a chart in user units.
const HEIGHT: f64 = 40.0;

/// A bar per day, scaled to `max` (or the largest value), with an accessible name and summary.
/// `None` values (no data that day) get no bar.
fn bar_chart(
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
fn fmt_num(x: f64) -> String {
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
    let table = tx(lang, K::PerDay);
    let Some(&(hi_day, hi)) = known
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    else {
        return format!("{first} – {last}: {}.", tx(lang, K::NoData));
    };
    let &(lo_day, lo) = known
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .unwrap_or(&(hi_day, hi));
    let (hi, lo) = (label(hi), label(lo));
    pick(
        lang,
        [
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
fn ratings_chart(lang: Lang, f: &Figures) -> Markup {
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
            title #rp-dist-t { (tx(lang, K::Ratings)) }
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

// ---------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------

/// The whole page around `main`: the help center's layout with the console's navigation.
fn page(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    lang: Lang,
    main: Markup,
) -> Markup {
    let snap = state.search.snapshot();
    let site = Site::of(state, headers, &snap.catalog);
    let head = Head {
        title: tx(lang, K::Title).to_string(),
        description: tx(lang, K::Description).to_string(),
        canonical: "/agent/reports".to_string(),
        alternates: Vec::new(),
        noindex: true,
        header_search: false,
    };
    let a = &session.agent;
    let main = html! {
        link rel="stylesheet" href=(format!("/agent/reports.css?v={}", css_version()));
        div.rp {
            nav.rp-nav aria-label=(tx(lang, K::Nav)) {
                ul {
                    li { a href="/agent" { (tx(lang, K::Console)) } }
                    li { a href="/agent/canned" { (tx(lang, K::Canned)) } }
                    li { a href="/agent/reports" aria-current="page" { (tx(lang, K::Reports)) } }
                    @if a.has_role(Role::Admin) {
                        li { a href="/agent/team" { (tx(lang, K::Team)) } }
                    }
                    li.meta { (tx(lang, K::SignedInAs)) " " strong { (a.name) } " (" (a.role.name(lang)) ")" }
                    li {
                        form method="post" action="/agent/logout" {
                            input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                            button type="submit" { (tx(lang, K::SignOut)) }
                        }
                    }
                }
            }
            (main)
        }
    };
    layout(state, &site, lang, head, "", main)
}

/// The period form, the CSV link, and links to the last 7, 30 and 90 days up to `today`.
fn period_form(lang: Lang, from: &str, to: &str, csv_href: Option<&str>, today: Date) -> Markup {
    let quick: Vec<(i64, String)> = [7i64, 30, 90]
        .into_iter()
        .filter_map(|n| {
            let start = today.checked_sub(jiff::Span::new().days(n - 1)).ok()?;
            Some((n, format!("/agent/reports?from={start}&to={today}")))
        })
        .collect();
    html! {
        form.rp-period method="get" action="/agent/reports" {
            label { (tx(lang, K::From)) input type="date" name="from" value=(from) required; }
            label { (tx(lang, K::To)) input type="date" name="to" value=(to) required; }
            button type="submit" { (tx(lang, K::Show)) }
            @if let Some(href) = csv_href {
                a href=(href) download { (tx(lang, K::Download)) }
            }
        }
        nav aria-label=(tx(lang, K::QuickPeriods)) {
            ul.rp-quick {
                @for (n, href) in &quick {
                    li { a href=(href) { (quick_label(lang, *n)) } }
                }
            }
        }
    }
}

fn quick_label(lang: Lang, n: i64) -> String {
    pick(
        lang,
        [
            format!("Последние {n} дней"),
            format!("Last {n} days"),
            format!("Letzte {n} Tage"),
        ],
    )
}

/// The page for a period that could not be read, with the form to fix it (400).
pub(super) fn render_error(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    params: &PeriodParams,
    message: &str,
) -> Response {
    let lang = crate::web::agents::layout::lang_of(state, headers);
    let main = html! {
        h1 { (tx(lang, K::Title)) }
        p.rp-error role="alert" { strong { (tx(lang, K::WrongPeriod)) ": " } (message) }
        (period_form(
            lang,
            params.from.as_deref().unwrap_or(""),
            params.to.as_deref().unwrap_or(""),
            None,
            crate::analytics::reports::today(crate::domain::now_ms(), &super::reports::business_tz(state)),
        ))
    };
    respond(
        StatusCode::BAD_REQUEST,
        page(state, headers, session, lang, main),
    )
}

/// One figure's card: name, value, details and its chart per day.
struct Card {
    id: &'static str,
    name: K,
    value: String,
    sub: String,
    values: Vec<Option<f64>>,
    max: Option<f64>,
    label: Box<dyn Fn(f64) -> String>,
}

fn cards(lang: Lang, r: &Report) -> Vec<Card> {
    let t = &r.total;
    let series = |f: &dyn Fn(&Figures) -> Option<f64>| -> Vec<Option<f64>> {
        r.days.iter().map(f).collect()
    };
    let count = move |x: f64| format!("{}", x.round() as i64);
    let pct_l = move |x: f64| pct(lang, x);
    let dur_l = move |x: f64| duration(lang, x as i64);
    let of = |a: u64, b: u64| {
        pick(
            lang,
            [
                format!("{a} из {b}"),
                format!("{a} of {b}"),
                format!("{a} von {b}"),
            ],
        )
    };
    let yes_no = |y: u64, n: u64| {
        pick(
            lang,
            [
                format!("«Да» {y} · «Нет» {n}"),
                format!("Yes {y} · No {n}"),
                format!("Ja {y} · Nein {n}"),
            ],
        )
    };
    let with_q = pick(
        lang,
        [
            format!("с вопросом: {}", t.with_question),
            format!("{} with a question", t.with_question),
            format!("{} mit einer Frage", t.with_question),
        ],
    );
    let confirmed = pick(
        lang,
        [
            format!("; подтвердили «Да»: {}", t.self_served_confirmed),
            format!("; {} confirmed with Yes", t.self_served_confirmed),
            format!("; {} mit „Ja“ bestätigt", t.self_served_confirmed),
        ],
    );
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
                "{}; p90 {}; {}: {}",
                tx(lang, K::Median),
                or_dash(t.first_reply_p90().map(|ms| duration(lang, ms))),
                tx(lang, K::Answers),
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
            sub: pick(
                lang,
                [
                    format!("медиана; решено: {}", t.resolve_ms.len()),
                    format!("median; {} resolved", t.resolve_ms.len()),
                    format!("Median; {} gelöst", t.resolve_ms.len()),
                ],
            ),
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
            sub: pick(
                lang,
                [
                    format!("оценок: {}", t.rating_count()),
                    format!("{} ratings", t.rating_count()),
                    format!("{} Bewertungen", t.rating_count()),
                ],
            ),
            values: series(&Figures::csat_average),
            max: Some(5.0),
            label: Box::new(move |x| decimal(lang, x, 2)),
        },
        Card {
            id: "rp-views",
            name: K::Views,
            value: t.views.to_string(),
            sub: pick(
                lang,
                [
                    format!("статей: {articles}"),
                    format!("{articles} articles"),
                    format!("{articles} Artikel"),
                ],
            ),
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
            sub: format!("{}: {}", tx(lang, K::BotNoAnswers), t.bot_no_answers),
            values: series(&|f| Some(f.searches_without_results as f64)),
            max: None,
            label: Box::new(count),
        },
    ]
}

/// The figures of one day (or the whole period) as table cells.
fn row_cells(lang: Lang, f: &Figures) -> Markup {
    let d = |ms: Option<i64>| or_dash(ms.map(|ms| duration(lang, ms)));
    let p = |r: Option<f64>| or_dash(r.map(|r| pct(lang, r)));
    html! {
        td.n { (f.conversations) }
        td.n { (f.with_question) }
        td.n { (p(f.self_service_rate())) " (" (f.self_served) ")" }
        td.n { (p(f.escalation_rate())) " (" (f.escalated) ")" }
        td.n { (d(f.first_reply_median())) }
        td.n { (d(f.first_reply_p90())) }
        td.n { (d(f.resolve_median())) }
        td.n { (or_dash(f.csat_average().map(|a| decimal(lang, a, 2)))) " (" (f.rating_count()) ")" }
        td.n { (f.views) }
        td.n { (f.votes_yes) " / " (f.votes_no) }
        td.n { (f.chat_answers) " (" (f.chat_yes) " / " (f.chat_no) ")" }
        td.n { (f.searches_without_results) }
        td.n { (f.bot_no_answers) }
    }
}

/// The dashboard of a computed report (200).
pub(super) fn render(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentSession,
    r: &Report,
) -> Response {
    let lang = crate::web::agents::layout::lang_of(state, headers);
    let days = r.period.days();
    let (from, to) = (r.period.from().to_string(), r.period.to().to_string());
    let csv_href = format!("/agent/reports.csv?from={from}&to={to}");
    let tz = r.period.tz().iana_name().unwrap_or("UTC");
    let note = pick(
        lang,
        [
            format!("{from} – {to}; дни по часовому поясу {tz}."),
            format!("{from} – {to}; days in the {tz} time zone."),
            format!("{from} – {to}; Tage in der Zeitzone {tz}."),
        ],
    );
    let snap = state.search.snapshot();
    let title_of = |lang_code: &str, slug: &str| -> Option<(String, String)> {
        let l: Lang = lang_code.parse().ok()?;
        let s = Slug::parse(slug).ok()?;
        let a = snap.catalog.get(l, &s)?;
        Some((a.title.clone(), format!("/{l}/articles/{slug}")))
    };
    let yes_no_head = pick(lang, ["«Да» / «Нет»", "Yes / No", "Ja / Nein"]);
    let head_cells = html! {
        th.n scope="col" { (tx(lang, K::Conversations)) }
        th.n scope="col" { (pick(lang, ["С вопросом", "With a question", "Mit Frage"])) }
        th.n scope="col" { (tx(lang, K::SelfService)) }
        th.n scope="col" { (tx(lang, K::Escalation)) }
        th.n scope="col" { (tx(lang, K::FirstReply)) ", " (tx(lang, K::Median)) }
        th.n scope="col" { (tx(lang, K::FirstReply)) ", p90" }
        th.n scope="col" { (tx(lang, K::Resolve)) ", " (tx(lang, K::Median)) }
        th.n scope="col" { (tx(lang, K::Csat)) }
        th.n scope="col" { (tx(lang, K::Views)) }
        th.n scope="col" { (tx(lang, K::Helpful)) " " (yes_no_head) }
        th.n scope="col" { (tx(lang, K::ChatAnswers)) " (" (yes_no_head) ")" }
        th.n scope="col" { (tx(lang, K::NoResults)) }
        th.n scope="col" { (tx(lang, K::BotNoAnswers)) }
    };
    let main = html! {
        h1 { (tx(lang, K::Title)) }
        (period_form(lang, &from, &to, Some(&csv_href), crate::analytics::reports::today(crate::domain::now_ms(), r.period.tz())))
        p.rp-note { (note) }
        ul.rp-cards {
            @for c in cards(lang, r) {
                li.rp-card {
                    h2 #(format!("{}-h", c.id)) { (tx(lang, c.name)) }
                    p.rp-value { (c.value) }
                    p.rp-sub { (c.sub) }
                    @let title = pick(lang, [
                        format!("{} по дням", tx(lang, c.name)),
                        format!("{} per day", tx(lang, c.name)),
                        format!("{} pro Tag", tx(lang, c.name)),
                    ]);
                    (bar_chart(lang, c.id, &title, &days, &c.values, c.max, &*c.label))
                }
            }
        }
        div.rp-two {
            section aria-labelledby="rp-ratings-h" {
                h2 #rp-ratings-h { (tx(lang, K::Ratings)) }
                (ratings_chart(lang, &r.total))
                div.rp-scroll { table aria-labelledby="rp-ratings-h" {
                    thead { tr { th scope="col" { (tx(lang, K::Score)) } th.n scope="col" { (tx(lang, K::Count)) } } }
                    tbody {
                        @for score in (1..=5usize).rev() {
                            tr { th scope="row" { (score) } td.n { (r.total.ratings[score - 1]) } }
                        }
                    }
                } }
            }
            section aria-labelledby="rp-articles-h" {
                h2 #rp-articles-h { (tx(lang, K::Articles)) }
                @if r.articles.is_empty() {
                    p { (tx(lang, K::NoArticles)) }
                } @else {
                    div.rp-scroll { table aria-labelledby="rp-articles-h" {
                        thead {
                            tr {
                                th scope="col" { (tx(lang, K::Article)) }
                                th.n scope="col" { (tx(lang, K::Views)) }
                                th.n scope="col" { (tx(lang, K::Helpful)) " " (yes_no_head) }
                                th.n scope="col" { (tx(lang, K::ChatAnswers)) " (" (yes_no_head) ")" }
                            }
                        }
                        tbody {
                            @for a in r.articles.iter().take(10) {
                                tr {
                                    th scope="row" {
                                        @if let Some((title, href)) = title_of(&a.lang, &a.slug) {
                                            a href=(href) { (title) }
                                        } @else {
                                            (a.slug)
                                        }
                                        " " span.meta lang="en" { "(" (a.lang) ")" }
                                    }
                                    td.n { (a.views) }
                                    td.n { (a.yes) " / " (a.no) }
                                    td.n { (a.chat_answers) " (" (a.chat_yes) " / " (a.chat_no) ")" }
                                }
                            }
                        }
                    } }
                }
            }
        }
        section aria-labelledby="rp-days-h" {
            h2 #rp-days-h { (tx(lang, K::PerDay)) }
            p.rp-note { (tx(lang, K::TableNote)) }
            div.rp-scroll { table.rp-days aria-labelledby="rp-days-h" {
                thead { tr { th scope="col" { (tx(lang, K::Day)) } (head_cells) } }
                tbody {
                    @for (day, f) in days.iter().zip(&r.days) {
                        tr { th.rp-day scope="row" { (day) " " span.meta { (weekday(lang, *day)) } } (row_cells(lang, f)) }
                    }
                }
                tfoot { tr { th scope="row" { (tx(lang, K::Total)) } (row_cells(lang, &r.total)) } }
            } }
        }
        section aria-labelledby="rp-defs-h" {
            h2 #rp-defs-h { (tx(lang, K::Definitions)) }
            dl.rp-defs {
                @for (k, text) in definitions(lang) {
                    dt { (tx(lang, k)) }
                    dd { (text) }
                }
            }
        }
    };
    let mut res = respond(StatusCode::OK, page(state, headers, session, lang, main));
    res.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    res
}

#[cfg(test)]
mod tests {
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
