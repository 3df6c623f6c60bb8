//! What the bot and the system say, in Russian, English and German.

use crate::domain::Lang;

/// Reply to a greeting.
pub fn greeting(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => {
            "Здравствуйте! Задайте вопрос — я поищу ответ в справочном центре, а если не найду, позову специалиста."
        }
        Lang::En => {
            "Hello! Ask your question and I'll look for the answer in the help center; if I can't find it, I'll bring in a person."
        }
        Lang::De => {
            "Hallo! Stellen Sie Ihre Frage – ich suche die Antwort im Hilfe-Center, und wenn ich sie nicht finde, hole ich einen Mitarbeiter dazu."
        }
    }
}

/// Reply to thanks.
pub fn thanks(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "Пожалуйста! Если появятся ещё вопросы — пишите.",
        Lang::En => "You're welcome! Write any time you have another question.",
        Lang::De => "Gern geschehen! Schreiben Sie jederzeit, wenn Sie noch Fragen haben.",
    }
}

/// After "Yes, it helped".
pub fn glad(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "Рад, что помог! Спасибо, что написали. Если будут ещё вопросы — пишите.",
        Lang::En => "Glad it helped! Thanks for writing. Ask any time you have another question.",
        Lang::De => {
            "Schön, dass es geholfen hat! Danke für Ihre Nachricht. Fragen Sie jederzeit wieder."
        }
    }
}

/// Below the confidence threshold.
pub fn no_answer(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => {
            "К сожалению, я не нашёл ответа на этот вопрос в справочном центре. Могу позвать специалиста — нажмите «Позвать человека» или попробуйте спросить иначе."
        }
        Lang::En => {
            "Sorry, I couldn't find an answer to that in the help center. I can bring in a person: press \"Talk to a person\", or try asking in other words."
        }
        Lang::De => {
            "Leider habe ich dazu im Hilfe-Center keine Antwort gefunden. Ich kann einen Mitarbeiter dazuholen: Klicken Sie auf „Mit einem Menschen sprechen“ oder formulieren Sie die Frage anders."
        }
    }
}

/// «Вы об этом?» above the options of a choice.
pub fn clarify(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "Уточните, пожалуйста: вы об этом?",
        Lang::En => "Just to be sure: do you mean one of these?",
        Lang::De => "Nur zur Sicherheit: Meinen Sie eines davon?",
    }
}

/// Above an answer from an article in `article` when the conversation is in `lang`.
pub fn from_other_language(lang: Lang, article: Lang) -> &'static str {
    match (lang, article) {
        (Lang::Ru, Lang::En) => "На русском такой статьи нет — отвечаю по английской версии.",
        (Lang::Ru, _) => "На русском такой статьи нет — отвечаю по немецкой версии.",
        (Lang::En, Lang::Ru) => {
            "There is no English article on this, so I'm answering from the Russian one."
        }
        (Lang::En, _) => {
            "There is no English article on this, so I'm answering from the German one."
        }
        (Lang::De, Lang::Ru) => {
            "Dazu gibt es keinen deutschen Artikel, daher antworte ich aus der russischen Fassung."
        }
        (Lang::De, _) => {
            "Dazu gibt es keinen deutschen Artikel, daher antworte ich aus der englischen Fassung."
        }
    }
}

/// Entering the queue while somebody can answer.
pub fn queued(lang: Lang, position: i64, wait_secs: Option<i64>) -> String {
    let minutes = wait_secs.map(|s| ((s + 59) / 60).max(1));
    match (lang, minutes) {
        (Lang::Ru, Some(m)) => format!(
            "Передаю разговор специалисту, он увидит всю переписку. Вы {position}-й в очереди; ожидание — около {m} мин."
        ),
        (Lang::Ru, None) => format!(
            "Передаю разговор специалисту, он увидит всю переписку. Вы {position}-й в очереди; ответим, как только специалист освободится."
        ),
        (Lang::En, Some(m)) => format!(
            "I'm passing you to a person, who will see this whole conversation. You are number {position} in the queue; the wait is about {m} min."
        ),
        (Lang::En, None) => format!(
            "I'm passing you to a person, who will see this whole conversation. You are number {position} in the queue; someone will reply as soon as they are free."
        ),
        (Lang::De, Some(m)) => format!(
            "Ich leite Sie an einen Mitarbeiter weiter, der das ganze Gespräch sieht. Sie sind Nummer {position} in der Warteschlange; die Wartezeit beträgt etwa {m} Min."
        ),
        (Lang::De, None) => format!(
            "Ich leite Sie an einen Mitarbeiter weiter, der das ganze Gespräch sieht. Sie sind Nummer {position} in der Warteschlange; wir antworten, sobald jemand frei ist."
        ),
    }
}

/// Entering the queue when nobody can answer; `back` is when support is back, already
/// written out (e.g. "завтра в 09:00"); `mail`: whether support answers by email (only then is
/// an email asked for).
pub fn offline(lang: Lang, back: Option<&str>, mail: bool) -> String {
    let first = match (lang, back) {
        (Lang::Ru, Some(b)) => format!("Сейчас поддержка не работает — специалисты вернутся {b}."),
        (Lang::Ru, None) => "Сейчас никого из специалистов нет в сети.".into(),
        (Lang::En, Some(b)) => format!("Support is closed right now and back {b}."),
        (Lang::En, None) => "Nobody from support is online right now.".into(),
        (Lang::De, Some(b)) => {
            format!("Der Support ist gerade nicht erreichbar und wieder da {b}.")
        }
        (Lang::De, None) => "Gerade ist niemand vom Support online.".into(),
    };
    let then = match (lang, mail) {
        (Lang::Ru, true) => {
            "Оставьте email, и мы ответим на почту, или дождитесь ответа здесь: разговор сохранится."
        }
        (Lang::Ru, false) => {
            "Разговор сохранится: специалист ответит здесь, когда вернётся, — загляните сюда позже."
        }
        (Lang::En, true) => {
            "Leave your email and we'll answer there, or wait here: this conversation is kept."
        }
        (Lang::En, false) => {
            "This conversation is kept: a person will answer here when they are back, so check back later."
        }
        (Lang::De, true) => {
            "Hinterlassen Sie Ihre E-Mail, dann antworten wir dorthin, oder warten Sie hier: das Gespräch bleibt erhalten."
        }
        (Lang::De, false) => {
            "Das Gespräch bleibt erhalten: ein Mitarbeiter antwortet hier, sobald er zurück ist; schauen Sie später wieder vorbei."
        }
    };
    format!("{first} {then}")
}

/// An agent took the conversation.
pub fn joined(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Ru => format!("К разговору подключается {name}."),
        Lang::En => format!("{name} joined the conversation."),
        Lang::De => format!("{name} ist dem Gespräch beigetreten."),
    }
}

/// An agent opened a closed conversation again.
pub fn reopened(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Ru => format!("{name} снова открывает разговор."),
        Lang::En => format!("{name} reopened the conversation."),
        Lang::De => format!("{name} hat das Gespräch wieder geöffnet."),
    }
}

/// The customer wrote again in a closed conversation.
pub fn customer_returned(lang: Lang) -> &'static str {
    lang.pick([
        "Клиент написал снова: разговор открыт заново.",
        "The customer wrote again: the conversation is open again.",
        "Der Kunde hat erneut geschrieben: das Gespräch ist wieder offen.",
    ])
}

/// Another agent took over.
pub fn transferred(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Ru => format!("Разговор передан коллеге: теперь вам отвечает {name}."),
        Lang::En => format!("You've been passed to a colleague: {name} will answer you now."),
        Lang::De => format!("Sie wurden weitergeleitet: Jetzt antwortet Ihnen {name}."),
    }
}

/// The conversation was resolved.
pub fn resolved(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => {
            "Разговор завершён. Спасибо, что обратились! Оцените, пожалуйста, как мы помогли."
        }
        Lang::En => {
            "This conversation is closed. Thank you for contacting us! Please rate how we helped."
        }
        Lang::De => {
            "Das Gespräch ist beendet. Danke für Ihre Nachricht! Bitte bewerten Sie unsere Hilfe."
        }
    }
}

/// An email was left for an answer.
pub fn contact_saved(lang: Lang, email: &str) -> String {
    match lang {
        Lang::Ru => format!("Спасибо! Ответим на {email}."),
        Lang::En => format!("Thank you! We'll answer at {email}."),
        Lang::De => format!("Danke! Wir antworten an {email}."),
    }
}

/// "When support is back", written out in the business time zone relative to `now`.
pub fn when(lang: Lang, back_ms: i64, now_ms: i64, tz: &jiff::tz::TimeZone) -> Option<String> {
    let back = jiff::Timestamp::from_millisecond(back_ms)
        .ok()?
        .to_zoned_datetime(tz.clone());
    let now = jiff::Timestamp::from_millisecond(now_ms)
        .ok()?
        .to_zoned_datetime(tz.clone());
    let days = (back.date() - now.date()).get_days();
    let time = format!("{:02}:{:02}", back.hour(), back.minute());
    let zone = tz.iana_name().unwrap_or("UTC");
    let wd = back.weekday().to_monday_zero_offset() as usize;
    const RU: [&str; 7] = [
        "в понедельник",
        "во вторник",
        "в среду",
        "в четверг",
        "в пятницу",
        "в субботу",
        "в воскресенье",
    ];
    const EN: [&str; 7] = [
        "on Monday",
        "on Tuesday",
        "on Wednesday",
        "on Thursday",
        "on Friday",
        "on Saturday",
        "on Sunday",
    ];
    const DE: [&str; 7] = [
        "am Montag",
        "am Dienstag",
        "am Mittwoch",
        "am Donnerstag",
        "am Freitag",
        "am Samstag",
        "am Sonntag",
    ];
    Some(match (lang, days) {
        (Lang::Ru, 0) => format!("сегодня в {time} ({zone})"),
        (Lang::Ru, 1) => format!("завтра в {time} ({zone})"),
        (Lang::Ru, _) => format!("{} в {time} ({zone})", RU[wd]),
        (Lang::En, 0) => format!("today at {time} ({zone})"),
        (Lang::En, 1) => format!("tomorrow at {time} ({zone})"),
        (Lang::En, _) => format!("{} at {time} ({zone})", EN[wd]),
        (Lang::De, 0) => format!("heute um {time} Uhr ({zone})"),
        (Lang::De, 1) => format!("morgen um {time} Uhr ({zone})"),
        (Lang::De, _) => format!("{} um {time} Uhr ({zone})", DE[wd]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_honest() {
        assert!(queued(Lang::Ru, 2, Some(61)).contains("около 2 мин"));
        assert!(queued(Lang::Ru, 2, Some(61)).contains("2-й в очереди"));
        assert!(!queued(Lang::En, 1, None).contains("min"));
    }

    #[test]
    fn back_times_are_relative() {
        let tz = jiff::tz::TimeZone::get("Europe/Moscow").unwrap();
        // 2026-11-23 (Monday) 20:00 MSK = 17:00 UTC.
        let now = jiff::Timestamp::from_second(1_795_453_200).unwrap();
        let now_ms = now.as_millisecond();
        let next_day = now_ms + 13 * 3_600_000; // 09:00 MSK on Tuesday
        assert_eq!(
            when(Lang::Ru, next_day, now_ms, &tz).unwrap(),
            "завтра в 09:00 (Europe/Moscow)"
        );
        let later = next_day + 2 * 86_400_000;
        assert!(
            when(Lang::En, later, now_ms, &tz)
                .unwrap()
                .starts_with("on Thursday at 09:00")
        );
    }
}
