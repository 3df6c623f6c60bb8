//! What a customer would be told before writing: whether a person can answer now, and how fast
//! support usually replies (served as `GET /api/chat/info`, see `web::chat::info`).

use serde::Serialize;

use super::Chat;
use super::service::{Availability, availability};
use crate::analytics::reports::{median_first_reply, usual_reply_since};

/// The answer of `GET /api/chat/info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatInfo {
    /// A person can answer now: business hours and at least one agent online (not away).
    pub online: bool,
    /// It is business hours now (whether or not an agent is online).
    pub open_now: bool,
    /// Outside business hours, when they start again (Unix ms); otherwise null.
    pub back_at: Option<i64>,
    /// The usual time to an agent's first reply in seconds (rounded up): the median of the
    /// conversations started in the last 14 days, the dashboard's figure. Null with fewer than
    /// three replies.
    pub usual_reply_secs: Option<i64>,
}

/// What a customer would be told now.
pub async fn chat_info(state: &Chat, now: i64) -> anyhow::Result<ChatInfo> {
    let hours = state.hours.load();
    let open_now = hours.is_open(now);
    let since = usual_reply_since(now, hours.timezone());
    let usual = median_first_reply(&state.store, since).await?;
    Ok(ChatInfo {
        online: matches!(availability(state, now).await, Availability::Open { .. }),
        open_now,
        back_at: if open_now { None } else { hours.next_open(now) },
        usual_reply_secs: usual.map(|ms| (ms + 999) / 1000),
    })
}
