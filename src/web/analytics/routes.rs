//! The gap report over HTTP, for editors and admins (agents get 403):
//!
//! - `GET /agent/gaps?since=30d` — the report page (server-rendered, no scripts): clusters of
//!   chat questions and searches of one need, by the people they cost, with examples, trend
//!   bars, the articles shown, a draft download and dismiss/snooze buttons each (those are
//!   `gap_actions.rs`); articles with the most "No" votes; off-topic and gibberish at the end,
//!   without drafts; what was dismissed or snoozed.
//! - `GET /agent/gaps/{cluster}/draft.md?since=30d` — the Markdown draft of a cluster, as an
//!   attachment (404 for an off-topic or gibberish one, as for an unknown id).
//! - `GET /agent/api/gaps?since=30d` — the report as JSON.
//!
//! Every request builds the report anew against the current index, so an article added or
//! edited in the folder shows its clusters as covered after the next hot reload.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::gap_actions;
use crate::analytics::gaps::{self, Class, Cluster, DEFAULT_PERIOD, GapReport};
use crate::domain::Lang;
use crate::domain::now_ms;
use crate::error::AppError;
use crate::web::agents::session::{AgentPage, CurrentAgent};
use crate::web::pages::{Head, Site, layout, respond, url_encode};
use crate::web::state::AppState;

/// Clusters listed per section of the page (all of them are in the JSON).
const SHOWN_CLUSTERS: usize = 50;
/// Periods offered on the page.
const PERIODS: [&str; 4] = ["7d", "30d", "90d", "365d"];

/// A period of [`PERIODS`] as the page's language says it («7 дней»).
fn period_label(lang: Lang, p: &str) -> String {
    let days = p.trim_end_matches('d');
    match lang {
        Lang::Ru => match days {
            "365" => "год".to_string(),
            d => format!("{d} дней"),
        },
        Lang::En => match days {
            "365" => "a year".to_string(),
            d => format!("{d} days"),
        },
        Lang::De => match days {
            "365" => "ein Jahr".to_string(),
            d => format!("{d} Tage"),
        },
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct Params {
    since: Option<String>,
}

/// The period asked for (`?since=7d`), in ms, and as text.
fn period_of(params: Result<Query<Params>, QueryRejection>) -> Result<(i64, String), AppError> {
    let Query(p) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let text = p
        .since
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PERIOD.to_string());
    let ms = gaps::parse_period(&text).map_err(AppError::BadRequest)?;
    Ok((ms, gaps::format_period(ms)))
}

async fn report(state: &AppState, period: i64) -> Result<GapReport, AppError> {
    Ok(gaps::build_report(&state.store, &state.search, period, now_ms()).await?)
}

pub(crate) async fn api(
    State(state): State<AppState>,
    _agent: CurrentAgent,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<GapReport>, AppError> {
    let (period, _) = period_of(params)?;
    Ok(Json(report(&state, period).await?))
}

pub(crate) async fn draft(
    State(state): State<AppState>,
    _headers: HeaderMap,
    _session: AgentPage,
    Path(cluster): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    let result = async {
        let (period, text) = period_of(params)?;
        let report = report(&state, period).await?;
        let c = report.cluster(&cluster).ok_or_else(|| {
            AppError::NotFound(format!(
                "no cluster '{cluster}' in the gap report of the last {text}"
            ))
        })?;
        // Chatter and keyboard mashing need no article: no draft, as for an unknown cluster.
        if c.class != Class::Need {
            return Err(AppError::NotFound(format!(
                "cluster '{cluster}' is off-topic or gibberish, not a need: it has no draft"
            )));
        }
        let answers = gaps::conversation_answers(&state.store, c).await?;
        Ok::<_, AppError>((
            gaps::draft(c, &gaps::date_of(now_ms()), &answers),
            gaps::draft_file_name(c),
        ))
    }
    .await;
    match result {
        Ok((body, file)) => {
            let disposition = format!("attachment; filename=\"{file}\"");
            let mut res = body.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/markdown; charset=utf-8"),
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => e.into_response(),
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: AgentPage,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    let lang = crate::web::agents::layout::lang_of(&state, &headers);
    let (period, period_text) = match period_of(params) {
        Ok(p) => p,
        Err(e) => {
            // The server's message is in English: other pages say what a period looks like.
            let message = match lang {
                Lang::En => format!("{} ({e})", S::BadPeriod.in_lang(lang)),
                _ => S::BadPeriod.in_lang(lang).to_string(),
            };
            let main = html! {
                h1 { (S::Title.in_lang(lang)) }
                p role="alert" { (message) }
                p { a href="/agent/gaps" { (S::Title.in_lang(lang)) } }
            };
            return render(&state, &headers, &session, StatusCode::BAD_REQUEST, main);
        }
    };
    let report = match report(&state, period).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let main = report_markup(lang, &report, &period_text, &session.0.csrf);
    let mut res = render(&state, &headers, &session, StatusCode::OK, main);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn render(
    state: &AppState,
    headers: &HeaderMap,
    session: &AgentPage,
    status: StatusCode,
    main: Markup,
) -> Response {
    let lang = crate::web::agents::layout::lang_of(state, headers);
    let snap = state.search.snapshot();
    let site = Site::of(state, headers, &snap.catalog);
    let head = Head {
        title: S::Title.in_lang(lang).to_string(),
        description: S::Intro.in_lang(lang).to_string(),
        canonical: "/agent/gaps".to_string(),
        alternates: Vec::new(),
        noindex: true,
        header_search: false,
        without_chat: false,
    };
    let main = html! {
        (crate::web::agents::layout::agent_nav(lang, &session.0, "/agent/gaps"))
        (main)
    };
    respond(status, layout(state, &site, lang, head, "", main))
}

const CARD: &str =
    "border:1px solid #d0d7de;border-radius:8px;padding:0.75rem 1rem;margin:0 0 1rem";
const BADGE: &str = "display:inline-block;font-size:0.8rem;padding:0.05rem 0.45rem;border-radius:999px;border:1px solid currentColor;margin-left:0.4rem;vertical-align:middle";
const MUTED: &str = "color:#57606a;margin:0.25rem 0";

fn report_markup(lang: Lang, r: &GapReport, period: &str, csrf: &str) -> Markup {
    let needs = |c: &&Cluster| c.class == Class::Need;
    let open: Vec<&Cluster> = r
        .clusters
        .iter()
        .filter(needs)
        .filter(|c| c.covered.is_none())
        .collect();
    let covered: Vec<&Cluster> = r
        .clusters
        .iter()
        .filter(needs)
        .filter(|c| c.covered.is_some())
        .collect();
    let noise: Vec<&Cluster> = r
        .clusters
        .iter()
        .filter(|c| c.class != Class::Need)
        .collect();
    let first = r.days.first().map_or("", String::as_str);
    let last = r.days.last().map_or("", String::as_str);
    html! {
        h1 { (S::Title.in_lang(lang)) }
        p { (S::Intro.in_lang(lang)) }
        nav aria-label=(S::Period.in_lang(lang)) {
            p {
                (S::Period.in_lang(lang)) ": "
                @for p in PERIODS {
                    @if p == period {
                        strong aria-current="true" { (period_label(lang, p)) }
                    } @else {
                        a href=(format!("/agent/gaps?since={p}")) { (period_label(lang, p)) }
                    }
                    " "
                }
                " · " (first) " – " (last)
            }
        }
        p #gap-summary {
            strong { (r.questions) } " " (S::UnresolvedQuestions.in_lang(lang)) " · "
            strong { (open.len()) } " " (S::OpenClusters.in_lang(lang)) " · "
            strong { (covered.len()) } " " (S::CoveredClusters.in_lang(lang)) " · "
            strong { (r.search_count) } " " (S::SearchesWithout.in_lang(lang))
            @if r.answered_escalations > 0 {
                " · " strong { (r.answered_escalations) } " " (S::AnsweredEscalations.in_lang(lang))
            }
        }
        p {
            a href="#questions" { (S::Questions.in_lang(lang)) } " · "
            a href="#articles" { (S::Articles.in_lang(lang)) } " · "
            a href="#noise" { (S::Noise.in_lang(lang)) }
        }

        section #questions aria-labelledby="questions-h" {
            h2 #questions-h { (S::Questions.in_lang(lang)) }
            @if open.is_empty() {
                p { (S::NothingOpen.in_lang(lang)) }
            }
            ol.gaps style="padding-left:1.25rem" {
                @for c in open.iter().take(SHOWN_CLUSTERS) {
                    (cluster_card(lang, c, r, period, csrf))
                }
            }
            @if open.len() > SHOWN_CLUSTERS {
                p style=(MUTED) { (open.len() - SHOWN_CLUSTERS) " " (S::More.in_lang(lang)) }
            }
            @if !covered.is_empty() {
                h3 #covered { (S::CoveredNow.in_lang(lang)) }
                ul.covered style="padding-left:1.25rem" {
                    @for c in &covered { (covered_item(lang, c)) }
                }
            }
        }

        section #articles aria-labelledby="articles-h" {
            h2 #articles-h { (S::Articles.in_lang(lang)) }
            @if r.articles.is_empty() {
                p { (S::NoVotes.in_lang(lang)) }
            }
            ol style="padding-left:1.25rem" {
                @for a in &r.articles {
                    li.article-votes style=(CARD) {
                        a href=(a.url) { (a.title.as_deref().unwrap_or(&a.slug)) }
                        span style=(BADGE) { (crate::web::agents::layout::lang_label(lang, &a.lang)) }
                        p style=(MUTED) {
                            strong { (a.no) } " " (S::NoVotesWord.in_lang(lang)) " · "
                            (a.yes) " " (S::YesVotesWord.in_lang(lang))
                        }
                        @if !a.comments.is_empty() {
                            ul {
                                @for c in &a.comments {
                                    li { "«" (c.text) "» " span style=(MUTED) { (gaps::date_of(c.at)) } }
                                }
                            }
                        }
                    }
                }
            }
        }

        section #noise aria-labelledby="noise-h" {
            h2 #noise-h { (S::Noise.in_lang(lang)) }
            p style=(MUTED) { (S::NoiseIntro.in_lang(lang)) }
            @if noise.is_empty() {
                p { (S::NoNoise.in_lang(lang)) }
            }
            ul.noise style="padding-left:1.25rem" {
                @for c in noise.iter().take(SHOWN_CLUSTERS) {
                    li.noise-gap id=(c.id) data-cluster=(c.id) data-class=(class_code(c.class)) {
                        strong { (c.title) } " "
                        span style=(BADGE) { (class_name(lang, c.class)) }
                        " " (who(lang, c))
                        " — "
                        @for (i, e) in c.examples.iter().enumerate() {
                            @if i > 0 { ", " }
                            "«" (e) "»"
                        }
                        (gap_actions::buttons(lang, c, period, csrf))
                    }
                }
            }
        }
        (gap_actions::dismissed_list(lang, &r.dismissed, period, csrf))
    }
}

fn class_code(c: Class) -> &'static str {
    match c {
        Class::Need => "need",
        Class::OffTopic => "off_topic",
        Class::Gibberish => "gibberish",
    }
}

fn class_name(lang: Lang, c: Class) -> &'static str {
    match c {
        Class::Need => S::Need.in_lang(lang),
        Class::OffTopic => S::OffTopic.in_lang(lang),
        Class::Gibberish => S::Gibberish.in_lang(lang),
    }
}

/// «5 customers · 4 questions · 3 searches».
fn who(lang: Lang, c: &Cluster) -> Markup {
    html! {
        strong.customers { (c.customers) } " " (S::Customers.in_lang(lang))
        @if c.asked > 0 {
            " · " strong { (c.asked) } " " (S::QuestionsWord.in_lang(lang))
        }
        @if c.searched > 0 {
            " · " strong { (c.searched) } " " (S::SearchesWord.in_lang(lang))
        }
    }
}

fn cluster_card(lang: Lang, c: &Cluster, r: &GapReport, period: &str, csrf: &str) -> Markup {
    let (arrow, change) = match c.trend.change {
        "new" => ("★", S::New.in_lang(lang)),
        "up" => ("↑", S::Up.in_lang(lang)),
        "down" => ("↓", S::Down.in_lang(lang)),
        _ => ("→", S::Same.in_lang(lang)),
    };
    let draft_href = format!("/agent/gaps/{}/draft.md?since={}", c.id, url_encode(period));
    html! {
        li.gap id=(c.id) data-cluster=(c.id) style=(CARD) {
            h3 style="margin:0 0 0.25rem;font-size:1.1rem" {
                (c.title)
                span style=(BADGE) { (crate::web::agents::layout::lang_label(lang, c.lang.code())) }
            }
            p style=(MUTED) {
                (who(lang, c))
                " · " span title=(S::VsPrevious.in_lang(lang)) { (arrow) " " (change) " (" (c.trend.previous) " " (S::Before.in_lang(lang)) ")" }
                @for (reason, n) in &c.reasons {
                    " · " (reason_name(lang, reason)) ": " (n)
                }
            }
            (sparkline(lang, &c.trend.per_day, &r.days))
            ul.examples style="margin:0.4rem 0" {
                @for e in &c.examples { li { "«" (e) "»" } }
            }
            @if !c.shown.is_empty() {
                p style="margin:0.25rem 0" {
                    (S::Shown.in_lang(lang)) ": "
                    @for (i, a) in c.shown.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href=(a.url) { (a.title) } " ×" (a.count)
                    }
                }
            }
            @if !c.considered.is_empty() {
                p style=(MUTED) {
                    (S::Considered.in_lang(lang)) ": "
                    @for (i, a) in c.considered.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href=(a.url) { (a.title) } " ×" (a.count)
                    }
                }
            }
            p style="margin:0.4rem 0 0" {
                a.draft href=(draft_href) download=(gaps::draft_file_name(c)) { (S::Draft.in_lang(lang)) }
                " " span style=(MUTED) { code { "otvet gaps --since " (period) " --draft " (c.id) " > articles/" (gaps::draft_path(c)) } }
                (gap_actions::buttons(lang, c, period, csrf))
            }
        }
    }
}

fn covered_item(lang: Lang, c: &Cluster) -> Markup {
    html! {
        @if let Some(cov) = &c.covered {
            li.covered-gap id=(c.id) data-cluster=(c.id) {
                strong { (c.title) } " "
                span style=(BADGE) { (S::Covered.in_lang(lang)) }
                " — " (S::CoveredBy.in_lang(lang)) " " a href=(cov.url) { (cov.title) }
                " (" (cov.answered) "/" (cov.of) " " (S::Phrasings.in_lang(lang)) "; "
                (c.customers) " " (S::Customers.in_lang(lang)) ")"
            }
        }
    }
}

/// Count per day as small bars (an inline SVG; the numbers are in its label).
fn sparkline(lang: Lang, per_day: &[usize], days: &[String]) -> Markup {
    let max = per_day.iter().copied().max().unwrap_or(0).max(1) as f32;
    let bar = if per_day.len() > 60 { 2.0 } else { 6.0 };
    let gap = if per_day.len() > 60 { 0.5 } else { 2.0 };
    let width = per_day.len() as f32 * (bar + gap);
    let height = 28.0;
    let label = format!(
        "{}: {}",
        S::PerDay.in_lang(lang),
        per_day
            .iter()
            .zip(days)
            .filter(|(n, _)| **n > 0)
            .map(|(n, d)| format!("{d} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        svg.trend role="img" aria-label=(label) width=(width) height=(height)
            viewBox=(format!("0 0 {width} {height}")) style="display:block;margin:0.3rem 0" {
            title { (label) }
            line x1="0" y1=(height - 0.5) x2=(width) y2=(height - 0.5) style="stroke:#d0d7de;stroke-width:1" {}
            @for (i, n) in per_day.iter().enumerate() {
                @if *n > 0 {
                    @let h = (*n as f32 / max * (height - 2.0)).max(2.0);
                    rect x=(i as f32 * (bar + gap)) y=(height - 1.0 - h) width=(bar) height=(h)
                        style="fill:var(--brand-color)" {}
                }
            }
        }
    }
}

fn reason_name(lang: Lang, reason: &str) -> &'static str {
    match reason {
        "no_answer" => S::NoAnswer.in_lang(lang),
        "not_helpful" => S::NotHelpful.in_lang(lang),
        "escalated" => S::Escalated.in_lang(lang),
        _ => S::Other.in_lang(lang),
    }
}

crate::web::i18n::texts! {
    /// A text of the page.
    enum S {
        Title => ["Пробелы в статьях", "Gap report", "Lückenbericht"],
        Intro => [
            "Что спрашивали и искали клиенты и не нашли ответа — сгруппировано по сути вопроса, самое массовое сверху.",
            "What customers asked and searched for without finding an answer, grouped by need, the widest first.",
            "Was Kunden gefragt und gesucht haben, ohne eine Antwort zu finden, nach Anliegen gruppiert, das häufigste zuerst.",
        ],
        Period => ["Период", "Period", "Zeitraum"],
        BadPeriod => [
            "Период не прочитан: выберите один из периодов ниже.",
            "The period could not be read: pick one of the periods below.",
            "Der Zeitraum konnte nicht gelesen werden: wählen Sie unten einen Zeitraum.",
        ],
        UnresolvedQuestions => [
            "нерешённых вопросов",
            "unresolved questions",
            "ungelöste Fragen",
        ],
        OpenClusters => ["открытых тем", "open needs", "offene Anliegen"],
        CoveredClusters => [
            "уже покрыто статьями",
            "covered by an article now",
            "jetzt von einem Artikel abgedeckt",
        ],
        SearchesWithout => [
            "поисков без результата",
            "searches without a result",
            "Suchen ohne Ergebnis",
        ],
        Questions => [
            "Вопросы без ответа",
            "Unresolved questions",
            "Ungelöste Fragen",
        ],
        Noise => [
            "Не по теме и бессмыслица",
            "Off-topic and gibberish",
            "Themenfremdes und Unsinn",
        ],
        NoiseIntro => [
            "Приветствия, болтовня и набор случайных букв: статья тут не нужна.",
            "Greetings, chatter and keyboard mashing: no article needed.",
            "Grüße, Geplauder und Tastaturgewirr: kein Artikel nötig.",
        ],
        NoNoise => ["Ничего.", "None.", "Nichts."],
        Need => ["вопрос", "need", "Anliegen"],
        OffTopic => ["не по теме", "off-topic", "themenfremd"],
        Gibberish => ["бессмыслица", "gibberish", "Unsinn"],
        AnsweredEscalations => [
            "просьб позвать оператора после ответа (не считаются)",
            "requests for a person after an answer (not counted)",
            "Bitten um einen Menschen nach einer Antwort (nicht gezählt)",
        ],
        Articles => [
            "Статьи с ответами «Нет»",
            "Articles with the most \"No\" votes",
            "Artikel mit den meisten „Nein“-Stimmen",
        ],
        NothingOpen => [
            "За этот период нерешённых вопросов нет.",
            "Nothing unresolved in this period.",
            "In diesem Zeitraum ist nichts offen.",
        ],
        NoVotes => [
            "Ответов «Нет» за период не было.",
            "No \"No\" votes in this period.",
            "Keine „Nein“-Stimmen in diesem Zeitraum.",
        ],
        More => [
            "тем ниже не показаны (все — в otvet gaps --json)",
            "more not shown (all of them: otvet gaps --json)",
            "weitere nicht gezeigt (alle: otvet gaps --json)",
        ],
        CoveredNow => ["Уже покрыто статьями", "Covered now", "Jetzt abgedeckt"],
        Covered => ["покрыто", "covered", "abgedeckt"],
        CoveredBy => ["отвечает статья", "answered by", "beantwortet von"],
        Phrasings => ["формулировок", "phrasings", "Formulierungen"],
        Customers => ["клиентов", "customers", "Kunden"],
        QuestionsWord => ["вопросов", "questions", "Fragen"],
        SearchesWord => ["поисков", "searches", "Suchen"],
        VsPrevious => [
            "по сравнению с предыдущим периодом той же длины",
            "against the previous period of the same length",
            "gegenüber dem vorigen Zeitraum gleicher Länge",
        ],
        Before => ["до этого", "before", "davor"],
        New => ["новое", "new", "neu"],
        Up => ["растёт", "up", "steigend"],
        Down => ["снижается", "down", "fallend"],
        Same => ["без изменений", "same", "gleich"],
        Shown => [
            "Бот показывал (не помогло)",
            "The bot showed (did not help)",
            "Der Bot zeigte (half nicht)",
        ],
        Considered => [
            "Ближайшие статьи (ниже порога, не показаны)",
            "Nearest articles (below the threshold, not shown)",
            "Nächste Artikel (unter der Schwelle, nicht gezeigt)",
        ],
        Draft => [
            "Скачать черновик статьи",
            "Download an article draft",
            "Artikelentwurf herunterladen",
        ],
        PerDay => ["по дням", "per day", "pro Tag"],
        NoVotesWord => ["«Нет»", "\"No\"", "„Nein“"],
        YesVotesWord => ["«Да»", "\"Yes\"", "„Ja“"],
        NoAnswer => ["бот не нашёл ответа", "no answer", "keine Antwort"],
        NotHelpful => ["ответ не помог", "not helpful", "nicht hilfreich"],
        Escalated => ["позвали оператора", "asked for a person", "Mensch verlangt"],
        Other => ["другое", "other", "anderes"],
    }
}
