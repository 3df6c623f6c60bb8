//! The agent console: `GET /agent`, one server-rendered page whose script
//! (`/agent/assets/console.js`) speaks the agent websocket protocol (`GET /agent/ws`, see
//! `docs/protocol.md`), and its stylesheet (`/agent/assets/console.css`).
//!
//! The page needs a session ([`AgentPage`]: without one it is a 303 to
//! `/agent/login?next=%2Fagent`). It is rendered in Russian, English or German, chosen from the
//! agent's browser `Accept-Language` (else the server's default language); the script takes its
//! own texts from the page's `lang`. It has no inline script or style (the CSP allows neither
//! scripts nor, by our choice, styles inline): what the script needs to know is in `data-`
//! attributes. Chat texts are only ever put in the page as text (`textContent`), never as HTML.
//!
//! The assets are embedded in the binary; links carry `?v=<hash>` and such requests are cached
//! for a year (others for an hour). The stylesheet starts with the configured brand colour.

use std::hash::{Hash, Hasher};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::session::AgentPage;
use crate::domain::Lang;
use crate::domain::agent::Role;
use crate::web::state::AppState;
use crate::web::{AssetParams, asset_cache};

/// The console script.
const CONSOLE_JS: &str = include_str!("assets/console.js");
/// The console stylesheet (the brand colour is put in front of it when served).
const CONSOLE_CSS: &str = include_str!("assets/console.css");

crate::web::i18n::texts! {
    /// A text of the console page.
    enum K {
        Title => ["Консоль операторов", "Agent console", "Agenten-Konsole"],
        NoScript => [
            "Для консоли нужен JavaScript.",
            "The console needs JavaScript.",
            "Die Konsole braucht JavaScript.",
        ],
        Presence => ["Статус", "Status", "Status"],
        Online => ["В сети", "Online", "Online"],
        Away => ["Отошёл", "Away", "Abwesend"],
        Connection => ["Соединение", "Connection", "Verbindung"],
        Notifications => ["Оповещения", "Alerts", "Hinweise"],
        Sound => ["звук", "sound", "Ton"],
        Desktop => ["на рабочем столе", "desktop", "Desktop"],
        Connecting => ["Подключение…", "Connecting…", "Verbinde…"],
        Canned => ["Шаблоны ответов", "Canned replies", "Textbausteine"],
        Queue => ["Очередь", "Queue", "Warteschlange"],
        View => ["Показать", "Show", "Anzeigen"],
        SearchConversations => [
            "Поиск по разговорам",
            "Search conversations",
            "Gespräche durchsuchen",
        ],
        ViewOpen => ["Открытые", "Open", "Offen"],
        ViewMine => ["Мои", "Mine", "Meine"],
        ViewWaiting => ["Ждут", "Waiting", "Wartend"],
        ViewResolved => ["Решённые", "Resolved", "Erledigt"],
        Channel => ["Канал", "Channel", "Kanal"],
        Attach => ["Прикрепить файл", "Attach a file", "Datei anhängen"],
        AllChannels => ["Все каналы", "All channels", "Alle Kanäle"],
        ChannelChat => ["Чат", "Chat", "Chat"],
        ChannelEmail => ["Почта", "Email", "E-Mail"],
        Reopen => ["Открыть снова", "Reopen", "Wieder öffnen"],
        QueueEmpty => ["Никто не ждёт.", "Nobody is waiting.", "Niemand wartet."],
        Conversation => ["Разговор", "Conversation", "Gespräch"],
        NothingOpen => [
            "Выберите разговор в очереди слева.",
            "Pick a conversation from the queue.",
            "Wählen Sie ein Gespräch aus der Warteschlange.",
        ],
        Details => ["О клиенте", "About the customer", "Zum Kunden"],
        Handoff => [
            "Передача от бота",
            "Handoff from the bot",
            "Übergabe vom Bot",
        ],
        Message => ["Сообщение", "Message", "Nachricht"],
        Note => ["Заметка", "Note", "Notiz"],
        NoteHint => [
            "видна только команде",
            "only the team sees it",
            "nur für das Team sichtbar",
        ],
        CannedButton => ["Шаблоны", "Canned", "Bausteine"],
        Send => ["Отправить", "Send", "Senden"],
        Claim => ["Взять", "Take", "Übernehmen"],
        TransferTo => ["Передать оператору", "Transfer to", "Übergeben an"],
        Transfer => ["Передать", "Transfer", "Übergeben"],
        Resolve => ["Решено", "Resolve", "Erledigt"],
    }
}
/// The console's language: the agent's browser's first choice among ru/en/de, else the
/// server's default language.
fn console_lang(state: &AppState, headers: &HeaderMap) -> Lang {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    crate::web::choose_lang(accept, &Lang::ALL).unwrap_or(state.config.default_lang)
}

fn version_of(parts: &[&str]) -> String {
    let mut h = rustc_hash::FxHasher::default();
    for p in parts {
        p.hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

fn js_version() -> String {
    version_of(&[CONSOLE_JS])
}

fn css_version(state: &AppState) -> String {
    version_of(&[CONSOLE_CSS, &state.config.brand_color])
}

/// `GET /agent`: the console.
pub(crate) async fn console_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    AgentPage(session): AgentPage,
) -> Response {
    let lang = console_lang(&state, &headers);
    let agent = &session.agent;
    let max_chats = agent
        .max_chats
        .unwrap_or(i64::from(state.config.chat.max_chats));
    let site = state
        .config
        .site_name
        .clone()
        .unwrap_or_else(|| crate::web::i18n::Key::SiteName.in_lang(lang).into());
    let nav = super::layout::agent_nav_with(
        lang,
        &session,
        "/agent",
        html! { " " span #my-load.load {} },
    );
    let page = render(
        lang,
        &site,
        &state,
        nav,
        (agent.id, &agent.name, agent.role, max_chats),
    );
    let mut res = (StatusCode::OK, Html(page.into_string())).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    res
}

fn render(
    lang: Lang,
    site: &str,
    state: &AppState,
    nav: Markup,
    (id, name, role, max_chats): (i64, &str, Role, i64),
) -> Markup {
    let t = |k: K| k.in_lang(lang);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (t(K::Title)) " — " (site) }
                link rel="stylesheet" href=(format!("/agent/assets/console.css?v={}", css_version(state)));
                script src=(format!("/agent/assets/console.js?v={}", js_version())) defer {}
            }
            body.console data-agent-id=(id) data-agent-name=(name) data-role=(role.as_str())
                data-max-chats=(max_chats) data-title=(format!("{} — {site}", t(K::Title))) {
                header.topbar {
                    span.brand { (site) " · " (t(K::Title)) }
                    (nav)
                    label.presence for="presence" {
                        span.visually-hidden { (t(K::Presence)) }
                        select #presence name="presence" disabled {
                            option value="online" { (t(K::Online)) }
                            option value="away" { (t(K::Away)) }
                        }
                    }
                    fieldset.notify {
                        legend.visually-hidden { (t(K::Notifications)) }
                        label { input #notify-sound type="checkbox" checked; " " (t(K::Sound)) }
                        label { input #notify-desktop type="checkbox" checked; " " (t(K::Desktop)) }
                    }
                    span #conn.conn data-state="connecting" role="status" aria-label=(t(K::Connection)) {
                        (t(K::Connecting))
                    }
                }
                noscript { p.noscript { (t(K::NoScript)) } }
                div #toast.toast role="alert" hidden {}
                main.grid {
                    section #queue-col.col.queue aria-labelledby="queue-h" {
                        h2 #queue-h { (t(K::Queue)) " " span #queue-count.count {} }
                        input #conv-search.search type="search" autocomplete="off"
                            placeholder=(t(K::SearchConversations)) aria-label=(t(K::SearchConversations));
                        label.view for="queue-view" {
                            span.visually-hidden { (t(K::View)) }
                            select #queue-view {
                                option value="open" { (t(K::ViewOpen)) }
                                option value="mine" { (t(K::ViewMine)) }
                                option value="waiting" { (t(K::ViewWaiting)) }
                                option value="resolved" { (t(K::ViewResolved)) }
                            }
                        }
                        label.view for="queue-channel" {
                            span.visually-hidden { (t(K::Channel)) }
                            select #queue-channel {
                                option value="" { (t(K::AllChannels)) }
                                option value="chat" { (t(K::ChannelChat)) }
                                option value="email" { (t(K::ChannelEmail)) }
                            }
                        }
                        ul #queue-list.queue-list {}
                        p #queue-empty.empty { (t(K::QueueEmpty)) }
                    }
                    section #conv-col.col.conv aria-labelledby="conv-h" {
                        div.conv-head {
                            h2 #conv-h { (t(K::Conversation)) }
                            span #conv-status.status {}
                            div #conv-actions.actions hidden {
                                button #claim-btn type="button" hidden { (t(K::Claim)) }
                                span #transfer-box.transfer hidden {
                                    label.visually-hidden for="transfer-to" { (t(K::TransferTo)) }
                                    select #transfer-to {}
                                    button #transfer-btn type="button" { (t(K::Transfer)) }
                                }
                                button #resolve-btn.resolve type="button" hidden { (t(K::Resolve)) }
                                button #reopen-btn type="button" hidden { (t(K::Reopen)) }
                            }
                        }
                        p #conv-empty.empty { (t(K::NothingOpen)) }
                        ol #messages.messages role="log" aria-live="polite" aria-labelledby="conv-h" hidden {}
                        p #typing.typing aria-live="polite" {}
                        form #composer.composer hidden {
                            div #canned-picker.canned-picker hidden {
                                input #canned-filter type="search" autocomplete="off" aria-controls="canned-list";
                                ul #canned-list role="listbox" aria-label=(t(K::Canned)) {}
                            }
                            label.visually-hidden for="text" { (t(K::Message)) }
                            textarea #text rows="3" maxlength="4000" autocomplete="off" {}
                            div.composer-bar {
                                label.note-toggle {
                                    input #note type="checkbox";
                                    " " (t(K::Note)) " "
                                    span.hint { "(" (t(K::NoteHint)) ")" }
                                }
                                span #composer-hint.hint {}
                                button #canned-btn type="button" aria-haspopup="listbox" aria-expanded="false" aria-controls="canned-picker" { (t(K::CannedButton)) }
                                button #attach-btn type="button" title=(t(K::Attach)) aria-label=(t(K::Attach)) { "📎" }
                                input #attach-file type="file" hidden accept="image/png,image/jpeg,image/gif,image/webp,application/pdf";
                                button #send-btn.primary type="submit" { (t(K::Send)) }
                            }
                        }
                    }
                    section #details-col.col.details aria-labelledby="details-h" {
                        h2 #details-h { (t(K::Details)) }
                        div #details {}
                        h3 #handoff-h hidden { (t(K::Handoff)) }
                        div #handoff {}
                    }
                }
            }
        }
    }
}

/// `GET /agent/assets/console.js`.
pub(crate) async fn console_js(
    params: Result<Query<AssetParams>, QueryRejection>,
    headers: axum::http::HeaderMap,
) -> Response {
    static SCRIPT: std::sync::OnceLock<crate::web::bytes::Precompressed> =
        std::sync::OnceLock::new();
    let asset = SCRIPT.get_or_init(|| {
        crate::web::bytes::Precompressed::new(CONSOLE_JS, "text/javascript; charset=utf-8")
    });
    crate::web::script(params, &headers, &js_version(), asset)
}

/// `GET /agent/assets/console.css`.
pub(crate) async fn console_css(
    State(state): State<AppState>,
    params: Result<Query<AssetParams>, QueryRejection>,
) -> Response {
    let cache = asset_cache(params, &css_version(&state));
    let body = format!(
        ":root{{--brand-color:{}}}\n{CONSOLE_CSS}",
        state.config.brand_color
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_every_language() {
        for lang in Lang::ALL {
            for k in [K::Title, K::Queue, K::Claim, K::Resolve, K::Note] {
                assert!(!k.in_lang(lang).is_empty());
            }
        }
        assert_eq!(K::Claim.in_lang(Lang::Ru), "Взять");
    }

    #[test]
    fn the_script_renders_chat_text_as_text_only() {
        // Chat text is never HTML: the script builds nodes and sets textContent.
        for forbidden in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(
                !CONSOLE_JS.contains(forbidden),
                "console.js uses {forbidden}"
            );
        }
    }
}
