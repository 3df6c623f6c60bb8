//! Telling needs from noise, and readable titles: a cluster is a **need** (an article could
//! answer it), **off-topic** (greetings, thanks, a bare request for a person, small talk) or
//! **gibberish** (keyboard mashing: no word the articles know, and words that look like no word
//! in either keyboard layout). The
//! report lists needs first and the other two in a section of their own at the end.

use serde::Serialize;

use crate::bot::intent::{Intent, classify};
use crate::domain::Lang;
use crate::search::{SearchEngine, layout, query};

/// What a cluster is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Something an article could answer.
    Need,
    /// Small talk, greetings, thanks, or chatter unrelated to the help center.
    OffTopic,
    /// Keyboard mashing.
    Gibberish,
}

/// Keyboard rows, for mashing along a row («asdf», «фыва»).
const ROWS: [&str; 6] = [
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю",
];
const VOWELS: &str = "aeiouyäöüаеёиоуыэюя";

/// Whether a word looks like no word: no vowel (three letters or more), five consonants in a
/// row, a letter three times in a row, or four neighbouring keys of a keyboard row.
fn implausible(word: &str) -> bool {
    let letters: Vec<char> = word
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if letters.len() < 3 {
        return false;
    }
    let vowel = |c: &char| VOWELS.contains(*c);
    if !letters.iter().any(vowel) {
        return true;
    }
    let mut run = 0;
    for c in &letters {
        run = if vowel(c) { 0 } else { run + 1 };
        if run >= 5 {
            return true;
        }
    }
    if letters.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return true;
    }
    // No Russian word starts with «ь», «ъ» or «ы» (a QWERTY word read on ЙЦУКЕН often does).
    if matches!(letters[0], 'ь' | 'ъ' | 'ы') {
        return true;
    }
    letters.windows(4).any(|w| {
        let s: String = w.iter().collect();
        let r: String = w.iter().rev().collect();
        ROWS.iter().any(|row| row.contains(&s) || row.contains(&r))
    })
}

/// The word in the other keyboard layout, when it has one.
fn other_layout(word: &str) -> Option<String> {
    if layout::is_cyrillic_word(word) {
        layout::ru_to_en(word)
    } else {
        layout::en_to_ru(word)
    }
}

/// Whether a word is mashing: implausible as typed and in the other layout.
fn mashed(word: &str) -> bool {
    implausible(word) && other_layout(word).is_none_or(|w| implausible(&w))
}

/// Whether a text is gibberish: it has letters, the articles know none of its words
/// (`known` words as search read them), and at least half of its words are mashing.
pub(super) fn is_gibberish(text: &str, known: usize) -> bool {
    if known > 0 {
        return false;
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '?' || c == '!')
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    !words.is_empty() && 2 * words.iter().filter(|w| mashed(w)).count() >= words.len()
}

/// Words of small talk, insults and test messages (from five letters on, beginnings of words;
/// shorter ones whole): a text of nothing but these, laughter and [`FUNCTION`] words is
/// chatter. A short, hand-made list: a need always names something else («как дела с заказом»,
/// «тест на аллергию», "my card is useless abroad" are needs).
const CHATTER: &[&str] = &[
    // Russian: small talk.
    "дела",
    "делишк",
    "жизнь",
    "погод",
    "анекдот",
    "шутка",
    "шутку",
    "шутки",
    "пошут",
    "скучн",
    "скучаю",
    "бот",
    "бота",
    "боты",
    "ботик",
    "робот",
    "живой",
    "люблю",
    "любишь",
    "нравишься",
    "зовут",
    "имя",
    "лет",
    "настроени",
    "занимаешься",
    "поболтать",
    "болтать",
    "поговорим",
    "умный",
    "умница",
    "молодец",
    "круто",
    "класс",
    "понятно",
    "ясно",
    // Russian: insults and swearing.
    "дурак",
    "дура",
    "идиот",
    "тупой",
    "тупая",
    "тупые",
    "тупица",
    "дебил",
    "придур",
    "бесполезн",
    "отстой",
    "ужасн",
    "блин",
    "бля",
    "блять",
    "хрен",
    "нахрен",
    "пиздец",
    "нахуй",
    "достал",
    // Russian: test messages.
    "тест",
    "тестовое",
    "тестов",
    "тестирую",
    "проверка",
    "проверяю",
    "работаешь",
    // English.
    "joke",
    "jokes",
    "funny",
    "weather",
    "bored",
    "boring",
    "bot",
    "bots",
    "robot",
    "human",
    "alive",
    "real",
    "smart",
    "test",
    "testing",
    "tested",
    "love",
    "like",
    "doing",
    "name",
    "old",
    "life",
    "chat",
    "talk",
    "favorite",
    "favourite",
    "color",
    "colour",
    "stupid",
    "dumb",
    "idiot",
    "useless",
    "sucks",
    "suck",
    "hate",
    "shut",
    "fuck",
    "fucking",
    "fuckoff",
    "shit",
    "crap",
    "damn",
    "wtf",
    "cool",
    "great",
    "nice",
    "awesome",
    // German.
    "wetter",
    "witz",
    "witze",
    "langweil",
    "liebe",
    "roboter",
    "heißt",
    "heisst",
    "alt",
    "dumm",
    "blöd",
    "doof",
    "nutzlos",
    "scheiße",
    "scheisse",
    "mist",
    "teste",
    "toll",
];
/// Words that say nothing of a need by themselves (greetings and thanks among them: «привет,
/// расскажи анекдот» is chatter).
const FUNCTION: &[&str] = &[
    "как",
    "ты",
    "вы",
    "у",
    "тебя",
    "вас",
    "тебе",
    "вам",
    "а",
    "и",
    "что",
    "это",
    "мне",
    "меня",
    "я",
    "ну",
    "ли",
    "же",
    "кто",
    "там",
    "твое",
    "твоё",
    "твой",
    "твоя",
    "с",
    "со",
    "в",
    "не",
    "да",
    "нет",
    "ага",
    "угу",
    "так",
    "вот",
    "очень",
    "просто",
    "такой",
    "такая",
    "сколько",
    "чем",
    "про",
    "о",
    "мной",
    "можешь",
    "можно",
    "давай",
    "еще",
    "ещё",
    "сообщение",
    "расскажи",
    "расскажите",
    "какая",
    "какой",
    "сегодня",
    "завтра",
    "хорошая",
    "привет",
    "приветик",
    "здравствуйте",
    "здравствуй",
    "спасибо",
    "пока",
    "пожалуйста",
    "how",
    "are",
    "you",
    "u",
    "r",
    "ur",
    "is",
    "the",
    "a",
    "an",
    "what",
    "whats",
    "what's",
    "do",
    "i",
    "i'm",
    "im",
    "am",
    "me",
    "my",
    "your",
    "yours",
    "you're",
    "tell",
    "it",
    "this",
    "that",
    "to",
    "up",
    "off",
    "so",
    "very",
    "just",
    "really",
    "can",
    "will",
    "be",
    "with",
    "of",
    "today",
    "hi",
    "hello",
    "hey",
    "thanks",
    "please",
    "message",
    "wie",
    "geht",
    "es",
    "dir",
    "ihnen",
    "du",
    "bist",
    "geht's",
    "gehts",
    "ein",
    "einen",
    "eine",
    "erzähl",
    "mir",
    "dich",
    "ich",
    "wer",
    "was",
    "sehr",
    "so",
    "heute",
    "ist",
    "das",
    "der",
    "die",
    "hallo",
    "danke",
];

/// Whether a word is laughter: «ха», «хахаха», «ахах», "haha", "lol", «лол», "xD".
fn laughing(w: &str) -> bool {
    let only = |set: &str| w.chars().count() >= 2 && w.chars().all(|c| set.contains(c));
    only("ха") || only("ha") || only("he") || matches!(w, "lol" | "лол" | "xd" | "lmao" | "rofl")
}

/// Whether a text is off-topic, whatever the articles cover (a need the articles lack is still a
/// need): not a question at all (a greeting, thanks, a bare request for a person), or nothing
/// but small talk, insults, test messages, laughter, numbers and words that say nothing of a
/// need («как дела?», «расскажи анекдот», «ты тупой бот», «тест», "how are you", "are you a
/// bot").
pub(super) fn is_off_topic(text: &str) -> bool {
    if classify(text) != Intent::Question {
        return true;
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let chatter = |w: &str| {
        CHATTER.iter().any(|c| {
            if c.chars().count() >= 5 {
                w.starts_with(c)
            } else {
                w == *c
            }
        })
    };
    let number = |w: &str| w.chars().all(|c| c.is_ascii_digit());
    // A bare number may be an order or a postcode: only beside chatter is it a test.
    words.iter().any(|w| !number(w))
        && words
            .iter()
            .all(|w| chatter(w) || laughing(w) || FUNCTION.contains(&w.as_str()) || number(w))
}

/// `text` with the words typed on the wrong keyboard layout converted: as search reads it
/// («rfr dthyenm njdfh» → «как вернуть товар» when the articles know the words), then
/// [`decode_layout`] for the words they don't.
pub(super) fn readable(engine: &SearchEngine, text: &str, lang: Lang) -> String {
    decode_layout(&query::as_read(engine, text, lang), lang)
}

/// In a Russian text, a Latin word whose ЙЦУКЕН reading looks like a word is converted when it
/// looks like no word as typed, or when the whole text is Latin («ljcnfdrf» → «доставка»,
/// «ufhfynbz» → «гарантия»; «iphone» stays); in English or German, a Cyrillic word is read on
/// QWERTY («сфтсуд» → «cancel»).
pub(super) fn decode_layout(text: &str, lang: Lang) -> String {
    let core = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && !";,.[]'`".contains(c))
            .to_string()
    };
    let all_latin = text
        .split_whitespace()
        .all(|w| core(w).chars().all(|c| !c.is_alphabetic() || c.is_ascii()));
    text.split(' ')
        .map(|w| {
            let core = core(w);
            let letters = core.chars().any(char::is_alphabetic);
            let converted = match lang {
                Lang::Ru if letters && core.is_ascii() && (all_latin || implausible(&core)) => {
                    layout::en_to_ru(&core).filter(|c| !implausible(c))
                }
                Lang::Ru => None,
                _ if letters && layout::is_cyrillic_word(&core) => layout::ru_to_en(&core),
                _ => None,
            };
            match converted {
                Some(c) => w.replacen(&core, &c, 1),
                None => w.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mashing_is_told_from_words_and_wrong_layouts() {
        for w in [
            "asdfgh",
            "фывапр",
            "ккккк",
            "zxcvb",
            "qwerty",
            "jjjj",
            "sdfghj",
        ] {
            assert!(mashed(w), "{w}");
        }
        for w in [
            "доставка",
            "ljcnfdrf",
            "здравствуйте",
            "iphone",
            "crjkmrj",
            "djpdhfn",
            "refund",
        ] {
            assert!(!mashed(w), "{w}");
        }
        assert!(is_gibberish("asdfgh jkl", 0));
        assert!(is_gibberish("ывапролдж!!", 0));
        assert!(!is_gibberish("asdfgh доставка", 1));
        assert!(
            !is_gibberish("ljcnfdrf", 0),
            "the wrong layout is not mashing"
        );
        assert!(!is_gibberish("биткоин", 0));
    }

    #[test]
    fn wrong_layouts_are_decoded() {
        assert_eq!(decode_layout("ljcnfdrf", Lang::Ru), "доставка");
        assert_eq!(decode_layout("ufhfynbz", Lang::Ru), "гарантия");
        assert_eq!(
            decode_layout("gjlfhjxyfz egfrjdrf?", Lang::Ru),
            "подарочная упаковка?"
        );
        assert_eq!(
            decode_layout("чехол для iphone", Lang::Ru),
            "чехол для iphone"
        );
        assert_eq!(decode_layout("samsung", Lang::Ru), "samsung");
        assert_eq!(decode_layout("how to сфтсуд", Lang::En), "how to cancel");
    }

    #[test]
    fn greetings_and_small_talk_are_off_topic() {
        for t in [
            "спасибо",
            "как дела?",
            "расскажи анекдот",
            "Are you a bot?",
            "wie geht's dir",
            // Chit-chat, greetings with it, laughter.
            "привет, расскажи анекдот",
            "как тебя зовут?",
            "сколько тебе лет",
            "ты умный бот",
            "хахаха",
            "what's your name",
            "are you real?",
            "how old are you",
            "lol",
            "wie heißt du?",
            "erzähl mir einen Witz",
            // Insults.
            "ты тупой бот",
            "бесполезный бот!!!",
            "you are useless",
            "Fuckoff",
            "du bist dumm",
            // Test messages.
            "тест",
            "тестовое сообщение",
            "проверка",
            "test test",
            "testing 123",
            "this is a test",
        ] {
            assert!(is_off_topic(t), "{t}");
        }
        for t in [
            "как дела с моим заказом",
            "бот не отвечает на оплату",
            "сколько стоит доставка",
            "биткоин",
            "ботинки",
            "тест на аллергию",
            "проверка статуса заказа",
            "сменить имя в профиле",
            "the app is useless without a card",
            "my card is not working",
            "how old must I be to open an account",
            "Liefertermin heute?",
            "7021645199",
        ] {
            assert!(!is_off_topic(t), "{t}");
        }
    }
}
