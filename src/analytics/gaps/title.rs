//! Titles from customers' texts: greetings and politeness dropped, the first letter capitalized.

/// A title from a customer's text: greetings and politeness at the start dropped, end
/// punctuation dropped, the first letter capitalized.
pub fn title_of(text: &str) -> String {
    const LEADING: &[&str] = &[
        "здравствуйте",
        "здравствуй",
        "привет",
        "подскажите",
        "скажите",
        "пожалуйста",
        "а",
        "hello",
        "hi",
        "hey",
        "please",
        "hallo",
        "bitte",
    ];
    const GREETING_PAIRS: &[(&str, &[&str])] = &[
        ("добрый", &["день", "вечер"]),
        ("доброе", &["утро"]),
        ("good", &["morning", "afternoon", "evening"]),
        ("guten", &["tag", "morgen", "abend"]),
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let mut start = 0;
    while start < words.len() {
        let w = bare(words[start]);
        if LEADING.contains(&w.as_str()) && start + 1 < words.len() {
            start += 1;
            continue;
        }
        if let Some((_, next)) = GREETING_PAIRS.iter().find(|(first, _)| *first == w)
            && words
                .get(start + 1)
                .is_some_and(|n| next.contains(&bare(n).as_str()))
            && start + 2 < words.len()
        {
            start += 2;
            continue;
        }
        break;
    }
    let mut title = words[start..].join(" ");
    // Trailing politeness and punctuation.
    loop {
        let trimmed = title
            .trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != ']')
            .to_string();
        let lower = trimmed.to_lowercase();
        let cut = ["пожалуйста", "please", "bitte"]
            .iter()
            .find(|w| lower.ends_with(*w) && lower.len() > w.len())
            .map(|w| trimmed.len() - w.len());
        match cut {
            Some(at) if trimmed.is_char_boundary(at) => title = trimmed[..at].to_string(),
            _ => {
                title = trimmed;
                break;
            }
        }
    }
    let title = title.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '[');
    let mut chars = title.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_drop_greetings_and_politeness() {
        assert_eq!(
            title_of("Здравствуйте, подскажите, как вернуть телевизор?"),
            "Как вернуть телевизор"
        );
        assert_eq!(
            title_of("добрый день! можно оплатить криптовалютой пожалуйста"),
            "Можно оплатить криптовалютой"
        );
        assert_eq!(title_of("день доставки"), "День доставки");
        assert_eq!(
            title_of("hi, how do I get a refund?"),
            "How do I get a refund"
        );
        assert_eq!(title_of("здравствуйте"), "Здравствуйте");
    }
}
