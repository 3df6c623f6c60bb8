//! Masking card security codes (`[cvv]`: 3–4 digits after a label such as `CVV`) and card
//! expiry dates (`[expiry]`: an `MM/YY` said to be a validity); the rules are in [`super`].

use super::numbers::{digits_after, digits_before, is_dash, is_ident_char, is_space};

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The end of `word` (lower-case) if it is at `p`, in any case.
fn word_at(chars: &[char], p: usize, word: &str) -> Option<usize> {
    let mut q = p;
    for w in word.chars() {
        if chars.get(q).copied().map(lower) != Some(w) {
            return None;
        }
        q += 1;
    }
    Some(q)
}

/// Whether a letter follows at `p` (the word at hand goes on).
fn letter_at(chars: &[char], p: usize) -> bool {
    chars.get(p).is_some_and(|c| c.is_alphabetic())
}

/// The end of one security-code label at `p`: `cvv`, `cvc`, `cvv2`, `cvc2`, each optionally with
/// «-код» or « код», or «код безопасности».
fn cvv_label_at(chars: &[char], p: usize) -> Option<usize> {
    if let Some(e) = word_at(chars, p, "код")
        && chars.get(e).is_some_and(|c| is_space(*c))
        && let Some(e) = word_at(chars, e + 1, "безопасности")
    {
        return (!letter_at(chars, e)).then_some(e);
    }
    let mut e = word_at(chars, p, "cvv").or_else(|| word_at(chars, p, "cvc"))?;
    // «cvv2123» is cvv and 2123, «cvv2 123» is cvv2 and 123.
    if chars.get(e) == Some(&'2') && !chars.get(e + 1).is_some_and(char::is_ascii_digit) {
        e += 1;
    }
    if chars.get(e).is_some_and(|c| is_dash(*c) || is_space(*c))
        && let Some(k) = word_at(chars, e + 1, "код")
        && !letter_at(chars, k)
    {
        e = k;
    }
    (!letter_at(chars, e)).then_some(e)
}

/// The end of the security-code label at `p` (several joined by `/`, as in `CVV/CVC`), if one
/// starts there.
fn cvv_label_end(chars: &[char], p: usize) -> Option<usize> {
    if p > 0 && chars[p - 1].is_alphanumeric() {
        return None;
    }
    let mut end = cvv_label_at(chars, p)?;
    while chars.get(end) == Some(&'/')
        && let Some(e) = cvv_label_at(chars, end + 1)
    {
        end = e;
    }
    Some(end)
}

/// Whether the number ending at `p` goes on: into a digit, a `/`, a Latin letter, or a decimal
/// part.
fn number_goes_on(chars: &[char], p: usize) -> bool {
    match chars.get(p) {
        Some(c) if is_ident_char(*c) || c.is_ascii_digit() || *c == '/' => true,
        Some('.' | ',' | ':') => chars.get(p + 1).is_some_and(char::is_ascii_digit),
        _ => false,
    }
}

pub(super) fn mask_cvv(text: &str) -> String {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return text.to_string();
    }
    replace_spans(text, "[cvv]", |chars, i| {
        let Some(end) = cvv_label_end(chars, i) else {
            return Err(i + 1);
        };
        let mut p = end;
        while p < chars.len()
            && p - end < 3
            && (is_space(chars[p]) || is_dash(chars[p]) || matches!(chars[p], ':' | '—'))
        {
            p += 1;
        }
        let d = digits_after(chars, p);
        if (3..=4).contains(&d) && !number_goes_on(chars, p + d) {
            Ok((p, p + d))
        } else {
            Err(end)
        }
    })
}

/// `text` with the spans `find` reports replaced by `marker`: at each position `find` answers
/// `Ok((start, end))` (mask `start..end`, go on at `end`) or `Err(next)` (go on at `next`, after
/// the position).
fn replace_spans(
    text: &str,
    marker: &str,
    find: impl Fn(&[char], usize) -> Result<(usize, usize), usize>,
) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < chars.len() {
        match find(&chars, i) {
            Ok((start, end)) => {
                out.extend(&chars[copied..start]);
                out.push_str(marker);
                copied = end;
                i = end;
            }
            Err(next) => i = next,
        }
    }
    out.extend(&chars[copied..]);
    out
}

/// Words that say a date is a card's validity.
fn is_expiry_word(w: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "срок",
        "действ",
        "годн",
        "expir",
        "valid",
        "gültig",
        "gueltig",
        "ablauf",
    ];
    PREFIXES.iter().any(|p| w.starts_with(p)) || matches!(w, "exp" | "годен")
}

/// Up to `n` words before `pos`, nearest first, lower-cased; a masked `[card]` or `[cvv]` is one
/// word, brackets included.
fn words_before(chars: &[char], pos: usize, n: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut p = pos;
    while words.len() < n {
        while p > 0 && !chars[p - 1].is_alphanumeric() && chars[p - 1] != ']' {
            p -= 1;
        }
        if p == 0 {
            break;
        }
        if chars[p - 1] == ']' {
            let mut q = p - 1;
            while q > 0 && chars[q - 1].is_ascii_lowercase() {
                q -= 1;
            }
            if q > 0 && chars[q - 1] == '[' {
                words.push(chars[q - 1..p].iter().collect());
                p = q - 1;
            } else {
                p -= 1;
            }
            continue;
        }
        let end = p;
        while p > 0 && chars[p - 1].is_alphanumeric() {
            p -= 1;
        }
        words.push(chars[p..end].iter().map(|c| lower(*c)).collect());
    }
    words
}

/// Up to `n` words after `pos`, lower-cased.
fn words_after(chars: &[char], pos: usize, n: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut p = pos;
    while words.len() < n {
        while p < chars.len() && !chars[p].is_alphanumeric() {
            p += 1;
        }
        if p == chars.len() {
            break;
        }
        let start = p;
        while p < chars.len() && chars[p].is_alphanumeric() {
            p += 1;
        }
        words.push(chars[start..p].iter().map(|c| lower(*c)).collect());
    }
    words
}

/// The end of an `MM/YY` or `MM/20YY` date starting at `i`, not part of a longer number or date.
fn month_year_at(chars: &[char], i: usize) -> Option<usize> {
    let before_ok = match i.checked_sub(1).map(|b| chars[b]) {
        None => true,
        Some(c) if c.is_ascii_digit() || c == '/' || is_ident_char(c) => false,
        Some('.' | ',' | ':') => digits_before(chars, i - 1) == 0,
        Some(_) => true,
    };
    if !before_ok || digits_after(chars, i) != 2 || chars.get(i + 2) != Some(&'/') {
        return None;
    }
    let month = (chars[i] as u32 - '0' as u32) * 10 + (chars[i + 1] as u32 - '0' as u32);
    let year = digits_after(chars, i + 3);
    let year_ok = year == 2 || (year == 4 && chars[i + 3] == '2' && chars[i + 4] == '0');
    let end = i + 3 + year;
    ((1..=12).contains(&month) && year_ok && !number_goes_on(chars, end)).then_some(end)
}

pub(super) fn mask_expiry(text: &str) -> String {
    if !text.contains('/') {
        return text.to_string();
    }
    replace_spans(text, "[expiry]", |chars, i| {
        let Some(end) = chars[i]
            .is_ascii_digit()
            .then(|| month_year_at(chars, i))
            .flatten()
        else {
            return Err(i + 1);
        };
        let before = words_before(chars, i, 3);
        let card = before.iter().take(2).any(|w| w == "[card]" || w == "[cvv]");
        let said = |w: &String| is_expiry_word(w);
        if card || before.iter().any(said) || words_after(chars, end, 2).iter().any(said) {
            Ok((i, end))
        } else {
            Err(end)
        }
    })
}
