//! Reading a mail from the support mailbox: who wrote, what they wrote (the new words only: the
//! quoted history and the signature cut off, HTML turned into text), what it answers, and
//! whether a robot sent it (an autoreply, a list, a bounce), which otvet never answers.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};

/// Longest text kept of one mail, in characters (the chat's message limit).
pub const MAX_TEXT_CHARS: usize = 4000;

/// A received mail, as otvet needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    /// Its Message-ID, in angle brackets (made up from its contents when it has none).
    pub message_id: String,
    /// The sender's address, lower case.
    pub from: String,
    /// The sender's name, if given.
    pub name: Option<String>,
    /// Every recipient address (To, Cc, Delivered-To), for the reply address.
    pub recipients: Vec<String>,
    /// The subject.
    pub subject: Option<String>,
    /// The new text: no quoted history, no signature.
    pub text: String,
    /// Message-IDs it answers (`In-Reply-To`, then `References` from the newest), in brackets.
    pub refers_to: Vec<String>,
    /// Sent by a robot: an autoreply, a mailing list, a bulk mail, a mailer daemon.
    pub automatic: bool,
    /// A delivery report (bounce); the Message-IDs it mentions, in brackets.
    pub bounce_of: Option<Vec<String>>,
    /// Attached files (name, bytes), at most [`MAX_FILES`]; their kind is checked when stored.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Most files taken from one mail.
pub const MAX_FILES: usize = 10;

/// `<id>` for an id with or without brackets.
pub fn bracketed(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{id}>")
}

/// Reads a raw mail; `None` when it has no sender address.
pub fn parse(raw: &[u8]) -> Option<Inbound> {
    let msg = MessageParser::default().parse(raw)?;
    let from_addr = msg.from().and_then(|a| a.first())?;
    let from = from_addr.address()?.trim().to_lowercase();
    let name = from_addr
        .name()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let message_id = match msg.message_id() {
        Some(id) if !id.trim().is_empty() => bracketed(id),
        _ => {
            use sha2::Digest;
            let h = sha2::Sha256::digest(raw);
            format!("<{}@otvet.invalid>", crate::domain::token::hex(&h[..16]))
        }
    };
    let mut recipients: Vec<String> = Vec::new();
    for list in [msg.to(), msg.cc()].into_iter().flatten() {
        recipients.extend(list.iter().filter_map(|a| a.address()).map(str::to_string));
    }
    for (name, value) in msg.headers_raw() {
        if name.eq_ignore_ascii_case("Delivered-To") || name.eq_ignore_ascii_case("X-Original-To") {
            recipients.push(value.trim().to_string());
        }
    }
    let mut refers_to: Vec<String> = ids(msg.in_reply_to());
    let mut refs = ids(msg.references());
    refs.reverse();
    refers_to.extend(refs);
    let header = |n: &str| {
        msg.headers_raw()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.trim().to_ascii_lowercase())
    };
    let content_type = header("Content-Type").unwrap_or_default();
    let report =
        content_type.starts_with("multipart/report") && content_type.contains("delivery-status");
    let local = from.split('@').next().unwrap_or("");
    let daemon = matches!(
        local,
        "mailer-daemon" | "postmaster" | "mail-daemon" | "mailerdaemon"
    );
    let robot_sender = daemon
        || [
            "noreply",
            "no-reply",
            "no_reply",
            "donotreply",
            "do-not-reply",
            "bounce",
        ]
        .iter()
        .any(|p| local.starts_with(p));
    let automatic = robot_sender
        || report
        || header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("Precedence")
            .is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list" | "auto_reply"))
        || header("List-Id").is_some()
        || header("List-Unsubscribe").is_some()
        || header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
        || header("Return-Path").is_some_and(|v| v == "<>");
    let bounce_of = (report || daemon).then(|| mentioned_ids(raw, &message_id));
    let body = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let text = clip(&new_words(&body));
    let files = msg
        .attachments()
        .filter(|p| !p.is_message())
        .take(MAX_FILES)
        .map(|p| {
            (
                p.attachment_name().unwrap_or("file").to_string(),
                p.contents().to_vec(),
            )
        })
        .collect();
    Some(Inbound {
        message_id,
        from,
        name,
        recipients,
        subject: msg
            .subject()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        text,
        refers_to,
        automatic,
        bounce_of,
        files,
    })
}

fn ids(v: &HeaderValue) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![bracketed(t)],
        HeaderValue::TextList(l) => l.iter().map(|t| bracketed(t)).collect(),
        _ => Vec::new(),
    }
}

/// The Message-IDs a delivery report mentions (the returned mail's), other than its own.
fn mentioned_ids(raw: &[u8], own: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        let Some(rest) = l
            .strip_prefix("Message-ID:")
            .or_else(|| l.strip_prefix("Message-Id:"))
            .or_else(|| l.strip_prefix("Message-id:"))
        else {
            continue;
        };
        let id = bracketed(rest);
        if id != own && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// `text` at most [`MAX_TEXT_CHARS`] long.
fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT_CHARS {
        return text.to_string();
    }
    let mut s: String = text.chars().take(MAX_TEXT_CHARS - 1).collect();
    s.push('…');
    s
}

/// Whether a line starts what a mail client quotes of the mail answered («On … wrote:»,
/// «… написал(а):», «Am … schrieb …:», Outlook's header block).
fn starts_quote(line: &str, next: Option<&str>) -> bool {
    let l = line.trim();
    let lower = l.to_lowercase();
    let ends_said = |s: &str| {
        let s = s.trim_end();
        [
            "wrote:",
            "написал:",
            "написала:",
            "написал(а):",
            "пишет:",
            "schrieb:",
        ]
        .iter()
        .any(|e| s.ends_with(e))
    };
    // Gmail in Russian: «пн, 7 дек. 2026 г. в 12:00, Поддержка <help@shop.example>:».
    if lower.ends_with(">:") && lower.contains('@') {
        return true;
    }
    if ends_said(&lower)
        && (lower.starts_with("on ")
            || lower.starts_with("am ")
            || lower.contains('@')
            || lower.contains(','))
    {
        return true;
    }
    // «On Mon, 7 Dec 2026 at 12:00, Anna <anna@x>\nwrote:» wraps.
    if (lower.starts_with("on ") || lower.starts_with("am "))
        && next.is_some_and(|n| ends_said(&n.to_lowercase()))
    {
        return true;
    }
    if lower.starts_with("-----original message-----")
        || lower.starts_with("-------- original message")
        || lower.starts_with("-------- исходное сообщение")
        || lower.starts_with("-------- original-nachricht")
        || lower.starts_with("-------- пересылаемое сообщение")
    {
        return true;
    }
    // Outlook: «From: …» then «Sent: …» («От: …», «Отправлено: …»; «Von: …», «Gesendet: …»).
    let next_lower = next.map(|n| n.trim().to_lowercase()).unwrap_or_default();
    (lower.starts_with("from:")
        && (next_lower.starts_with("sent:") || next_lower.starts_with("date:")))
        || (lower.starts_with("от:")
            && (next_lower.starts_with("отправлено:") || next_lower.starts_with("дата:")))
        || (lower.starts_with("von:") && next_lower.starts_with("gesendet:"))
}

/// The new words of a mail: up to the quoted history or the signature, quoted lines dropped.
pub fn new_words(body: &str) -> String {
    let body = body.replace("\r\n", "\n");
    let lines: Vec<&str> = body.lines().collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_end();
        if t == "--" || t == "-- " || line.trim() == "__" {
            break;
        }
        let lower = t.trim().to_lowercase();
        if lower.starts_with("sent from my ")
            || lower.starts_with("отправлено с ")
            || lower.starts_with("von meinem ")
        {
            break;
        }
        if starts_quote(line, lines.get(i + 1).copied()) {
            break;
        }
        if t.trim_start().starts_with('>') {
            continue;
        }
        out.push(t);
    }
    let text = out.join("\n");
    let text = text.trim();
    if text.is_empty() {
        // All of it looked quoted: better the whole text than nothing.
        body.trim().to_string()
    } else {
        // Runs of blank lines become one.
        let mut s = String::new();
        let mut blank = 0;
        for l in text.lines() {
            if l.trim().is_empty() {
                blank += 1;
                if blank > 1 {
                    continue;
                }
            } else {
                blank = 0;
            }
            s.push_str(l);
            s.push('\n');
        }
        s.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_history_and_signatures_are_cut() {
        let ru = "Спасибо, а когда привезут?\n\nПн, 7 дек. 2026 г. в 12:00, Поддержка <help@shop.example>:\n> Здравствуйте!\n> Заказ отправлен.";
        // Gmail's Russian attribution ends with «>:», not «написал:».
        assert!(new_words(ru).starts_with("Спасибо, а когда привезут?"));
        let en = "It works now, thanks!\n\nOn Mon, Dec 7, 2026 at 12:00 PM Support <help@shop.example>\nwrote:\n> Try again.";
        assert_eq!(new_words(en), "It works now, thanks!");
        let sig = "Где мой заказ 123?\n-- \nАнна Петрова\n+7 912 000-00-00";
        assert_eq!(new_words(sig), "Где мой заказ 123?");
        let outlook = "Bitte um Rückruf.\n\nVon: Support <help@shop.example>\nGesendet: Montag\nBetreff: Re: x";
        assert_eq!(new_words(outlook), "Bitte um Rückruf.");
        let iphone = "Да\n\nОтправлено с iPhone";
        assert_eq!(new_words(iphone), "Да");
        let inline = "> old\nnew line\n> old again\nmore";
        assert_eq!(new_words(inline), "new line\nmore");
        assert_eq!(new_words("> only quoted"), "> only quoted");
    }

    #[test]
    fn a_plain_mail_is_read() {
        let raw = b"From: =?utf-8?B?0JDQvdC90LA=?= <Anna@Example.com>\r\nTo: help@shop.example\r\nSubject: =?utf-8?B?0JPQtNC1INC30LDQutCw0Lc/?=\r\nMessage-ID: <abc@example.com>\r\nIn-Reply-To: <otvet.1@shop.example>\r\nReferences: <first@x> <otvet.1@shop.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhere is my order?\r\n";
        let m = parse(raw).unwrap();
        assert_eq!(m.from, "anna@example.com");
        assert_eq!(m.name.as_deref(), Some("Анна"));
        assert_eq!(m.subject.as_deref(), Some("Где заказ?"));
        assert_eq!(m.message_id, "<abc@example.com>");
        assert_eq!(m.refers_to[0], "<otvet.1@shop.example>");
        assert!(m.refers_to.contains(&"<first@x>".to_string()));
        assert_eq!(m.text, "Where is my order?");
        assert!(!m.automatic && m.bounce_of.is_none());
        assert!(m.recipients.contains(&"help@shop.example".to_string()));
    }

    #[test]
    fn html_becomes_text() {
        let raw = b"From: a@example.com\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello <b>there</b><script>alert(1)</script></p>";
        let m = parse(raw).unwrap();
        assert!(m.text.contains("Hello there"), "{}", m.text);
        assert!(!m.text.contains('<'), "{}", m.text);
    }

    #[test]
    fn robots_are_recognised() {
        let base = "From: a@example.com\r\nSubject: Out of office\r\n";
        for extra in [
            "Auto-Submitted: auto-replied\r\n",
            "Precedence: bulk\r\n",
            "List-Id: <news.example.com>\r\n",
            "X-Autoreply: yes\r\n",
        ] {
            let raw = format!("{base}{extra}\r\nI am away.");
            assert!(parse(raw.as_bytes()).unwrap().automatic, "{extra}");
        }
        let human = format!("{base}Auto-Submitted: no\r\n\r\nhi");
        assert!(!parse(human.as_bytes()).unwrap().automatic);
        let daemon = b"From: MAILER-DAEMON@mail.example\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <otvet.abc@shop.example>\r\n--b--\r\n";
        let m = parse(daemon).unwrap();
        assert!(m.automatic);
        assert_eq!(
            m.bounce_of,
            Some(vec!["<otvet.abc@shop.example>".to_string()])
        );
    }
}
