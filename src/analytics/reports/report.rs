//! [`Report`]: a period's figures per day, in total and per article, read from the store's rows
//! ([`Report::compute`]) and assembled in Rust ([`Report::assemble`]).

use std::collections::HashMap;

use super::figures::Figures;
use super::period::{Period, parse_day};
use crate::domain::{Answer, Clarify};
use crate::store::Store;
use crate::store::reports::{ReportBotMessage, ReportConversation, ReportViews, ReportVote};

/// One article's figures over the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleFigures {
    /// Language code.
    pub lang: String,
    /// Slug.
    pub slug: String,
    /// Views.
    pub views: u64,
    /// "Was this helpful?" Yes votes.
    pub yes: u64,
    /// "Was this helpful?" No votes.
    pub no: u64,
    /// Times the bot answered with it in the chat.
    pub chat_answers: u64,
    /// Of them, called helpful.
    pub chat_yes: u64,
    /// Of them, called unhelpful.
    pub chat_no: u64,
}

/// A whole report: per day, the total, and the articles.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// The figures of each day of the period, in order.
    pub days: Vec<Figures>,
    /// The figures of the whole period (medians over all its samples).
    pub total: Figures,
    /// Articles with views, votes or chat answers in the period: most viewed first, then most
    /// votes and answers.
    pub articles: Vec<ArticleFigures>,
}

/// The language and slug of an answer's article (its URL is `/{lang}/articles/{slug}#…`).
fn answer_article(a: &Answer) -> (String, String) {
    let path = a.url.split(['#', '?']).next().unwrap_or("");
    let lang = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_string();
    (lang, a.slug.clone())
}

impl Report {
    /// Reads the period's rows from the store and computes the report.
    pub async fn compute(store: &Store, period: &Period) -> anyhow::Result<Report> {
        let (from, to) = (period.start_ms(), period.end_ms());
        let conversations = store.report_conversations(from, to).await?;
        let bot = store.report_bot_messages(from, to).await?;
        let views = store
            .report_views(&period.from().to_string(), &period.to().to_string())
            .await?;
        let votes = store.report_votes(from, to).await?;
        let misses = store.report_search_misses(from, to).await?;
        Ok(Report::assemble(
            period,
            &conversations,
            &bot,
            &views,
            &votes,
            &misses,
        ))
    }

    /// Computes the report from the period's rows (rows outside the period are ignored).
    pub fn assemble(
        period: &Period,
        conversations: &[ReportConversation],
        bot: &[ReportBotMessage],
        views: &[ReportViews],
        votes: &[ReportVote],
        search_misses: &[i64],
    ) -> Report {
        let mut days = vec![Figures::default(); period.len()];
        let mut articles: HashMap<(String, String), ArticleFigures> = HashMap::new();
        for c in conversations {
            if let Some(i) = period.day_index(c.created_at) {
                days[i].add_conversation(c);
            }
        }
        for m in bot {
            let Some(i) = period.day_index(m.created_at) else {
                continue;
            };
            let d = &mut days[i];
            if m.event.as_deref() == Some("no_answer") {
                d.bot_no_answers += 1;
            }
            // A choice counts like "Did this help?": an option chosen is a yes for its article
            // (whose answer follows, without asking again), "none of these" a no.
            if let Some(clarify) = m
                .clarify
                .as_deref()
                .and_then(|c| serde_json::from_str::<Clarify>(c).ok())
            {
                match (m.feedback, m.choice.and_then(|i| usize::try_from(i).ok())) {
                    (Some(true), Some(i)) => {
                        d.chat_yes += 1;
                        if let Some(o) = clarify.options.get(i) {
                            entry(&mut articles, o.lang.code(), &o.slug).chat_yes += 1;
                        }
                    }
                    (Some(false), _) => d.chat_no += 1,
                    _ => {}
                }
                continue;
            }
            let Some(answer) = m
                .answer
                .as_deref()
                .and_then(|a| serde_json::from_str::<Answer>(a).ok())
            else {
                continue;
            };
            d.chat_answers += 1;
            d.chat_yes += u64::from(m.feedback == Some(true));
            d.chat_no += u64::from(m.feedback == Some(false));
            let (lang, slug) = answer_article(&answer);
            let a = entry(&mut articles, &lang, &slug);
            a.chat_answers += 1;
            a.chat_yes += u64::from(m.feedback == Some(true));
            a.chat_no += u64::from(m.feedback == Some(false));
        }
        for v in views {
            let Some(i) = parse_day(&v.day).ok().and_then(|d| period.index_of_date(d)) else {
                continue;
            };
            let n = v.views.max(0) as u64;
            days[i].views += n;
            entry(&mut articles, &v.lang, &v.slug).views += n;
        }
        for v in votes {
            let Some(i) = period.day_index(v.at) else {
                continue;
            };
            let a = entry(&mut articles, &v.lang, &v.slug);
            if v.helpful {
                days[i].votes_yes += 1;
                a.yes += 1;
            } else {
                days[i].votes_no += 1;
                a.no += 1;
            }
        }
        for &at in search_misses {
            if let Some(i) = period.day_index(at) {
                days[i].searches_without_results += 1;
            }
        }

        let mut total = Figures::default();
        for d in &mut days {
            d.sort();
            total.add(d);
        }
        total.sort();
        let mut articles: Vec<ArticleFigures> = articles.into_values().collect();
        articles.sort_by(|a, b| {
            b.views
                .cmp(&a.views)
                .then((b.yes + b.no + b.chat_answers).cmp(&(a.yes + a.no + a.chat_answers)))
                .then(a.lang.cmp(&b.lang))
                .then(a.slug.cmp(&b.slug))
        });
        Report {
            period: period.clone(),
            days,
            total,
            articles,
        }
    }
}

fn entry<'a>(
    articles: &'a mut HashMap<(String, String), ArticleFigures>,
    lang: &str,
    slug: &str,
) -> &'a mut ArticleFigures {
    articles
        .entry((lang.to_string(), slug.to_string()))
        .or_insert_with(|| ArticleFigures {
            lang: lang.to_string(),
            slug: slug.to_string(),
            ..Default::default()
        })
}
