//! What otvet's mail says, in the conversation's language. Plain text: every mail client shows
//! it, and nothing in it can run.

use crate::domain::Lang;

/// The subject of mail about a conversation: `Re:` the customer's subject, or a numbered one.
pub fn subject(lang: Lang, id: i64, their_subject: Option<&str>) -> String {
    match their_subject.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.to_ascii_lowercase().starts_with("re:") => s.to_string(),
        Some(s) => format!("Re: {s}"),
        None => lang.pick([
            format!("Ваше обращение #{id}"),
            format!("Your request #{id}"),
            format!("Ihre Anfrage #{id}"),
        ]),
    }
}

/// The first line.
pub fn hello(lang: Lang, name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => lang.pick([
            format!("Здравствуйте, {n}!"),
            format!("Hello {n},"),
            format!("Guten Tag, {n},"),
        ]),
        None => lang
            .pick(["Здравствуйте!", "Hello,", "Guten Tag,"])
            .to_string(),
    }
}

/// "We got your request", before the customer's words.
pub fn received(lang: Lang) -> &'static str {
    lang.pick([
        "Мы получили ваше обращение:",
        "We have received your request:",
        "Wir haben Ihre Anfrage erhalten:",
    ])
}

/// The honest wait while agents work: the place in the queue and the usual time.
pub fn wait_open(lang: Lang, position: Option<i64>, wait_secs: Option<i64>) -> String {
    let minutes = wait_secs.map(|s| ((s + 59) / 60).max(1));
    let place = position.map(|p| {
        lang.pick([
            format!("Вы {p}-й в очереди. "),
            format!("You are number {p} in the queue. "),
            format!("Sie sind Nummer {p} in der Warteschlange. "),
        ])
    });
    let when = match minutes {
        Some(m) => lang.pick([
            format!("Обычно специалист отвечает примерно через {m} мин."),
            format!("A person usually replies in about {m} min."),
            format!("Ein Mitarbeiter antwortet meist in etwa {m} Min."),
        ]),
        None => lang
            .pick([
                "Специалист ответит, как только освободится.",
                "A person will reply as soon as they are free.",
                "Ein Mitarbeiter antwortet, sobald er frei ist.",
            ])
            .to_string(),
    };
    format!("{}{when}", place.unwrap_or_default())
}

/// The honest wait while nobody works: when support is back, written out («в понедельник в
/// 09:00 (Europe/Moscow)»), if known.
pub fn wait_closed(lang: Lang, back: Option<&str>) -> String {
    match back {
        Some(b) => lang.pick([
            format!("Сейчас поддержка не работает: специалисты вернутся {b} и ответят вам на это письмо."),
            format!("Support is closed right now: we are back {b} and will answer this email then."),
            format!("Der Support ist gerade geschlossen: wir sind {b} wieder da und beantworten dann diese E-Mail."),
        ]),
        None => lang
            .pick([
                "Сейчас никого из специалистов нет на месте: ответим на это письмо, как только кто-нибудь вернётся.",
                "Nobody from support is available right now: we will answer this email as soon as someone is back.",
                "Gerade ist niemand vom Support erreichbar: wir beantworten diese E-Mail, sobald jemand zurück ist.",
            ])
            .to_string(),
    }
}

/// How to go on: reply to the mail, or open the conversation.
pub fn how_to_reply(lang: Lang, link: &str) -> String {
    lang.pick([
        format!("Чтобы ответить, просто ответьте на это письмо. Вся переписка: {link}"),
        format!("To answer, just reply to this email. The whole conversation: {link}"),
        format!(
            "Um zu antworten, antworten Sie einfach auf diese E-Mail. Das ganze Gespräch: {link}"
        ),
    ])
}

/// Above agents' replies the customer has not seen.
pub fn replied(lang: Lang) -> &'static str {
    lang.pick([
        "Вам ответили в поддержке:",
        "Support has replied to you:",
        "Der Support hat Ihnen geantwortet:",
    ])
}

/// Above a transcript.
pub fn transcript(lang: Lang) -> &'static str {
    lang.pick([
        "Переписка с поддержкой, как вы просили:",
        "Your conversation with support, as you asked:",
        "Ihr Gespräch mit dem Support, wie gewünscht:",
    ])
}

/// The subject of a transcript.
pub fn transcript_subject(lang: Lang, id: i64) -> String {
    lang.pick([
        format!("Переписка с поддержкой #{id}"),
        format!("Your conversation with support #{id}"),
        format!("Ihr Gespräch mit dem Support #{id}"),
    ])
}

/// The rating request, with the page to rate on.
pub fn rating(lang: Lang, link: &str) -> String {
    lang.pick([
        format!("Ваше обращение закрыто. Оцените, пожалуйста, как мы помогли — это одна минута: {link}\n\nЕсли вопрос не решён, просто ответьте на это письмо."),
        format!("Your request is closed. Please rate how we helped; it takes a minute: {link}\n\nIf your question is not solved, just reply to this email."),
        format!("Ihre Anfrage ist abgeschlossen. Bitte bewerten Sie unsere Hilfe, es dauert eine Minute: {link}\n\nWenn Ihre Frage nicht gelöst ist, antworten Sie einfach auf diese E-Mail."),
    ])
}

/// The subject of a rating request.
pub fn rating_subject(lang: Lang, id: i64) -> String {
    lang.pick([
        format!("Как мы помогли? Обращение #{id}"),
        format!("How did we do? Request #{id}"),
        format!("Wie war unsere Hilfe? Anfrage #{id}"),
    ])
}

/// Under the bot's answer to a mail: the article, and how to reach a person.
pub fn bot_answer_footer(lang: Lang, title: &str, url: &str) -> String {
    lang.pick([
        format!("Подробнее в статье «{title}»: {url}\n\nЭто автоматический ответ из нашей базы знаний. Если он не помог, ответьте на это письмо словом НЕТ — и вам ответит специалист."),
        format!("More in the article “{title}”: {url}\n\nThis is an automatic answer from our help center. If it did not help, reply NO to this email and a person will answer."),
        format!("Mehr im Artikel „{title}“: {url}\n\nDies ist eine automatische Antwort aus unserem Hilfe-Center. Wenn sie nicht geholfen hat, antworten Sie NEIN auf diese E-Mail, und ein Mitarbeiter antwortet."),
    ])
}

/// Who a line of a transcript is from.
pub fn author(lang: Lang, author: crate::domain::Author, name: Option<&str>) -> String {
    use crate::domain::Author;
    match author {
        Author::Customer => lang.pick(["Вы", "You", "Sie"]).to_string(),
        Author::Bot => lang.pick(["Бот", "Bot", "Bot"]).to_string(),
        Author::Agent => name
            .map(str::to_string)
            .unwrap_or_else(|| lang.pick(["Поддержка", "Support", "Support"]).to_string()),
        Author::System => "—".to_string(),
    }
}

/// The signature.
pub fn signature(lang: Lang, team: Option<&str>) -> String {
    let team = team.map(str::to_string).unwrap_or_else(|| {
        lang.pick(["Служба поддержки", "Support team", "Ihr Support-Team"])
            .to_string()
    });
    format!("-- \n{team}")
}
