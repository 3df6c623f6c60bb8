//! What happens in a conversation, whichever socket asked: customer messages and the bot's
//! turn, "Did this help?", escalation to the queue, claims, agent replies, notes, transfers,
//! resolving and rating. Every change is stored first, then published on the [`Hub`].

use serde_json::json;

use super::Chat;
use super::hub::{AgentPresence, Event};
use super::protocol::{ErrorFrame, MAX_COMMENT_CHARS, Message, Status};
use crate::bot::{self, Shown, intent::Intent, replies};
use crate::domain::Lang;
use crate::domain::now_ms;
use crate::privacy::mask_pii;
use crate::store::chat::{Appended, ConversationRow, CustomerRow, NewMessage, Patch, Val};
use crate::store::cluster::OnlineAgent;

/// A result whose error is an error frame for the client.
pub type ChatResult<T> = Result<T, ErrorFrame>;

/// How long a resolved conversation is still shown when the customer comes back.
pub const KEEP_RESOLVED_MS: i64 = 24 * 3_600_000;

/// Logs an internal error and turns it into a frame that says nothing about it.
pub fn internal(e: anyhow::Error) -> ErrorFrame {
    tracing::error!(error = ?e, "chat operation failed");
    ErrorFrame::new("internal", "something went wrong on our side; please retry")
}

trait OrInternal<T> {
    fn or_internal(self) -> ChatResult<T>;
}

impl<T> OrInternal<T> for anyhow::Result<T> {
    fn or_internal(self) -> ChatResult<T> {
        self.map_err(internal)
    }
}

/// A connected customer.
#[derive(Debug, Clone)]
pub struct Customer {
    /// Their record.
    pub row: CustomerRow,
    /// The widget's language.
    pub lang: Lang,
    /// The page the widget is on.
    pub page_url: Option<String>,
    /// Their current conversation.
    pub conversation: Option<i64>,
    /// Their client address, as the per-address limits key it ([`crate::limits::address_key`]).
    pub addr: std::net::IpAddr,
}

/// A signed-in agent as the chat needs them.
#[derive(Debug, Clone)]
pub struct AgentRef {
    /// Account id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Cap of open conversations.
    pub max_chats: i64,
    /// Admins may act on any conversation.
    pub admin: bool,
}

fn lang_of(conv: &ConversationRow) -> Lang {
    conv.lang.parse().unwrap_or(Lang::Ru)
}

/// Checks a message text.
pub fn check_text(text: &str, client_id: Option<&str>) -> ChatResult<String> {
    let cid = client_id.map(str::to_string);
    if let Some(c) = client_id
        && (c.is_empty() || c.chars().count() > super::protocol::MAX_CLIENT_ID_CHARS)
    {
        return Err(
            ErrorFrame::new("too_long", "client_id must have 1 to 64 characters").about(cid),
        );
    }
    let t = text.trim();
    if t.chars().all(invisible) {
        return Err(ErrorFrame::new("too_long", "the message is empty").about(cid));
    }
    if t.chars().count() > super::protocol::MAX_TEXT_CHARS {
        return Err(
            ErrorFrame::new("too_long", "a message may have at most 4000 characters").about(cid),
        );
    }
    Ok(t.to_string())
}

/// Whitespace and the characters that show nothing (zero-width space, non-joiner and joiner,
/// word joiner, byte order mark, soft hyphen): a text of only these is an empty message.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
        )
}

/// Publishes a stored message (and nothing for a duplicate).
fn publish_new(state: &Chat, a: &Appended) {
    if let Appended::New(m) = a {
        crate::metrics::message_stored();
        state.hub.publish(Event::Message(m.clone()));
    }
}

/// The customer's open conversation, or a new one (which the customer then follows).
pub async fn open_conversation(state: &Chat, c: &mut Customer) -> ChatResult<ConversationRow> {
    if let Some(id) = c.conversation
        && let Some(conv) = state.store.conversation(id).await.or_internal()?
        && conv.status != "resolved"
    {
        return Ok(conv);
    }
    let conv = state
        .store
        .create_conversation(c.row.id, c.lang.code(), c.page_url.as_deref(), now_ms())
        .await
        .or_internal()?;
    c.conversation = Some(conv.id);
    Ok(conv)
}

/// Stores a bot or system message in a conversation and publishes it.
async fn say(
    state: &Chat,
    conv_id: i64,
    author: &'static str,
    text: String,
    event: Option<&'static str>,
    answer: Option<crate::domain::Answer>,
    patch: &Patch,
) -> ChatResult<Appended> {
    let m = NewMessage {
        author,
        text,
        event,
        answer,
        ..Default::default()
    };
    say_message(state, conv_id, &m, patch).await
}

/// Stores a message in a conversation and publishes it.
async fn say_message(
    state: &Chat,
    conv_id: i64,
    m: &NewMessage,
    patch: &Patch,
) -> ChatResult<Appended> {
    let a = state
        .store
        .append_message(conv_id, m, patch, now_ms())
        .await
        .or_internal()?;
    publish_new(state, &a);
    Ok(a)
}

/// A customer message: stored, acknowledged (the returned message), then the bot's turn.
/// Returns the stored message, whether it is new (a resend is not answered again), and the
/// conversation as it was just before.
pub async fn customer_send(
    state: &Chat,
    c: &mut Customer,
    client_id: String,
    text: &str,
) -> ChatResult<(Message, bool, ConversationRow)> {
    let text = check_text(text, Some(&client_id))?;
    let mut conv = open_conversation(state, c).await?;
    let m = NewMessage {
        client_id: Some(client_id.clone()),
        author: "customer",
        text: text.clone(),
        ..Default::default()
    };
    let open = Patch::default().when_status(&["bot", "queued", "assigned"]);
    let mut appended = state
        .store
        .append_message(conv.id, &m, &open, now_ms())
        .await
        .or_internal()?;
    if matches!(appended, Appended::Refused) {
        // Resolved a moment ago: this message starts the next conversation.
        c.conversation = None;
        conv = open_conversation(state, c).await?;
        appended = state
            .store
            .append_message(conv.id, &m, &open, now_ms())
            .await
            .or_internal()?;
    }
    publish_new(state, &appended);
    match appended {
        Appended::New(msg) => {
            // A waiting conversation's preview matters to whoever picks next; the consoles
            // that follow an assigned one update its preview from the message itself.
            if conv.status == "queued" {
                queue_changed(state).await;
            }
            Ok((msg, true, conv))
        }
        Appended::Duplicate(msg) => Ok((msg, false, conv)),
        Appended::Refused => Err(internal(anyhow::anyhow!(
            "a new conversation refused a message"
        ))),
    }
}

/// The bot's turn after a new customer message in a conversation that is with the bot
/// (`conv` as it was when the message came; the bot's reply is stored only if the
/// conversation is still with the bot then).
pub async fn bot_turn(
    state: &Chat,
    c: &Customer,
    conv: &ConversationRow,
    question: &Message,
) -> ChatResult<()> {
    if conv.status != "bot" {
        return Ok(());
    }
    let lang = lang_of(conv);
    let only_bot = Patch::default().when_status(&["bot"]);
    match bot::intent::classify(&question.text) {
        Intent::Greeting => {
            say(
                state,
                conv.id,
                "bot",
                replies::greeting(lang).into(),
                None,
                None,
                &only_bot,
            )
            .await?;
        }
        Intent::Thanks => {
            say(
                state,
                conv.id,
                "bot",
                replies::thanks(lang).into(),
                None,
                None,
                &only_bot,
            )
            .await?;
        }
        Intent::Human => escalate(state, c, conv.id, "human_request").await?,
        Intent::Question => {
            let search = state.search.clone();
            let text = question.text.clone();
            let context = follow_up_context(state, question).await;
            // Search is CPU work (a millisecond lexically, tens with the encoder): keep it
            // off the socket threads.
            let reply =
                tokio::task::spawn_blocking(move || bot::answer(&search, &text, &context, lang))
                    .await
                    .map_err(|e| internal(e.into()))?;
            match reply {
                bot::Reply::Human => escalate(state, c, conv.id, "human_request").await?,
                bot::Reply::Answer { text, answer, .. } => {
                    say(state, conv.id, "bot", text, None, Some(answer), &only_bot).await?;
                }
                bot::Reply::Clarify { text, clarify, .. } => {
                    let m = NewMessage {
                        author: "bot",
                        text,
                        clarify: Some(clarify),
                        ..Default::default()
                    };
                    say_message(state, conv.id, &m, &only_bot).await?;
                }
                bot::Reply::NoAnswer { considered } => {
                    record_unresolved(state, conv, question, "no_answer", &considered).await;
                    say(
                        state,
                        conv.id,
                        "bot",
                        replies::no_answer(lang).into(),
                        Some("no_answer"),
                        None,
                        &only_bot,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// The customer's messages before `question` in its conversation (a few, oldest first), when
/// `question` is short enough to be a follow-up of one of them.
async fn follow_up_context(state: &Chat, question: &Message) -> Vec<String> {
    if question.text.split_whitespace().count() > bot::MAX_FOLLOW_UP_WORDS {
        return Vec::new();
    }
    match state
        .store
        .messages_after(question.conversation_id, (question.seq - 8).max(0), false)
        .await
    {
        Ok(ms) => ms
            .into_iter()
            .filter(|m| m.author == "customer" && m.seq < question.seq)
            .map(|m| m.text)
            .collect(),
        Err(e) => {
            // The question is still answered, alone.
            tracing::warn!(error = ?e, "cannot read the conversation for a follow-up");
            Vec::new()
        }
    }
}

async fn record_unresolved(
    state: &Chat,
    conv: &ConversationRow,
    question: &Message,
    reason: &str,
    shown: &[Shown],
) {
    let shown = serde_json::to_string(shown).unwrap_or_else(|_| "[]".into());
    let text = mask_pii(&question.text);
    if let Err(e) = state
        .store
        .record_unresolved(conv, question.seq, &text, reason, &shown, now_ms())
        .await
    {
        // The conversation goes on; the report misses one line.
        tracing::error!(error = ?e, "cannot record an unresolved question");
    }
}

/// "Did this help?" on the answer `seq`.
pub async fn feedback(state: &Chat, c: &Customer, seq: i64, helpful: bool) -> ChatResult<()> {
    let conv_id = c.conversation.ok_or_else(|| {
        ErrorFrame::new(
            "no_conversation",
            "there is no conversation to give feedback in",
        )
    })?;
    let Some(m) = state
        .store
        .set_answer_feedback(conv_id, seq, helpful)
        .await
        .or_internal()?
    else {
        return Err(ErrorFrame::new(
            "bad_state",
            "that message is not an answer waiting for feedback",
        ));
    };
    state.hub.publish(Event::Updated(m.clone()));
    let Some(conv) = state.store.conversation(conv_id).await.or_internal()? else {
        return Ok(());
    };
    let lang = lang_of(&conv);
    if helpful {
        if conv.status == "bot" {
            let p = Patch::default().when_status(&["bot"]);
            say(
                state,
                conv_id,
                "bot",
                replies::glad(lang).into(),
                None,
                None,
                &p,
            )
            .await?;
        }
        return Ok(());
    }
    // The question this answer was for: the last customer message before it.
    if let Some(q) = question_before(state, conv_id, seq).await?
        && let Some(a) = &m.answer
    {
        let mut shown = vec![Shown {
            slug: a.slug.clone(),
            title: a.title.clone(),
            url: a.url.clone(),
            confidence: a.confidence,
        }];
        shown.extend(a.alternatives.iter().map(|l| Shown {
            slug: slug_of(&l.url),
            title: l.title.clone(),
            url: l.url.clone(),
            confidence: 0.0,
        }));
        record_unresolved(state, &conv, &q, "not_helpful", &shown).await;
    }
    escalate(state, c, conv_id, "not_helpful").await
}

/// A choice on the «Вы об этом?» message `seq`: the chosen section is answered (the choice
/// is its "it helped"); "none of these" (`None`) counts as "it did not help": the question is
/// logged for editors and the conversation goes to a person.
pub async fn choose(state: &Chat, c: &Customer, seq: i64, option: Option<usize>) -> ChatResult<()> {
    let conv_id = c.conversation.ok_or_else(|| {
        ErrorFrame::new("no_conversation", "there is no conversation to choose in")
    })?;
    let Some(conv) = state.store.conversation(conv_id).await.or_internal()? else {
        return Err(no_conversation(conv_id));
    };
    // Check the option before recording anything: a bad frame loses nothing.
    let Some(offered) = state
        .store
        .messages_after(conv_id, seq - 1, false)
        .await
        .or_internal()?
        .into_iter()
        .find(|m| m.seq == seq)
        .and_then(|m| m.clarify)
    else {
        return Err(ErrorFrame::new(
            "bad_state",
            "that message is not a choice waiting for an answer",
        ));
    };
    if let Some(i) = option
        && i >= offered.options.len()
    {
        return Err(ErrorFrame::new(
            "bad_frame",
            format!(
                "option {i} is not one of the {} offered",
                offered.options.len()
            ),
        ));
    }
    let Some(m) = state
        .store
        .set_choice(conv_id, seq, option)
        .await
        .or_internal()?
    else {
        return Err(ErrorFrame::new(
            "bad_state",
            "that message is not a choice waiting for an answer",
        ));
    };
    state.hub.publish(Event::Updated(m.clone()));
    let lang = lang_of(&conv);
    match option.and_then(|i| offered.options.get(i).cloned()) {
        Some(chosen) => {
            if conv.status != "bot" {
                return Ok(());
            }
            let search = state.search.clone();
            let reply = tokio::task::spawn_blocking(move || {
                bot::answer_from(&search, &chosen, lang, false)
            })
            .await
            .map_err(|e| internal(e.into()))?;
            let only_bot = Patch::default().when_status(&["bot"]);
            match reply {
                Some((text, answer)) => {
                    say(state, conv_id, "bot", text, None, Some(answer), &only_bot).await?;
                }
                // The article went away since it was offered.
                None => {
                    say(
                        state,
                        conv_id,
                        "bot",
                        replies::no_answer(lang).into(),
                        Some("no_answer"),
                        None,
                        &only_bot,
                    )
                    .await?;
                }
            }
            Ok(())
        }
        None => {
            if let Some(q) = question_before(state, conv_id, seq).await? {
                let shown: Vec<Shown> = offered.options.iter().map(Shown::from).collect();
                record_unresolved(state, &conv, &q, "not_helpful", &shown).await;
            }
            escalate(state, c, conv_id, "not_helpful").await
        }
    }
}

/// The customer's last message before `seq`: the question a bot message answered.
async fn question_before(state: &Chat, conv_id: i64, seq: i64) -> ChatResult<Option<Message>> {
    let earlier = state
        .store
        .messages_after(conv_id, 0, false)
        .await
        .or_internal()?;
    Ok(earlier
        .into_iter()
        .rev()
        .find(|x| x.seq < seq && x.author == "customer"))
}

fn slug_of(url: &str) -> String {
    let path = url.split('#').next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// Hands the conversation to people: the handoff packet, the queue, the honest wait.
pub async fn escalate(
    state: &Chat,
    c: &Customer,
    conv_id: i64,
    reason: &'static str,
) -> ChatResult<()> {
    let Some(conv) = state.store.conversation(conv_id).await.or_internal()? else {
        return Err(ErrorFrame::new("no_conversation", "no such conversation"));
    };
    if conv.status != "bot" {
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
    let lang = lang_of(&conv);
    let now = now_ms();
    let messages = state
        .store
        .messages_after(conv.id, 0, false)
        .await
        .or_internal()?;
    // A request for a person after a question: the question was not resolved either.
    let reason = if reason == "human_request"
        && messages
            .iter()
            .rev()
            .find(|m| m.author == "bot")
            .is_some_and(|m| m.event.as_deref() == Some("no_answer"))
    {
        "no_answer"
    } else {
        reason
    };
    let questions: Vec<&Message> = messages
        .iter()
        .filter(|m| m.author == "customer" && bot::intent::classify(&m.text) == Intent::Question)
        .collect();
    if reason != "not_helpful"
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
        let why = if reason == "no_answer" {
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
        "page_url": conv.page_url.clone().or_else(|| c.page_url.clone()),
        "lang": conv.lang,
        "identity": customer.as_ref().map(|cu| json!({
            "name": cu.name, "email": cu.email, "verified": cu.verified,
        })),
    });
    let availability = availability(state, now).await;
    let source = queue_source(&state.visitor_secret, c.addr);
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
            "queued",
        ),
        Availability::Closed { back_at } => (
            replies::offline(
                lang,
                back_at
                    .and_then(|b| replies::when(lang, b, now, state.hours.load().timezone()))
                    .as_deref(),
            ),
            "offline",
        ),
    };
    let patch = Patch::default()
        .when_status(&["bot"])
        .set("status", Val::Text("queued".into()))
        .set("queued_at", Val::Int(now))
        .set("source", Val::Text(source))
        .set(
            "offline",
            Val::Bool(!matches!(availability, Availability::Open { .. })),
        )
        .set("handoff", Val::Text(handoff.to_string()))
        .set("escalation", Val::Text(reason.into()));
    let a = say(state, conv.id, "system", text, Some(event), None, &patch).await?;
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
        status: conv.status.clone(),
        position: None,
        wait_secs: None,
        offline: false,
        back_at: None,
        agent: conv.agent_name.clone(),
    };
    if conv.status == "queued" {
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

/// The queue or presence changed: every console, on every node, gets the fresh ones soon.
pub async fn queue_changed(state: &Chat) {
    state.hub.queue_changed();
}

/// Reads the queue and the team and publishes them to this node's consoles.
pub async fn send_queue_to_consoles(state: &Chat) {
    match queue_frames(state).await {
        Ok((queue, agents)) => {
            state.hub.publish_local(Event::Queue(queue.into()));
            state.hub.publish_local(Event::Agents(agents.into()));
        }
        Err(e) => tracing::error!(error = ?e, "cannot read the queue"),
    }
}

/// Waiting conversations a console is sent at most: the first ones in the queue's order. The
/// `queue` frame says how many wait in all; the rest come up as the first are taken.
pub const QUEUE_SHOWN: i64 = 200;

/// The `queue` and `agents` frames, serialized (once per refresh rather than by each console:
/// with many open conversations the queue frame is the biggest thing consoles get).
pub async fn queue_frames(state: &Chat) -> anyhow::Result<(String, String)> {
    let (items, waiting, team) = tokio::try_join!(
        state.store.queue(QUEUE_SHOWN),
        state.store.waiting_count(),
        team(state)
    )?;
    let queue = json!({"type": "queue", "items": items, "waiting": waiting}).to_string();
    let agents = json!({"type": "agents", "agents": team}).to_string();
    Ok((queue, agents))
}

/// The queue source of a client address group: a keyed hash of it (the installation's
/// secret), so the stored value says nothing about the address (see `0009_queue_source`).
pub fn queue_source(secret: &str, addr: std::net::IpAddr) -> String {
    let mut id = crate::domain::token::visitor_id(secret, &addr.to_string(), "queue");
    id.truncate(16);
    id
}

/// The server's default cap of open conversations per agent.
pub fn default_cap(state: &Chat) -> i64 {
    i64::from(state.config.max_chats).max(1)
}

/// The agents online on any node, with their open conversations.
pub async fn team(state: &Chat) -> anyhow::Result<Vec<AgentPresence>> {
    let online = state
        .store
        .online_agents(now_ms(), default_cap(state))
        .await?;
    let open = state.store.open_counts().await?;
    Ok(online
        .into_iter()
        .map(|a| AgentPresence {
            open: open.get(&a.id).copied().unwrap_or(0),
            status: if a.away { "away" } else { "online" },
            id: a.id,
            name: a.name,
            max_chats: a.max_chats,
        })
        .collect())
}

/// Round-robin order: agents after `last` (the last one assigned) first, by id.
pub fn round_robin(mut candidates: Vec<OnlineAgent>, last: Option<i64>) -> Vec<OnlineAgent> {
    candidates.sort_by_key(|c| c.id);
    if let Some(last) = last {
        let split = candidates.partition_point(|c| c.id <= last);
        candidates.rotate_left(split);
    }
    candidates
}

/// Asks for waiting conversations to be handed to online agents: this node's assigner
/// ([`crate::chat::bus`]) runs [`assign_now`] soon, once for a burst of requests.
pub async fn auto_assign(state: &Chat) {
    state.hub.want_assignment();
}

/// Hands waiting conversations to online agents under their cap, round-robin. One node at a
/// time assigns (a lock in the database), so the order holds across nodes; caps and "one agent
/// per conversation" hold anyway, by the conditional updates of [`claim`].
pub async fn assign_now(state: &Chat) {
    // Outside business hours customers were told when support is back; agents who happen to
    // be online may still claim conversations themselves.
    if !state.config.auto_assign || !state.hours.load().is_open(now_ms()) {
        return;
    }
    let _this_node = state.hub.assignment_lock().await;
    let all_nodes = match state.store.assignment_lock().await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = ?e, "cannot take the assignment lock");
            return;
        }
    };
    assign_waiting(state).await;
    all_nodes.release().await;
}

async fn assign_waiting(state: &Chat) {
    let (waiting, mut last, online, mut open) = match (
        state.store.waiting().await,
        state.store.last_assigned().await,
        state
            .store
            .online_agents(now_ms(), default_cap(state))
            .await,
        state.store.open_counts().await,
    ) {
        (Ok(w), Ok(l), Ok(a), Ok(o)) => (w, l, a, o),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
            tracing::error!(error = ?e, "cannot read the queue or who is online");
            return;
        }
    };
    let online: Vec<OnlineAgent> = online.into_iter().filter(|a| !a.away).collect();
    for conv_id in waiting {
        // Counts kept here as claims succeed; a claim checks the cap in the database anyway
        // (an agent who claimed by hand meanwhile is refused, and skipped from then on).
        let Some(pick) = round_robin(online.clone(), last)
            .into_iter()
            .find(|a| open.get(&a.id).copied().unwrap_or(0) < a.max_chats)
        else {
            return;
        };
        let agent = AgentRef {
            id: pick.id,
            name: pick.name,
            max_chats: pick.max_chats,
            admin: false,
        };
        match claim(state, &agent, conv_id).await {
            Ok(()) => {
                last = Some(agent.id);
                *open.entry(agent.id).or_default() += 1;
                if let Err(e) = state.store.set_last_assigned(agent.id).await {
                    tracing::warn!(error = ?e, "cannot store the round-robin position");
                }
            }
            Err(e) if e.code == "over_capacity" => {
                open.insert(agent.id, agent.max_chats);
            }
            Err(e) => tracing::debug!(code = e.code, conv_id, "auto-assignment skipped"),
        }
    }
}

/// An agent takes a waiting conversation (or one still with the bot).
pub async fn claim(state: &Chat, agent: &AgentRef, conv_id: i64) -> ChatResult<()> {
    let conv = conversation(state, conv_id).await?;
    let lang = lang_of(&conv);
    let now = now_ms();
    let patch = Patch::default()
        .when_status(&["bot", "queued"])
        .when_below_cap(agent.id, agent.max_chats)
        .set("status", Val::Text("assigned".into()))
        .set("agent_id", Val::Int(agent.id))
        .set("agent_name", Val::Text(agent.name.clone()))
        .set("assigned_at", Val::Int(now))
        .set("offline", Val::Bool(false));
    let a = say(
        state,
        conv_id,
        "system",
        replies::joined(lang, &agent.name),
        Some("joined"),
        None,
        &patch,
    )
    .await?;
    if !matches!(a, Appended::New(_)) {
        let now = state.store.conversation(conv_id).await.or_internal()?;
        return Err(match now {
            Some(c) if c.status == "assigned" || c.status == "resolved" => ErrorFrame::new(
                "already_taken",
                "another agent took this conversation first",
            ),
            _ => ErrorFrame::new(
                "over_capacity",
                format!("you already have {} open conversations", agent.max_chats),
            ),
        }
        .with_conversation(conv_id));
    }
    assigned(state, conv_id, agent.id, &agent.name).await
}

async fn assigned(state: &Chat, conv_id: i64, agent_id: i64, name: &str) -> ChatResult<()> {
    state.hub.publish(Event::Assigned {
        conversation_id: conv_id,
        agent_id,
        agent_name: name.to_string(),
    });
    if let Some(conv) = state.store.conversation(conv_id).await.or_internal()? {
        let status = status_of(state, &conv).await?;
        state.hub.publish(Event::Status {
            conversation_id: conv_id,
            status,
        });
    }
    queue_changed(state).await;
    Ok(())
}

/// The conversation, or a `no_conversation` error frame.
async fn conversation(state: &Chat, conv_id: i64) -> ChatResult<ConversationRow> {
    state
        .store
        .conversation(conv_id)
        .await
        .or_internal()?
        .ok_or_else(|| no_conversation(conv_id))
}

/// Stores a system message together with `patch`; `bad_state` with `refused` when the patch's
/// conditions did not hold.
async fn system_change(
    state: &Chat,
    conv_id: i64,
    text: String,
    event: &'static str,
    patch: &Patch,
    refused: &str,
) -> ChatResult<()> {
    let a = say(state, conv_id, "system", text, Some(event), None, patch).await?;
    if matches!(a, Appended::New(_)) {
        Ok(())
    } else {
        Err(ErrorFrame::new("bad_state", refused).with_conversation(conv_id))
    }
}

fn no_conversation(conv_id: i64) -> ErrorFrame {
    ErrorFrame::new("no_conversation", "no such conversation").with_conversation(conv_id)
}

impl ErrorFrame {
    /// The same, about this conversation.
    pub fn with_conversation(mut self, id: i64) -> Self {
        self.conversation_id = Some(id);
        self
    }
}

/// An agent's message (or private note) to a conversation.
pub async fn agent_send(
    state: &Chat,
    agent: &AgentRef,
    conv_id: i64,
    client_id: String,
    text: &str,
    private: bool,
) -> ChatResult<(Message, bool)> {
    let text = check_text(text, Some(&client_id)).map_err(|e| e.with_conversation(conv_id))?;
    let conv = conversation(state, conv_id).await?;
    let m = NewMessage {
        client_id: Some(client_id.clone()),
        author: "agent",
        agent_id: Some(agent.id),
        author_name: Some(agent.name.clone()),
        private,
        text,
        ..Default::default()
    };
    let patch = if private {
        Patch::default()
    } else {
        if conv.status == "bot" || conv.status == "queued" {
            match claim(state, agent, conv_id).await {
                Ok(()) => {}
                // A resend after the claim went through.
                Err(e) if e.code == "already_taken" => {}
                Err(e) => return Err(e),
            }
        }
        let p = Patch::default()
            .when_status(&["assigned"])
            .first_reply(now_ms());
        if agent.admin {
            p
        } else {
            p.when_agent(agent.id)
        }
    };
    let a = state
        .store
        .append_message(conv_id, &m, &patch, now_ms())
        .await
        .or_internal()?;
    publish_new(state, &a);
    match a {
        Appended::New(m) => Ok((m, true)),
        Appended::Duplicate(m) => Ok((m, false)),
        Appended::Refused => Err(ErrorFrame::new(
            "bad_state",
            "this conversation is not yours or is closed",
        )
        .about(Some(client_id))
        .with_conversation(conv_id)),
    }
}

/// Hands a conversation to another online agent.
pub async fn transfer(state: &Chat, agent: &AgentRef, conv_id: i64, to: i64) -> ChatResult<()> {
    let online = state
        .store
        .online_agents(now_ms(), default_cap(state))
        .await
        .or_internal()?;
    let Some(OnlineAgent {
        name: to_name,
        max_chats: to_cap,
        ..
    }) = online.into_iter().find(|a| a.id == to && !a.away)
    else {
        return Err(
            ErrorFrame::new("bad_state", "that agent is not online (or away)")
                .with_conversation(conv_id),
        );
    };
    let conv = conversation(state, conv_id).await?;
    let mut patch = Patch::default()
        .when_status(&["assigned"])
        .when_below_cap(to, to_cap)
        .set("agent_id", Val::Int(to))
        .set("agent_name", Val::Text(to_name.clone()));
    if !agent.admin {
        patch = patch.when_agent(agent.id);
    }
    system_change(
        state,
        conv_id,
        replies::transferred(lang_of(&conv), &to_name),
        "transferred",
        &patch,
        "cannot transfer: the conversation is not yours, or the other agent is at their cap",
    )
    .await?;
    assigned(state, conv_id, to, &to_name).await
}

/// Closes a conversation; the customer is asked to rate it.
pub async fn resolve(state: &Chat, agent: &AgentRef, conv_id: i64) -> ChatResult<()> {
    let conv = conversation(state, conv_id).await?;
    let mut patch = Patch::default()
        .set("status", Val::Text("resolved".into()))
        .set("resolved_at", Val::Int(now_ms()));
    if conv.status == "assigned" && !agent.admin {
        patch = patch.when_status(&["assigned"]).when_agent(agent.id);
    } else {
        patch = patch.when_status(&["bot", "queued", "assigned"]);
    }
    system_change(
        state,
        conv_id,
        replies::resolved(lang_of(&conv)).into(),
        "resolved",
        &patch,
        "this conversation is closed already or with another agent",
    )
    .await?;
    state.hub.publish(Event::Resolved {
        conversation_id: conv_id,
    });
    if let Some(conv) = state.store.conversation(conv_id).await.or_internal()? {
        let status = status_of(state, &conv).await?;
        state.hub.publish(Event::Status {
            conversation_id: conv_id,
            status,
        });
    }
    queue_changed(state).await;
    auto_assign(state).await;
    Ok(())
}

/// The customer rates their resolved conversation (again: replaces).
pub async fn rate(
    state: &Chat,
    c: &Customer,
    score: i64,
    comment: Option<String>,
) -> ChatResult<()> {
    if !(1..=5).contains(&score) {
        return Err(ErrorFrame::new("bad_frame", "score must be 1 to 5"));
    }
    let comment = comment
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if comment
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_COMMENT_CHARS)
    {
        return Err(ErrorFrame::new(
            "too_long",
            "a comment may have at most 1000 characters",
        ));
    }
    let conv_id = c
        .conversation
        .ok_or_else(|| ErrorFrame::new("bad_state", "there is no conversation to rate"))?;
    let patch = Patch::default()
        .when_status(&["resolved"])
        .set("rating", Val::Int(score))
        .set(
            "rating_comment",
            comment.clone().map(Val::Text).unwrap_or(Val::NullText),
        )
        .set("rated_at", Val::Int(now_ms()));
    if !state
        .store
        .update_conversation(conv_id, &patch)
        .await
        .or_internal()?
    {
        return Err(ErrorFrame::new(
            "bad_state",
            "a conversation can be rated once it is resolved",
        ));
    }
    state.hub.publish(Event::Rating {
        conversation_id: conv_id,
        score,
        comment,
    });
    Ok(())
}

/// The customer leaves an email for an answer.
pub async fn contact(
    state: &Chat,
    c: &mut Customer,
    client_id: Option<String>,
    email: &str,
    name: Option<String>,
) -> ChatResult<()> {
    let email = email.trim().to_lowercase();
    if !plausible_email(&email) {
        return Err(
            ErrorFrame::new("bad_frame", "that does not look like an email address")
                .about(client_id),
        );
    }
    let conv_id = c.conversation.ok_or_else(|| {
        ErrorFrame::new("bad_state", "there is no conversation to answer by email")
    })?;
    let name = name
        .map(|n| n.trim().chars().take(100).collect::<String>())
        .filter(|n| !n.is_empty());
    if !c.row.verified {
        c.row = state
            .store
            .set_customer_identity(c.row.id, name.as_deref(), Some(&email), false)
            .await
            .or_internal()?;
    }
    let conv = conversation(state, conv_id).await?;
    let patch = Patch::default().set("contact_email", Val::Text(email.clone()));
    let m = NewMessage {
        client_id,
        author: "system",
        text: replies::contact_saved(lang_of(&conv), &email),
        event: Some("contact"),
        ..Default::default()
    };
    let a = state
        .store
        .append_message(conv_id, &m, &patch, now_ms())
        .await
        .or_internal()?;
    publish_new(state, &a);
    queue_changed(state).await;
    Ok(())
}

/// Whether `s` looks like an email address.
pub fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|ch| ch.is_whitespace() || ch == '<' || ch == '>')
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_starts_after_the_last() {
        let c = |ids: &[i64]| {
            ids.iter()
                .map(|i| OnlineAgent {
                    id: *i,
                    name: String::new(),
                    max_chats: 5,
                    away: false,
                })
                .collect::<Vec<_>>()
        };
        let order = |v: Vec<OnlineAgent>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
        assert_eq!(order(round_robin(c(&[3, 1, 2]), None)), [1, 2, 3]);
        assert_eq!(order(round_robin(c(&[3, 1, 2]), Some(2))), [3, 1, 2]);
        assert_eq!(order(round_robin(c(&[3, 1, 2]), Some(3))), [1, 2, 3]);
        // The last one went offline: the next after them still comes first.
        assert_eq!(order(round_robin(c(&[1, 3]), Some(2))), [3, 1]);
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(plausible_email("anna@example.com"));
        assert!(!plausible_email("anna@example"));
        assert!(!plausible_email("anna example@x.com"));
    }

    #[test]
    fn invisible_texts_are_empty() {
        for t in [
            "",
            " \n\t",
            "\u{200B}",
            " \u{200C}\u{200D} \u{2060}",
            "\u{FEFF}\u{00AD}\u{3000}",
        ] {
            assert_eq!(check_text(t, None).unwrap_err().code, "too_long", "{t:?}");
        }
        assert_eq!(
            check_text(" \u{200B}да\u{200B} ", None).unwrap(),
            "\u{200B}да\u{200B}"
        );
    }
}
