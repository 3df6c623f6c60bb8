//! Wrong keyboard layout: text typed with the Russian ЙЦУКЕН layout active while meaning
//! English (QWERTY) letters, or the other way round. «ljcnfdrf» is «доставка», «сфтсуд» is «cancel».

const QWERTY: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
const JCUKEN: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";

fn map_char(c: char, from: &str, to: &str) -> Option<char> {
    let lower = c.to_lowercase().next()?;
    let i = from.chars().position(|f| f == lower)?;
    to.chars().nth(i)
}

/// Converts a word typed on the Russian layout that was meant in QWERTY letters, or
/// `None` if it has characters that are not on the Russian layout's letter keys.
pub fn ru_to_en(word: &str) -> Option<String> {
    convert(word, JCUKEN, QWERTY, |c| c.is_alphabetic())
}

/// Converts a word typed on QWERTY that was meant in Russian letters (`,` is `б`, `;` is `ж`…),
/// or `None` if it has characters that are not on the letter keys.
pub fn en_to_ru(word: &str) -> Option<String> {
    convert(word, QWERTY, JCUKEN, |c| c.is_ascii_alphabetic())
}

fn convert(word: &str, from: &str, to: &str, letter: impl Fn(char) -> bool) -> Option<String> {
    let mut out = String::with_capacity(word.len() * 2);
    let mut letters = 0;
    for c in word.chars() {
        if letter(c) {
            letters += 1;
        }
        out.push(map_char(c, from, to)?);
    }
    (letters >= 1).then_some(out)
}

/// Whether a word is written in Cyrillic letters only.
pub fn is_cyrillic_word(word: &str) -> bool {
    word.chars()
        .all(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qwerty_to_russian() {
        assert_eq!(en_to_ru("ljcnfdrf").as_deref(), Some("доставка"));
        assert_eq!(en_to_ru("ghbdtn").as_deref(), Some("привет"));
        assert_eq!(en_to_ru("J,VTY").as_deref(), Some("обмен"));
        assert_eq!(en_to_ru("ytn").as_deref(), Some("нет"));
        assert_eq!(en_to_ru("a1"), None);
        assert_eq!(en_to_ru("d").as_deref(), Some("в"));
    }

    #[test]
    fn russian_to_qwerty() {
        assert_eq!(ru_to_en("сфтсуд").as_deref(), Some("cancel"));
        assert_eq!(ru_to_en("куагтв").as_deref(), Some("refund"));
        assert_eq!(ru_to_en("hello"), None);
    }
}
