//! What a customer's chat message is: small talk, a request for a person, or a question.
//!
//! Russian, English and German, case-insensitive, ignoring punctuation and emoji. Every word
//! is looked up in a small lexicon of word classes (greeting, thanks, filler, person, request
//! verb, …), accepting:
//!
//! - `ё` as `е` and German umlauts as plain vowels (`tschüss` = `tschuss`, `ß` = `ss`);
//! - letters stretched for emphasis (`привееет`, `thanksss`);
//! - a typo within 1 edit (words of 7+ letters) or 2 edits (10+): «здраствуйте», «благадарю»,
//!   «аператор»; short colloquial forms are listed as such («спс», «пасиба», «спасибки»);
//! - a word typed on the wrong keyboard layout («jgthfnjh» is «оператор», «cgfcb,j» is
//!   «спасибо», «ерфтлы» is "thanks"), when the converted word is in the lexicon.
//!
//! Then, in this order:
//!
//! - **Human**: the message names a person («оператор», «живой человек», "agent", "human",
//!   "Mitarbeiter"; or a vague one — "someone", «кто-нибудь», "jemand" — together with a
//!   request verb like "talk", «позовите», "sprechen"), *every* word belongs to a request for a
//!   person or is a greeting, thanks or politeness (no unknown word at all: «как стать
//!   оператором пункта выдачи?», «агентский договор», «менеджер не перезвонил, где мой заказ?»,
//!   "how do I become a delivery agent" all have words outside that vocabulary), and the request
//!   itself is short: at most 7 content words (function words like «с», "to", "please", "mit"
//!   and greetings not counted).
//! - **Greeting** / **Thanks**: every word is small talk — a greeting, thanks or goodbye,
//!   filler and politeness («ок», «большое», «всё понятно», "so much", "alles klar"), after a
//!   greeting also an announcement of a question («у меня вопрос», "can you help me"), after
//!   thanks also its object («за помощь», "for your help", "das hat geholfen") — with at least
//!   one real greeting or thanks word, or two parts of one («добрый день», "good morning",
//!   «всего доброго», "bis bald"). Thanks if there is any thanks or goodbye, else Greeting.
//! - **Question**: everything else, including a greeting or thanks followed by a question
//!   («Здравствуйте, как вернуть товар?»), a lone «ок» or an empty message.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::search::layout;

/// The kind of a customer message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Only a greeting ("Здравствуйте!", "hi", "Guten Tag").
    Greeting,
    /// Only thanks or a goodbye ("спасибо", "thanks, bye", "danke").
    Thanks,
    /// A request for a person («оператор», "talk to a human", "Mitarbeiter bitte").
    Human,
    /// Anything else: searched in the help center.
    Question,
}

// Word classes (a word may have several).
/// A greeting by itself: «здравствуйте», "hi", "moin".
const G: u16 = 1;
/// Part of a greeting: «добрый», «день», "good", "morning", "guten", "Tag".
const GP: u16 = 1 << 1;
/// Thanks or goodbye by itself: «спасибо», "thanks", "bye", "tschüss".
const T: u16 = 1 << 2;
/// Part of a goodbye: «всего», «хорошего», "see", "bis", "bald".
const TP: u16 = 1 << 3;
/// Filler and politeness, fine in any small talk: «ок», «большое», "so", "much", "alles".
const F: u16 = 1 << 4;
/// Fine after a greeting: «у меня вопрос», "can you help me", "ich habe eine Frage".
const GA: u16 = 1 << 5;
/// Fine after thanks: «за помощь», "for your help", "das hat geholfen".
const TA: u16 = 1 << 6;
/// A person: «оператор», «человек», "agent", "human", "Mitarbeiter".
const P: u16 = 1 << 7;
/// A vague person, a request only with a verb: "someone", «кто-нибудь», "jemand".
const PW: u16 = 1 << 8;
/// A request verb: «позовите», «поговорить», "talk", "sprechen".
const V: u16 = 1 << 9;
/// Other words of a request: «живой», "real", "support", "bitte", «бот», «не».
const R: u16 = 1 << 10;
/// Function words, not counted in the length of a request: «с», "to", "the", "mit".
const FUNC: u16 = 1 << 11;

/// The most content words a request for a person may have.
const MAX_REQUEST_WORDS: usize = 7;
/// Longer messages are questions whatever their words.
const MAX_WORDS: usize = 24;

/// The words and their classes.
struct Lexicon {
    words: HashMap<String, u16>,
    /// Entries of 7+ letters, for typo matching.
    long: Vec<(Vec<char>, u16)>,
}

/// Lowercase, `ё` → `е`, German umlauts and `ß` folded.
fn normalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        match c {
            'ё' => out.push('е'),
            'ä' => out.push('a'),
            'ö' => out.push('o'),
            'ü' => out.push('u'),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(build_lexicon)
}

fn build_lexicon() -> Lexicon {
    let mut words: HashMap<String, u16> = HashMap::new();
    let mut add = |list: &str, class: u16| {
        for w in list.split_whitespace() {
            *words.entry(normalize(w)).or_default() |= class;
        }
    };

    // Greetings.
    add(
        "здравствуйте здравствуй здраствуйте здрасвуйте здрасте здрасьте здрасти драсте
         здарова здорова здаров привет приветик приветики приветы приветствую приветствуем
         прив превед привед хай хаюшки хей хэй хелло хеллоу хэллоу алло салют
         privet zdravstvuyte zdravstvujte
         hi hii hey heya hiya hello helo hellow hullo hallo hola howdy greetings yo morning
         moin moinsen servus gruezi grüß gruss grüss gruß",
        G,
    );
    add(
        "добрый доброе доброго добрейший доброй день дня денек денечек утро утра утречко вечер
         вечера вечерок времени суток
         good afternoon evening day guten gute tag morgen abend nabend",
        GP,
    );

    // Thanks and goodbyes.
    add(
        "спасибо спасибки спасибочки спасибушки спасиб спс спсб пасиба пасибо пасиб
         сенкс сенкью сенк благодарю благодарим благодарствую благодарна благодарен
         признательна признателен мерси досвидания свидания пока покеда бб
         spasibo spasibki sps poka
         thanks thank thanx thnx thnks thx tnx ty tyvm thankyou cheers merci bye byebye goodbye
         cya see ciao
         danke dankeschön dankesehr dank tschüss tschüs tschuess tschau wiedersehen
         wiederhören",
        T,
    );
    add(
        "всего хорошего удачи встречи спокойной ночи
         later soon ya nice care night
         bis bald später schönen schönes",
        TP,
    );

    // Filler and politeness.
    add(
        "ок окей оке окс оки ok okay okey kk хорошо хорошо ладно ладненько понятно понятненько
         ясно ясненько все всем отлично супер класс круто большое огромное большущее вам тебе
         вы мне очень пожалуйста пожалуйсто пжл пж плиз да ага угу ну а и но еще тоже вот
         тогда ой до понял поняла поддержка ребята друзья коллеги уважаемые уважаемый
         уважаемая раз снова
         so much very lot lots many a please pls plz yes yeah yep there everyone all guys
         folks team great perfect got it dear again and oh ah then well alright fine awesome
         cool too also you the s support hey
         bitte bitteschön ja sehr schön alles klar gut super zusammen leute nochmal mal und
         vielen besten herzlichen
         auch dann noch ihnen dir euch auf",
        F,
    );
    add(
        "у меня есть вопрос вопросик вопросы как дела подскажите подскажи можете можно помочь
         помогите один небольшой маленький
         i have question questions how are doing can could you help me quick small
         ich habe hätte eine frage fragen kurze kleine wie gehts geht es kann können sie mir
         helfen hilfe gott",
        GA,
    );
    add(
        "за помощь ответ ответы информацию инфу консультацию помогли помогло помог помогла
         помогаете быстро быстрый оперативно решен решили разобрался разобралась вашу вашей
         for your help helped answer answers info information quick fast reply response that
         was it has is
         für die ihre hilfe antwort auskunft info das hat war geholfen schnelle schnell",
        TA,
    );

    // People.
    let mut persons = String::new();
    for (stems, endings) in [
        (
            "оператор менеджер консультант специалист агент администратор эксперт саппорт",
            "- а у ом е ы ов ам ами ах",
        ),
        ("сотрудник", "- а у ом е и ов ам ами ах"),
        ("человек", "- а у ом е"),
        ("представител", "ь я ю ем е и ей ям ями"),
        ("сотрудниц", "а у ей ы"),
        ("люд", "и ей ям ьми"),
    ] {
        for stem in stems.split_whitespace() {
            for ending in endings.split_whitespace() {
                persons.push_str(stem);
                if ending != "-" {
                    persons.push_str(ending);
                }
                persons.push(' ');
            }
        }
    }
    add(&persons, P);
    add(
        "human humans person persons people agent agents operator operators representative
         representatives rep reps manager managers supervisor advisor adviser employee
         employees consultant specialist staff
         mitarbeiter mitarbeiterin mitarbeitern mensch menschen kundenberater kundenberaterin
         berater beraterin ansprechpartner ansprechpartnerin sachbearbeiter sachbearbeiterin
         servicemitarbeiter kundenbetreuer kundenbetreuerin betreuer personen",
        P,
    );
    add(
        "кто-нибудь кто-то кого-нибудь кого-то кем-нибудь кем-то
         someone somebody anyone anybody jemand jemanden jemandem",
        PW,
    );

    // Requests.
    add(
        "позовите позови позвать зовите зови соедините соедини соединить соединиться свяжите
         свяжи связать связаться поговорить поговорю говорить пообщаться общаться
         побеседовать переключите переключи переключить переведите переведи перевести
         подключите подключи подключить вызовите вызови вызвать пригласите пригласи хочу
         хотим хотел хотела хотелось нужен нужна нужно нужны надо требуется дайте дай давайте
         talk speak chat connect transfer want need reach
         sprechen reden verbinden verbinde möchte möchten will wollen brauche brauchen
         weiterleiten durchstellen",
        V,
    );
    add(
        "живой живым живого живому живая живую живые живыми реальный реальным реального
         реальному настоящий настоящим настоящего нормальный нормальным нормального обычный
         обычным поддержки поддержка поддержку поддержкой техподдержки техподдержка
         техподдержку службы служба службу клиентов клиентской срочно быстрее скорее
         побыстрее поскорее сейчас немедленно уже связь бот бота ботом боту робот робота
         роботом роботу автоответчик не хватит надоел надоело можно могу можете как есть
         помощь помощи
         live real actual actually get contact like let would could can may support customer
         service bot robot machine not no dont don t im m d ll urgent urgently now asap right
         away immediately directly just give put through ask request prefer rather instead
         than is there any available talking speaking how help assistance
         hätte gern gerne kann können könnte echten echter echtem echte richtigen richtiger
         richtigem menschlichen menschlicher lebenden kundenservice kundendienst support
         service kein keinen keine nicht bot roboter sofort dringend jetzt gibt persönlich
         hier da doch hilfe",
        R,
    );
    add(
        "с со на к ко мне меня мной я вы вас вам вами ваш вашим вашего вашему вашей вашу ваши
         вашими пожалуйста пжл пж плиз бы а и же ли уже или ну нам нас не
         i me to with a an the please pls plz can could would may you your us is there any
         of for as just d ll m s t dont don im from от von
         mit einem einer einen ein eine dem den der die mich mir ich zu zum zur sie ihnen
         bitte mal doch gerne gern es gibt",
        R | FUNC,
    );

    let long = words
        .iter()
        .filter(|(w, _)| w.chars().count() >= 7)
        .map(|(w, &c)| (w.chars().collect(), c))
        .collect();
    Lexicon { words, long }
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions), or `None`
/// when over `max`.
fn osa_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= max).then_some(prev[m])
}

/// `word` with runs of more than `keep` equal letters shortened to `keep`.
fn squeeze(word: &str, keep: usize) -> String {
    let mut out = String::with_capacity(word.len());
    let mut last = None;
    let mut run = 0;
    for c in word.chars() {
        if Some(c) == last {
            run += 1;
        } else {
            last = Some(c);
            run = 1;
        }
        if run <= keep {
            out.push(c);
        }
    }
    out
}

/// The classes of a normalized word; 0 if unknown.
fn lookup(word: &str) -> u16 {
    let lex = lexicon();
    if let Some(&c) = lex.words.get(word) {
        return c;
    }
    let two = squeeze(word, 2);
    if let Some(&c) = lex.words.get(&two) {
        return c;
    }
    if let Some(&c) = lex.words.get(&squeeze(word, 1)) {
        return c;
    }
    // Typos.
    let chars: Vec<char> = two.chars().collect();
    if chars.len() < 6 || chars.iter().any(|c| c.is_ascii_digit()) {
        return 0;
    }
    let mut best: Option<(usize, u16)> = None;
    for (entry, class) in &lex.long {
        let max = if entry.len() >= 10 && chars.len() >= 8 {
            2
        } else {
            1
        };
        if let Some(d) = osa_within(&chars, entry, max) {
            match best {
                Some((bd, bc)) if d == bd => best = Some((d, bc | class)),
                Some((bd, _)) if d > bd => {}
                _ => best = Some((d, *class)),
            }
        }
    }
    best.map_or(0, |(_, c)| c)
}

/// Splits text into normalized words: runs of letters and digits, with hyphens inside a word
/// kept («кто-нибудь»).
fn split_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let inner_hyphen =
            c == '-' && !cur.is_empty() && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || inner_hyphen {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(normalize(&std::mem::take(&mut cur)));
        }
    }
    if !cur.is_empty() {
        out.push(normalize(&cur));
    }
    out
}

/// The letter keys of QWERTY that are letters on ЙЦУКЕН.
fn is_qwerty_key(c: char) -> bool {
    c.is_ascii_alphabetic() || "[];',.`".contains(c)
}

fn is_jcuken_key(c: char) -> bool {
    layout::is_cyrillic_word(c.encode_utf8(&mut [0; 4]))
}

/// Converts a word typed on the wrong keyboard layout.
type Converter = fn(&str) -> Option<String>;

/// The words of a whitespace-separated piece typed on the wrong layout, if they are all known
/// after converting it («cgfcb,j!» → «спасибо»).
fn from_other_layout(piece: &str) -> Option<Vec<String>> {
    let mut tries: Vec<(&str, Converter)> = Vec::new();
    if piece.chars().any(|c| c.is_ascii_alphabetic()) {
        let core = piece.trim_matches(|c: char| !is_qwerty_key(c));
        tries.push((core, layout::en_to_ru));
        let bare = core.trim_end_matches([',', '.', ';']);
        if bare != core {
            tries.push((bare, layout::en_to_ru));
        }
    }
    if piece.chars().any(is_jcuken_key) {
        let core = piece.trim_matches(|c: char| !is_jcuken_key(c));
        tries.push((core, layout::ru_to_en));
    }
    for (text, convert) in tries {
        let Some(converted) = convert(text) else {
            continue;
        };
        let words = split_words(&converted);
        if !words.is_empty() && words.iter().all(|w| lookup(w) != 0) {
            return Some(words);
        }
    }
    None
}

/// The words of a message with their classes (0 for unknown).
fn words_of(text: &str) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    for piece in text.split_whitespace() {
        let direct = split_words(piece);
        if !direct.is_empty() && direct.iter().all(|w| lookup(w) != 0) {
            out.extend(direct.into_iter().map(|w| {
                let c = lookup(&w);
                (w, c)
            }));
            continue;
        }
        let words = from_other_layout(piece).unwrap_or(direct);
        out.extend(words.into_iter().map(|w| {
            let c = lookup(&w);
            (w, c)
        }));
        if out.len() > MAX_WORDS {
            break;
        }
    }
    out
}

/// Classifies a message in any of the supported languages.
pub fn classify(text: &str) -> Intent {
    let text: String = text.chars().take(1000).collect();
    let words = words_of(&text);
    if words.is_empty() {
        // Only emoji or punctuation.
        if text.contains(['🙏', '👍', '🤝', '💐']) {
            return Intent::Thanks;
        }
        if text.contains(['👋', '🖐']) {
            return Intent::Greeting;
        }
        return Intent::Question;
    }
    if words.len() > MAX_WORDS {
        return Intent::Question;
    }
    let any = |class: u16| words.iter().any(|(_, c)| c & class != 0);
    let all = |classes: u16| words.iter().all(|(_, c)| c & classes != 0);
    let count = |pred: &dyn Fn(u16) -> bool| words.iter().filter(|(_, c)| pred(*c)).count();

    // A request for a person: a person, nothing but request words and small talk, short.
    if any(P) || (any(PW) && any(V)) {
        let request_words = count(&|c| c & (P | PW | V | R) != 0 && c & FUNC == 0);
        if all(P | PW | V | R | FUNC | G | GP | T | F) && request_words <= MAX_REQUEST_WORDS {
            return Intent::Human;
        }
    }

    // Small talk: only greetings, thanks, goodbyes and what goes with them.
    let mut allowed = G | GP | T | TP | F;
    if any(G | GP) {
        allowed |= GA;
    }
    if any(T) {
        allowed |= TA;
    }
    if all(allowed) {
        let whole = count(&|c| c & (G | T) != 0);
        let parts = count(&|c| c & (G | T) == 0 && c & (GP | TP) != 0);
        if whole >= 1 || parts >= 2 {
            return if any(T | TP) {
                Intent::Thanks
            } else {
                Intent::Greeting
            };
        }
    }
    Intent::Question
}

#[cfg(test)]
mod tests {
    use super::*;
    use Intent::*;

    fn check(expected: Intent, cases: &[&str]) {
        let wrong: Vec<String> = cases
            .iter()
            .map(|t| (t, classify(t)))
            .filter(|(_, got)| *got != expected)
            .map(|(t, got)| format!("{t:?} → {got:?}"))
            .collect();
        assert!(
            wrong.is_empty(),
            "expected {expected:?}:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn greetings() {
        check(
            Greeting,
            &[
                // Russian.
                "Здравствуйте!",
                "здравствуйте",
                "Здраствуйте",
                "здрасте",
                "Здрасвуйте",
                "добрый день",
                "Добрый вечер!",
                "доброе утро",
                "привет",
                "Приветик)",
                "хай",
                "доброго времени суток",
                "ПРИВЕТ!!!",
                "привееет",
                "Добрый день 👋",
                "  добрый    день  ",
                "приветствую",
                "салют",
                "Здравствуйте, у меня вопрос",
                "Здравствуйте, подскажите пожалуйста",
                "привет, как дела?",
                "ghbdtn",
                "Lj,hsq ltym",
                "Здравствуйте, уважаемая поддержка",
                // English.
                "hi",
                "Hi!",
                "hello there",
                "good morning",
                "Good evening",
                "hey",
                "hey there!",
                "Hello, I have a question",
                "hiii",
                "hi team",
                "Hello, can you help me?",
                "Morning!",
                "hi 🙂",
                "руддщ",
                // German.
                "Hallo",
                "Guten Tag",
                "Moin",
                "Moin moin!",
                "Servus",
                "Guten Morgen",
                "Hallo zusammen",
                "Grüß Gott",
                "Hallo, ich habe eine Frage",
                "Guten Abend",
                "GUTEN TAG!",
                // Emoji.
                "👋",
            ],
        );
    }

    #[test]
    fn thanks_and_goodbyes() {
        check(
            Thanks,
            &[
                // Russian.
                "спасибо",
                "Спасибо!",
                "спасибо большое, всё понятно",
                "спасибо большое, все понятно",
                "благодарю",
                "ок, спасибо",
                "до свидания",
                "спасибки",
                "спс",
                "пасиба",
                "спасибо огромное!!!",
                "Спасибо, вы мне очень помогли",
                "cgfcb,j",
                "cgfcb,j!",
                "благодарю за помощь",
                "всего доброго",
                "пока",
                "спасибо, до свидания",
                "ясно, спасибо",
                "Спасибо за ответ)",
                "СПАСИБО",
                "благадарю",
                "досвидания",
                "хорошего дня",
                "спасибооо",
                "спасибо 🙏",
                "Привет, спасибо!",
                // English.
                "thanks!",
                "thank you, bye",
                "cheers",
                "thx",
                "ty",
                "Thank you so much for your help",
                "thanks, that helped",
                "ok thanks",
                "bye",
                "goodbye",
                "see you",
                "great, thanks a lot",
                "Thanks!!!",
                "have a nice day",
                "ерфтлы",
                "Cgfcb,j ,jkmijt",
                // German.
                "danke",
                "vielen Dank",
                "tschüss",
                "Danke schön",
                "Dankeschön",
                "Auf Wiedersehen",
                "danke, das hat geholfen",
                "Tschüs!",
                "Vielen Dank für Ihre Hilfe",
                "bis bald",
                "alles klar, danke",
                "tschuess",
                // Emoji.
                "🙏",
                "👍",
            ],
        );
    }

    #[test]
    fn requests_for_a_person() {
        check(
            Human,
            &[
                // Russian.
                "оператор",
                "Оператор!",
                "ОПЕРАТОР!!!",
                "позовите оператора",
                "живой человек",
                "позовите менеджера",
                "соедините со специалистом",
                "хочу поговорить с человеком",
                "можно с человеком?",
                "консультант",
                "сотрудник поддержки",
                "оператора пожалуйста",
                "здравствуйте, оператора пожалуйста",
                "Добрый день! Позовите, пожалуйста, живого оператора",
                "переключите на оператора",
                "нужен живой оператор",
                "дайте человека",
                "бот, позови человека",
                "не хочу с ботом, дайте человека",
                "свяжите меня с представителем",
                "как связаться с оператором?",
                "хочу к оператору",
                "переведите на живого сотрудника",
                "менеджер",
                "аператор",
                "опреатор пожалуйста",
                "jgthfnjh",
                "gjpjdbnt jgthfnjhf",
                "есть живые люди?",
                "позовите кого-нибудь",
                "спасибо, но позовите оператора",
                "нужна помощь оператора",
                "мне нужен менеджер",
                "дайте оператора срочно!!!",
                "xtkjdtr",
                // English.
                "agent",
                "human",
                "talk to a human",
                "real person",
                "speak to someone",
                "representative",
                "operator",
                "I want to speak to a manager",
                "can I talk to a live agent please",
                "get me a human!!!",
                "human please",
                "connect me with support staff",
                "Is there a real person I can talk to?",
                "hi, can I speak to an agent?",
                "transfer me to an operator",
                "not a bot, a human",
                "I'd like to talk to a customer service representative",
                "chat with agent",
                "I need help from a human",
                // German.
                "Mitarbeiter",
                "mit einem Menschen sprechen",
                "Kundenberater",
                "Ich möchte mit einem Mitarbeiter sprechen",
                "Kann ich bitte mit einem echten Menschen reden?",
                "Mitarbeiter bitte",
                "Bitte verbinden Sie mich mit einem Berater",
                "Ich brauche einen Ansprechpartner",
                "Hallo, ich hätte gern einen Mitarbeiter",
                "Kein Bot, ein Mensch bitte",
                "Ich möchte mit jemandem sprechen",
                "Guten Tag, ich möchte mit einem Mitarbeiter sprechen",
            ],
        );
    }

    #[test]
    fn questions() {
        check(
            Question,
            &[
                "Здравствуйте, как вернуть товар?",
                "спасибо, а как оплатить картой?",
                "где мой заказ",
                "добрый день, не пришёл заказ",
                "привет, доставка в Казань?",
                "здравствуйте, ljcnfdrf",
                "спасибо, что вы есть, но заказ так и не пришёл",
                "как оплатить",
                "hi, where is my order?",
                "thanks, but how do I return it?",
                "refund",
                "Hallo, wie kann ich bestellen?",
                "Danke, aber wo ist mein Paket?",
                "ок",
                "отлично",
                "good",
                "день",
                "alles klar",
                "",
                "   ",
                "?",
                "😀",
                "24/7",
                "ljcnfdrf",
                "привез?",
                "пока не пришёл заказ",
                "help",
                "someone",
                "support",
                "thanks for nothing",
            ],
        );
    }

    #[test]
    fn person_words_in_questions_are_not_requests() {
        check(
            Question,
            &[
                "как стать оператором пункта выдачи?",
                "агентский договор",
                "менеджер не перезвонил, где мой заказ?",
                "хочу стать менеджером",
                "оператор связи",
                "курьер сказал позвонить оператору",
                "сколько человек работает в поддержке",
                "ваш оператор мне нагрубил",
                "консультант в магазине сказал, что можно вернуть",
                "где найти агента по доставке",
                "how do I become a delivery agent",
                "agent fees",
                "my agent said the parcel is lost",
                "Human resources",
                "Is the operator of this site GDPR compliant?",
                "the manager never called me back, where is my order?",
                "tour operator",
                "real person verification",
                "Wie werde ich Mitarbeiter bei euch?",
                "Der Mitarbeiter hat mein Paket beschädigt",
                "Hello? Anyone there?",
                "оператор не отвечает",
                "когда работает оператор",
                "операторы работают круглосуточно?",
                "оператор, я хочу вернуть деньги",
                // A request buried in a long message is a question (the bot searches first).
                "Здравствуйте, позовите оператора, мне нужно вернуть деньги за заказ",
                "please please please please let me talk talk talk talk to a real live human agent",
            ],
        );
    }

    #[test]
    fn word_helpers() {
        assert_eq!(squeeze("привееет", 2), "привеет");
        assert_eq!(squeeze("привееет", 1), "привет");
        assert_eq!(osa_within(&['a', 'b'], &['b', 'a'], 1), Some(1));
        assert_eq!(
            osa_within(
                &"здраствуйте".chars().collect::<Vec<_>>(),
                &"здравствуйте".chars().collect::<Vec<_>>(),
                1
            ),
            Some(1)
        );
        assert_eq!(osa_within(&['a'; 3], &['b'; 6], 2), None);
        assert_eq!(split_words("Кто-нибудь, hi!!"), ["кто-нибудь", "hi"]);
        assert_eq!(normalize("Tschüß ЁЖ"), "tschuss еж");
        assert_ne!(lookup("спасибо") & T, 0);
        assert_eq!(lookup("доставка"), 0);
    }
}
