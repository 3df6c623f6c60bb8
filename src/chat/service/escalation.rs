//! Handing a conversation to people: the handoff packet, the queue, the honest wait, and
//! whether anybody can answer now.

use crate::bot::{self, Shown, intent::Intent, replies};
use crate::chat::Chat;
use crate::chat::hub::Event;
use crate::chat::protocol::ErrorCode;
use crate::chat::protocol::{ErrorFrame, Message, Status};
use crate::domain::now_ms;
use crate::domain::{Author, ConversationStatus, EscalationReason, Notice};
use crate::store::chat::{Appended, ConversationRow, Patch, Val};
use serde_json::json;

use super::*;

/// Hands the conversation to people: the handoff packet, the queue, the honest wait.
pub async fn escalate(
    state: &Chat,
    c: &Customer,
    conv_id: i64,
    reason: EscalationReason,
) -> ChatResult<()> {
    let Some(conv) = state.store.conversation(conv_id).await.or_internal()? else {
        return Err(ErrorFrame::new(
            ErrorCode::NoConversation,
            "no such conversation",
        ));
    };
    if conv.status != ConversationStatus::Bot {
        // Already with people: just say where it stands.
        let status = status_of(state, &conv).await?;
        state.hub.publish(Event::Status {
            conversation_id: conv.id,
            status,
        });
        return Ok(());
    }
    // Only entering the queue counts: the customer's messages and feedback are already stored.
    if let Err(retry) = state.limits.escalations.take(&c.addr) {
        return Err(ErrorFrame::rate_limited(
            "too many requests for a person from this address; try again later",
            retry,
        ));
    }
    let source = queue_source(&state.visitor_secret, c.addr);
    hand_over(state, conv, reason, source, c.page_url.clone()).await
}

/// Puts a conversation with the bot into the queue (whatever asked: the widget, or a mail):
/// the handoff packet, the unresolved question for editors, the honest wait. `source` is the
/// fair queue's key of where it came from ([`queue_source`]); `page_url` the page the customer
/// was on when the conversation does not say.
pub async fn hand_over(
    state: &Chat,
    conv: ConversationRow,
    reason: EscalationReason,
    source: String,
    page_url: Option<String>,
) -> ChatResult<()> {
    let lang = lang_of(&conv);
    let now = now_ms();
    let messages = state
        .store
        .messages_after(conv.id, 0, false)
        .await
        .or_internal()?;
    // A request for a person after a question: the question was not resolved either.
    let reason = if reason == EscalationReason::HumanRequest
        && messages
            .iter()
            .rev()
            .find(|m| m.author == Author::Bot)
            .is_some_and(|m| m.event == Some(Notice::NoAnswer))
    {
        EscalationReason::NoAnswer
    } else {
        reason
    };
    let questions: Vec<&Message> = messages
        .iter()
        .filter(|m| {
            m.author == Author::Customer && bot::intent::classify(&m.text) == Intent::Question
        })
        .collect();
    if reason != EscalationReason::NotHelpful
        && let Some(q) = questions.last()
    {
        let shown: Vec<Shown> = messages
            .iter()
            .filter(|m| m.seq > q.seq)
            .filter_map(|m| m.answer.as_ref())
            .map(|a| Shown {
                slug: a.slug.clone(),
                title: a.title.clone(),
                url: a.url.clone(),
                confidence: a.confidence,
            })
            .collect();
        let why = if reason == EscalationReason::NoAnswer {
            "no_answer"
        } else {
            "escalated"
        };
        record_unresolved(state, &conv, q, why, &shown).await;
    }
    let customer = state.store.customer(conv.customer_id).await.or_internal()?;
    let handoff = json!({
        "reason": reason,
        "questions": questions.iter().map(|m| json!({"text": m.text, "at": m.at})).collect::<Vec<_>>(),
        "shown": messages.iter().filter_map(|m| m.answer.as_ref().map(|a| json!({
            "title": a.title, "url": a.url, "section": a.section, "confidence": a.confidence,
            "rejected": m.feedback == Some(false), "helpful": m.feedback == Some(true),
        }))).collect::<Vec<_>>(),
        "page": page_context(state, conv.page_url.as_deref().or(page_url.as_deref())),
        "page_url": conv.page_url.clone().or(page_url),
        "lang": conv.lang,
        "identity": customer.as_ref().map(|cu| json!({
            "name": cu.name, "email": cu.email, "verified": cu.verified,
        })),
    });
    let availability = availability(state, now).await;
    let position = state
        .store
        .queue_position_of_new(&source, now)
        .await
        .or_internal()?;
    let (text, event) = match &availability {
        Availability::Open { agents } => (
            replies::queued(
                lang,
                position,
                expected_wait(state, position, *agents).await?,
            ),
            Notice::Queued,
        ),
        Availability::Closed { back_at } => (
            replies::offline(
                lang,
                back_at
                    .and_then(|b| replies::when(lang, b, now, state.hours.load().timezone()))
                    .as_deref(),
                state.config.mail.is_some(),
            ),
            Notice::Offline,
        ),
    };
    let patch = Patch::default()
        .when_status(&[ConversationStatus::Bot])
        .status(ConversationStatus::Queued)
        .set("queued_at", Val::Int(now))
        .set("source", Val::Text(source))
        .set(
            "offline",
            Val::Bool(!matches!(availability, Availability::Open { .. })),
        )
        .set("handoff", Val::Text(handoff.to_string()))
        .set("escalation", Val::Text(reason.as_str().into()));
    let a = say(
        state,
        conv.id,
        Author::System,
        text,
        Some(event),
        None,
        &patch,
    )
    .await?;
    if matches!(a, Appended::New(_)) {
        if let Some(conv) = state.store.conversation(conv.id).await.or_internal()? {
            let status = status_of(state, &conv).await?;
            state.hub.publish(Event::Status {
                conversation_id: conv.id,
                status,
            });
        }
        queue_changed(state).await;
        auto_assign(state).await;
    }
    Ok(())
}

/// What the customer was reading when they asked, from the page's address: an article of this
/// help center (`{"article": {"title", "url"}}`) or its search (`{"search": "…"}`); `null`
/// for any other page.
pub fn page_context(state: &Chat, url: Option<&str>) -> serde_json::Value {
    let Some(url) = url else {
        return serde_json::Value::Null;
    };
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    let path = path.split('#').next().unwrap_or(path);
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let Some(lang) = parts
        .first()
        .and_then(|l| l.parse::<crate::domain::Lang>().ok())
    else {
        return serde_json::Value::Null;
    };
    match parts.as_slice() {
        [_, "articles", slug] => {
            let snap = state.search.snapshot();
            crate::domain::Slug::parse(slug)
                .ok()
                .and_then(|s| {
                    snap.catalog
                        .get(lang, &s)
                        .map(|a| (a.title.clone(), a.url(None)))
                })
                .map_or(
                    serde_json::Value::Null,
                    |(title, url)| json!({"article": {"title": title, "url": url}}),
                )
        }
        [_, "search"] => query
            .split('&')
            .find_map(|kv| kv.strip_prefix("q="))
            .map(percent_decode)
            .filter(|q| !q.trim().is_empty())
            .map_or(serde_json::Value::Null, |q| json!({"search": q.trim()})),
        _ => serde_json::Value::Null,
    }
}

/// A query-string value decoded (`+` is a space); bytes that are not UTF-8 become U+FFFD.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether somebody can answer now.
#[derive(Debug, Clone, PartialEq)]
pub enum Availability {
    /// Business hours and agents online (not away): how many.
    Open {
        /// Agents who can answer.
        agents: i64,
    },
    /// Outside business hours (`back_at` = when they start) or nobody online (`None`).
    Closed {
        /// When support is back, if known.
        back_at: Option<i64>,
    },
}

/// Whether somebody can answer at `now`.
pub async fn availability(state: &Chat, now: i64) -> Availability {
    let hours = state.hours.load();
    if !hours.is_open(now) {
        return Availability::Closed {
            back_at: hours.next_open(now),
        };
    }
    match answering_agents(state).await {
        0 => Availability::Closed { back_at: None },
        agents => Availability::Open { agents },
    }
}

/// Agents online and not away, on any node (0 when the database cannot say).
pub async fn answering_agents(state: &Chat) -> i64 {
    match state
        .store
        .online_agents(now_ms(), default_cap(state))
        .await
    {
        Ok(a) => a.iter().filter(|a| !a.away).count() as i64,
        Err(e) => {
            tracing::error!(error = ?e, "cannot read who is online");
            0
        }
    }
}

/// The expected wait of the `position`-th in the queue: the usual time to an agent's first
/// reply — the support dashboard's median over the conversations of the last 14 days
/// ([`crate::analytics::reports::median_first_reply`]) — times the rounds of the queue the
/// online agents need to reach it. `None` while there are fewer than 3 such replies to say.
pub async fn expected_wait(state: &Chat, position: i64, agents: i64) -> ChatResult<Option<i64>> {
    use crate::analytics::reports::{median_first_reply, usual_reply_since};
    let since = usual_reply_since(now_ms(), state.hours.load().timezone());
    let Some(median) = median_first_reply(&state.store, since)
        .await
        .or_internal()?
    else {
        return Ok(None);
    };
    let agents = agents.max(1);
    let rounds = (position.max(1) + agents - 1) / agents;
    Ok(Some((median * rounds + 999) / 1000))
}

/// Where a conversation stands, for its customer.
pub async fn status_of(state: &Chat, conv: &ConversationRow) -> ChatResult<Status> {
    let mut s = Status {
        status: conv.status,
        position: None,
        wait_secs: None,
        offline: false,
        back_at: None,
        agent: conv.agent_name.clone(),
    };
    if conv.status == ConversationStatus::Queued {
        let now = now_ms();
        s.position = state.store.queue_position(conv.id).await.or_internal()?;
        match availability(state, now).await {
            Availability::Open { agents } => {
                s.wait_secs = expected_wait(state, s.position.unwrap_or(1), agents).await?;
            }
            Availability::Closed { back_at } => {
                s.offline = true;
                s.back_at = back_at;
            }
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            percent_decode(
                "%D0%B2%D0%BE%D0%B7%D0%B2%D1%80%D0%B0%D1%82+%D0%B4%D0%B5%D0%BD%D0%B5%D0%B3"
            ),
            "возврат денег"
        );
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
