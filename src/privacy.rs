//! Masking personal data (emails, phone and card numbers, card security codes and expiry dates)
//! in texts kept for reports.
//!
//! A hand-written scanner, no regular expressions. The rules:
//!
//! - **Email**: `local@domain.tld`, letters of any script, digits and `._%+-` in the local part,
//!   a domain with at least two labels and a top-level label of two or more letters.
//! - **Numbers** are read as runs of digit groups joined by short separators (a space, a
//!   non-breaking or thin space, `-`, `–`, `/`, parentheses; at most three characters with at
//!   most one space between two groups), optionally starting with `+` or `(`. A run is cut into
//!   the longest leading pieces that are a card or a phone number; the rest is kept as typed.
//! - **Card**: 13–19 digits, ungrouped or grouped by spaces or dashes (first group of 4, the
//!   others of 3–6, the last of 1–6), that pass the Luhn check; and any 4-4-4-4 grouping even
//!   if it does not (a mistyped card is still a card).
//! - **Phone**: with a leading `+`, 8–15 digits (exactly 11 after `+7`); with parentheses,
//!   10–15 digits; otherwise 10–15 digits either without any separator or grouped like a phone
//!   (at most six groups, all of at most 4 digits except the last, of at most 8, at least one of
//!   3 or more; not thousands like `1 234 567 890`, not `2021 2022 2023`).
//! - **Kept**: an ungrouped number right after an identifier word («заказ», «номер заказа»,
//!   "order no.", "Bestellung", «трек», «артикул», "ticket", `#`, `№` …) is an order or
//!   tracking number, not a phone (a Luhn-valid card number is still masked); numbers glued to
//!   Latin letters (`SKU4815162342`, `RA123456789RU`) are identifiers; a number continuing a
//!   short one across `.`, `,` or `:` (`3,14159265358979`, `1234567890.50`) is a decimal;
//!   dates, times, prices, postcodes and other short numbers never reach 10 digits.
//! - **Security code** (`[cvv]`): 3–4 digits right after a label — `cvv`, `cvc`, `cvv2`, `cvc2`,
//!   «cvv-код», «код безопасности», any case, several joined by `/` (`CVV/CVC`) — and at most
//!   three `:`, dashes or spaces; not when more digits, a Latin letter or a decimal part follow.
//!   A bare «код 123» is kept: too many other codes look like that.
//! - **Expiry date** (`[expiry]`): `MM/YY` or `MM/20YY` (month 01–12), not part of a longer
//!   date (`12/05/2024`) or number, when one of the three words before it or the two after it
//!   speaks of validity («срок», «действ…», «годн…», "exp", "expir…", "valid…", "gültig",
//!   "Ablauf…"), or right after a masked card number or security code (at most one word
//!   between: «[card] до 12/25»).
//!
//! [`retention`] removes old conversation texts when `--retention-days` is set.

pub mod retention;

/// `text` with emails, phone numbers, card numbers, card security codes and expiry dates
/// replaced by `[email]`, `[phone]`, `[card]`, `[cvv]`, `[expiry]`.
pub fn mask_pii(text: &str) -> String {
    // Security codes first, so a code is not read as the start of a phone number with the card
    // after it; expiry dates last, as they are recognized after a masked card number.
    mask_expiry(&mask_numbers(&mask_cvv(&mask_emails(text))))
}

// ---------------------------------------------------------------------------------------------
// Emails

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

fn valid_domain(domain: &[char]) -> bool {
    let domain: String = domain.iter().collect();
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && tld.chars().count() >= 2
        && tld.chars().all(char::is_alphabetic)
}

fn mask_emails(text: &str) -> String {
    if !text.contains('@') {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0; // chars before this index are in `out`
    for at in 0..chars.len() {
        if chars[at] != '@' || at < copied {
            continue;
        }
        let mut l = at;
        while l > copied && is_local_char(chars[l - 1]) {
            l -= 1;
        }
        while l < at && matches!(chars[l], '.' | '-' | '+' | '%') {
            l += 1;
        }
        if l == at {
            continue;
        }
        let mut r = at + 1;
        while r < chars.len() && is_domain_char(chars[r]) {
            r += 1;
        }
        while r > at + 1 && matches!(chars[r - 1], '.' | '-') {
            r -= 1;
        }
        if !valid_domain(&chars[at + 1..r]) {
            continue;
        }
        out.extend(&chars[copied..l]);
        out.push_str("[email]");
        copied = r;
    }
    out.extend(&chars[copied..]);
    out
}

// ---------------------------------------------------------------------------------------------
// Phone and card numbers

/// Digits of one group: `start..end` in chars.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// What separates two groups.
#[derive(Debug, Clone, Copy, Default)]
struct Sep {
    space: bool,
    dash: bool,
    slash: bool,
    paren: bool,
}

/// A run of digit groups, as found in the text.
#[derive(Debug)]
struct Run {
    /// Where the run starts: its `+` or valid leading `(`, or its first digit.
    start: usize,
    plus: bool,
    /// A `(` before the first group, closed right after it.
    lead_paren: bool,
    groups: Vec<Group>,
    /// `seps[i]` is between `groups[i]` and `groups[i + 1]`.
    seps: Vec<Sep>,
    /// The first group continues something before it (a letter, a short number and `.`).
    start_tainted: bool,
    /// The last group goes on into something after it.
    end_tainted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Phone,
    Card,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{2007}')
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '‑' | '−')
}

fn is_sep_char(c: char) -> bool {
    is_space(c) || is_dash(c) || matches!(c, '/' | '(' | ')')
}

/// A letter or `_` glued to a number makes it part of an identifier; only Latin letters, as
/// Russian text often lacks the space («тел89123456789»).
fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

/// The number of digits right before `i` (exclusive), going backwards.
fn digits_before(chars: &[char], i: usize) -> usize {
    chars[..i]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

fn digits_after(chars: &[char], i: usize) -> usize {
    chars[i..].iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Reads the run of digit groups starting at `i`, if one starts there.
fn read_run(chars: &[char], i: usize) -> Option<Run> {
    let n = chars.len();
    let digit_at = |p: usize| p < n && chars[p].is_ascii_digit();
    let mut p = i;
    let plus = chars[p] == '+';
    if plus {
        p += 1;
        if p < n && is_space(chars[p]) && digit_at(p + 1) {
            p += 1;
        }
    }
    let raw_lead_paren = p < n && chars[p] == '(';
    if raw_lead_paren {
        p += 1;
    }
    if !digit_at(p) {
        return None;
    }
    let first_digit = p;
    let mut groups = Vec::new();
    let mut seps = Vec::new();
    loop {
        let start = p;
        while digit_at(p) {
            p += 1;
        }
        groups.push(Group { start, end: p });
        let mut q = p;
        let mut sep = Sep::default();
        let (mut spaces, mut dashes, mut open, mut close) = (0, 0, 0, 0);
        while q < n && q - p < 3 && is_sep_char(chars[q]) {
            let c = chars[q];
            if is_space(c) {
                spaces += 1;
                sep.space = true;
            } else if is_dash(c) || c == '/' {
                dashes += 1;
                sep.dash |= is_dash(c);
                sep.slash |= c == '/';
            } else if c == '(' {
                open += 1;
                sep.paren = true;
            } else {
                close += 1;
                sep.paren = true;
            }
            q += 1;
        }
        let ok = q > p && digit_at(q) && spaces <= 1 && dashes <= 1 && open <= 1 && close <= 1;
        if !ok {
            break;
        }
        seps.push(sep);
        p = q;
    }
    // A leading '(' counts only when it closes right after the first group and more digits
    // follow («(495) 123-45-67»); otherwise the run starts at its first digit.
    let lead_paren = raw_lead_paren && seps.first().is_some_and(|s| s.paren);
    let (start, plus) = if raw_lead_paren && !lead_paren {
        (first_digit, false)
    } else {
        (i, plus)
    };

    let before = start.checked_sub(1).map(|b| chars[b]);
    let start_tainted = match before {
        Some(c) if is_ident_char(c) || c.is_ascii_digit() => true,
        Some('.' | ',' | ':') => {
            let d = digits_before(chars, start - 1);
            d > 0 && d <= 4
        }
        _ => false,
    };
    let after = chars.get(p).copied();
    let end_tainted = match after {
        Some(c) if is_ident_char(c) => true,
        Some('.' | ',' | ':') => {
            let d = digits_after(chars, p + 1);
            d > 0 && d <= 4
        }
        _ => false,
    };
    Some(Run {
        start,
        plus,
        lead_paren,
        groups,
        seps,
        start_tainted,
        end_tainted,
    })
}

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = d as u32;
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Words before a number that make an ungrouped number an identifier, not a phone.
fn is_id_word(w: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "заказ",
        "order",
        "bestell",
        "auftrag",
        "трек",
        "track",
        "sendung",
        "посылк",
        "отправлени",
        "накладн",
        "артикул",
        "sku",
        "штрихкод",
        "barcode",
        "artikel",
        "invoice",
        "rechnung",
        "квитанц",
        "тикет",
        "ticket",
        "обращени",
        "заявк",
        "счет",
        "счёт",
    ];
    PREFIXES.iter().any(|p| w.starts_with(p)) || matches!(w, "id" | "арт" | "ean" | "ref")
}

/// Whether an identifier word («заказ», "order no.", `#`, `№`) is among the two words before
/// `pos`.
fn after_id_word(chars: &[char], pos: usize) -> bool {
    let mut p = pos;
    for _ in 0..2 {
        while p > 0
            && (is_space(chars[p - 1]) || matches!(chars[p - 1], ':' | '.' | '-' | '«' | '"'))
        {
            p -= 1;
        }
        if p > 0 && matches!(chars[p - 1], '#' | '№') {
            return true;
        }
        let end = p;
        while p > 0 && chars[p - 1].is_alphabetic() {
            p -= 1;
        }
        if p == end {
            return false;
        }
        let word: String = chars[p..end]
            .iter()
            .flat_map(|c| c.to_lowercase())
            .collect();
        if is_id_word(&word) {
            return true;
        }
    }
    false
}

/// Whether groups of these sizes, joined by these separators, look like a phone number.
fn phone_grouping(sizes: &[usize], seps: &[Sep]) -> bool {
    let (first, last) = (sizes[0], sizes[sizes.len() - 1]);
    let spaces_only = seps
        .iter()
        .all(|s| s.space && !s.dash && !s.slash && !s.paren);
    let thousands = (1..=3).contains(&first) && sizes[1..].iter().all(|&s| s == 3);
    let all_fours = sizes.iter().all(|&s| s == 4);
    sizes.len() <= 6
        && first <= 4
        && sizes[1..sizes.len() - 1].iter().all(|&s| s <= 4)
        && last <= 8
        && sizes.iter().any(|&s| s >= 3)
        && !(spaces_only && (thousands || all_fours))
}

/// Whether groups of these sizes look like a card number's.
fn card_grouping(sizes: &[usize]) -> bool {
    let n = sizes.len();
    n == 1
        || (sizes[0] == 4
            && sizes[1..n - 1].iter().all(|s| (3..=6).contains(s))
            && (1..=6).contains(&sizes[n - 1]))
}

/// What `run.groups[k..m]` is, if anything.
fn classify(chars: &[char], run: &Run, k: usize, m: usize) -> Option<Kind> {
    let groups = &run.groups[k..m];
    let seps = &run.seps[k..m - 1];
    let plus = k == 0 && run.plus;
    let paren = (k == 0 && run.lead_paren) || seps.iter().any(|s| s.paren);
    let digits: Vec<u8> = groups
        .iter()
        .flat_map(|g| chars[g.start..g.end].iter().map(|c| *c as u8 - b'0'))
        .collect();
    let d = digits.len();
    let sizes: Vec<usize> = groups.iter().map(Group::len).collect();

    let card_seps = seps
        .iter()
        .all(|s| !s.paren && !s.slash && (s.space != s.dash))
        && (seps.iter().all(|s| s.space) || seps.iter().all(|s| s.dash));
    if !plus && !paren && card_seps && (13..=19).contains(&d) {
        if card_grouping(&sizes) && luhn(&digits) {
            return Some(Kind::Card);
        }
        if sizes == [4, 4, 4, 4] {
            return Some(Kind::Card);
        }
    }

    let phone = if plus {
        (8..=15).contains(&d)
            && (digits[0] != 7 || d == 11)
            && (sizes.len() == 1 || sizes.iter().all(|&s| s <= 8))
    } else if paren {
        (10..=15).contains(&d)
    } else if groups.len() == 1 {
        let start = if k == 0 { run.start } else { groups[0].start };
        (10..=15).contains(&d) && !after_id_word(chars, start)
    } else {
        (10..=15).contains(&d) && phone_grouping(&sizes, seps)
    };
    phone.then_some(Kind::Phone)
}

fn mask_numbers(text: &str) -> String {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let may_start = c.is_ascii_digit()
            || ((c == '+' || c == '(')
                && (i == 0 || !chars[i - 1].is_ascii_digit())
                && chars[i + 1..].iter().take(2).any(|c| c.is_ascii_digit()));
        let run = if may_start { read_run(&chars, i) } else { None };
        let Some(run) = run else {
            i += 1;
            continue;
        };
        let g = run.groups.len();
        let end = run.groups[g - 1].end;
        let mut k = usize::from(run.start_tainted);
        let last = if run.end_tainted { g - 1 } else { g };
        while k < last {
            let found = (k + 1..=last)
                .rev()
                .find_map(|m| classify(&chars, &run, k, m).map(|kind| (m, kind)));
            match found {
                Some((m, kind)) => {
                    let start = if k == 0 {
                        run.start
                    } else {
                        run.groups[k].start
                    };
                    out.extend(&chars[copied..start]);
                    out.push_str(match kind {
                        Kind::Phone => "[phone]",
                        Kind::Card => "[card]",
                    });
                    copied = run.groups[m - 1].end;
                    k = m;
                }
                None => k += 1,
            }
        }
        i = end.max(i + 1);
    }
    out.extend(&chars[copied..]);
    out
}

// ---------------------------------------------------------------------------------------------
// Card security codes and expiry dates

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

fn mask_cvv(text: &str) -> String {
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

fn mask_expiry(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(cases: &[(&str, &str)]) {
        let mut failures = Vec::new();
        for (input, expected) in cases {
            let got = mask_pii(input);
            if &got != expected {
                failures.push(format!("{input:?}\n   got {got:?}\n  want {expected:?}"));
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    /// Texts the masking must leave as they are.
    fn check_kept(texts: &[&str]) {
        let failures: Vec<_> = texts
            .iter()
            .filter(|t| mask_pii(t) != **t)
            .map(|t| format!("{t:?} → {:?}", mask_pii(t)))
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn emails() {
        check(&[
            (
                "пишите на ivan.petrov@mail.ru, спасибо",
                "пишите на [email], спасибо",
            ),
            ("Email: John.Doe+shop@example.co.uk.", "Email: [email]."),
            ("иван@почта.рф", "[email]"),
            ("почта:test@example.com", "почта:[email]"),
            ("(a.b@c.de)", "([email])"),
            ("x@y.com и z_1@w-w.org", "[email] и [email]"),
            ("ivan89123456789@mail.ru", "[email]"),
            ("«anna@gmx.de»", "«[email]»"),
            ("mail me: .anna@gmx.de!", "mail me: .[email]!"),
            ("user@localhost", "user@localhost"),
            ("@username", "@username"),
            ("a@b", "a@b"),
            ("foo@bar.c", "foo@bar.c"),
            ("50 @ 5 руб", "50 @ 5 руб"),
            ("скидка 5%@всё", "скидка 5%@всё"),
            ("a@-b.com", "a@-b.com"),
            ("@@@.ru", "@@@.ru"),
        ]);
    }

    #[test]
    fn russian_phones() {
        check(&[
            ("+7 (912) 345-67-89", "[phone]"),
            (
                "мой номер +7 (912) 345-67-89, звоните",
                "мой номер [phone], звоните",
            ),
            ("8 912 345 67 89", "[phone]"),
            ("89123456789", "[phone]"),
            ("+79123456789", "[phone]"),
            ("8(912)3456789", "[phone]"),
            ("8 (912) 345-67-89", "[phone]"),
            ("8-912-345-67-89", "[phone]"),
            ("+7 912 345-67-89", "[phone]"),
            ("+7-912-345-67-89", "[phone]"),
            ("+7(912)345-67-89", "[phone]"),
            ("8 800 555-35-35", "[phone]"),
            ("9123456789", "[phone]"),
            ("(495) 123-45-67", "[phone]"),
            ("(4951234567)", "([phone])"),
            ("тел.89123456789", "тел.[phone]"),
            ("тел89123456789", "тел[phone]"),
            ("номер:+79123456789.", "номер:[phone]."),
            ("+7\u{a0}912\u{a0}345\u{a0}67\u{a0}89", "[phone]"),
            ("+ 7 912 345 67 89", "[phone]"),
        ]);
    }

    #[test]
    fn international_phones() {
        check(&[
            ("+49 30 1234567", "[phone]"),
            ("+49 (0)30 1234567", "[phone]"),
            ("Rufen Sie 030 1234567 an", "Rufen Sie [phone] an"),
            ("030/1234567", "[phone]"),
            ("0171 1234567", "[phone]"),
            ("+44 20 7946 0958", "[phone]"),
            ("+1 555 123 4567", "[phone]"),
            ("+1-555-123-4567", "[phone]"),
            ("+380 44 123 4567", "[phone]"),
            ("+49 151 12345678", "[phone]"),
        ]);
    }

    #[test]
    fn several_numbers_in_a_row() {
        check(&[
            ("89123456789 или 89123456780", "[phone] или [phone]"),
            ("89123456789 89123456780", "[phone] [phone]"),
            ("89123456789,89123456780", "[phone],[phone]"),
            ("89123456789; 89123456780", "[phone]; [phone]"),
            ("+7 912 345 67 89 12 шт", "[phone] 12 шт"),
            ("размер 42 89123456789", "размер 42 [phone]"),
            ("4111 1111 1111 1111 12/25", "[card] [expiry]"),
            ("4111 1111 1111 1111 12 шт", "[card] 12 шт"),
            (
                "тел: +7 912 345 67 89; +7 912 345 67 80",
                "тел: [phone]; [phone]",
            ),
            (
                "звоните 8 (800) 555-35-35 с 9:00 до 18:00",
                "звоните [phone] с 9:00 до 18:00",
            ),
            (
                "мой телефон 9123456789, заказ 1234567890",
                "мой телефон [phone], заказ 1234567890",
            ),
        ]);
    }

    #[test]
    fn cards() {
        check(&[
            ("4111 1111 1111 1111", "[card]"),
            ("4111111111111111", "[card]"),
            ("4111-1111-1111-1111", "[card]"),
            (
                "карта 5500 0000 0000 0004, спасибо",
                "карта [card], спасибо",
            ),
            ("3782 822463 10005", "[card]"),
            ("378282246310005", "[card]"),
            ("6011 0009 9013 9424", "[card]"),
            ("4222222222222", "[card]"),
            ("2200 1234 5678 9010", "[card]"),
            ("карта 4276 3800 1234 5678", "карта [card]"),
            (
                "оплатил заказ картой 4111111111111111",
                "оплатил заказ картой [card]",
            ),
            ("заказ 4111111111111111", "заказ [card]"),
            ("4111 1111 1111 1111.", "[card]."),
            ("№ карты:4111111111111111", "№ карты:[card]"),
        ]);
    }

    #[test]
    fn card_security_codes() {
        check(&[
            ("CVV 123", "CVV [cvv]"),
            ("cvc: 4567", "cvc: [cvv]"),
            ("Cvv2 - 123", "Cvv2 - [cvv]"),
            ("CVC2:0123.", "CVC2:[cvv]."),
            ("cvv123", "cvv[cvv]"),
            ("cvv2123", "cvv[cvv]"),
            ("CVV/CVC 123", "CVV/CVC [cvv]"),
            ("cvv-код 123", "cvv-код [cvv]"),
            ("CVC код: 456", "CVC код: [cvv]"),
            ("Код безопасности 321", "Код безопасности [cvv]"),
            (
                "код\u{a0}безопасности: 9876",
                "код\u{a0}безопасности: [cvv]",
            ),
            (
                "карта 4111 1111 1111 1111, cvv 123",
                "карта [card], cvv [cvv]",
            ),
            ("cvv 123 4111 1111 1111 1111", "cvv [cvv] [card]"),
        ]);
        let kept = [
            "код 123 на обороте",
            "код безопасности не пришёл",
            "cvv",
            "CVV 12",
            "cvv 12345",
            "cvv 123abc",
            "cvv 123.45",
            "cvv 12/25",
            "cvvx 123",
            "xcvv 123",
            "скидка cvc 10 %",
            "промокод 1234",
            "кодом безопасности 123",
        ];
        check_kept(&kept);
    }

    #[test]
    fn card_expiry_dates() {
        check(&[
            ("срок действия 12/25", "срок действия [expiry]"),
            (
                "срок действия карты до 08/2027",
                "срок действия карты до [expiry]",
            ),
            ("действует до 01/26", "действует до [expiry]"),
            ("Valid thru 09/28", "Valid thru [expiry]"),
            ("exp. 12/25", "exp. [expiry]"),
            ("Expiry date: 12/2029", "Expiry date: [expiry]"),
            ("gültig bis 03/27", "gültig bis [expiry]"),
            ("12/25 — срок действия", "[expiry] — срок действия"),
            ("4111111111111111 12/25", "[card] [expiry]"),
            (
                "карта 4111 1111 1111 1111 до 12/25",
                "карта [card] до [expiry]",
            ),
            (
                "4111 1111 1111 1111, 11/27, CVV2: 123",
                "[card], [expiry], CVV2: [cvv]",
            ),
            ("cvv 123 12/25", "cvv [cvv] [expiry]"),
            // Two words after the card: not right after it.
            (
                "4111 1111 1111 1111 стоит всего 12/25",
                "[card] стоит всего 12/25",
            ),
        ]);
        let kept = [
            "12/25",
            "доставка 12/25",
            "expected 12/25",
            "срок 13/25",
            "срок 00/25",
            "срок действия 12/05/2024",
            "срок действия 12/1999",
            "срок 1/25",
            "срок 112/25",
            "срок 12/255",
            "срок 12/25a",
            "срок 3.12/25",
            "срок 12/25.5",
            "24/7",
        ];
        check_kept(&kept);
    }

    #[test]
    fn order_and_other_identifiers_are_kept() {
        check(&[
            ("заказ 4815162342", "заказ 4815162342"),
            ("Заказ №4815162342 не пришёл", "Заказ №4815162342 не пришёл"),
            ("заказ № 4815162342", "заказ № 4815162342"),
            ("номер заказа: 4815162342", "номер заказа: 4815162342"),
            ("по заказу 4815162342", "по заказу 4815162342"),
            ("order #4815162342", "order #4815162342"),
            ("Order 4815162342 is late", "Order 4815162342 is late"),
            ("order no. 4815162342", "order no. 4815162342"),
            ("my order number 4815162342", "my order number 4815162342"),
            ("Bestellung 4815162342", "Bestellung 4815162342"),
            ("Bestellnummer: 4815162342", "Bestellnummer: 4815162342"),
            ("трек-номер 80082345678901", "трек-номер 80082345678901"),
            ("артикул 4006381333931", "артикул 4006381333931"),
            ("SKU4815162342", "SKU4815162342"),
            ("RA123456789RU", "RA123456789RU"),
            ("id_48151623420", "id_48151623420"),
            // A phone-formatted number after «заказ» is still a phone.
            ("заказ, звоните 8 912 345-67-89", "заказ, звоните [phone]"),
            ("заказ +79123456789", "заказ [phone]"),
            // Without the word, ten digits are a phone.
            ("мой 4815162342", "мой [phone]"),
        ]);
    }

    #[test]
    fn ordinary_numbers_are_kept() {
        let kept = [
            "стоит 12 990 ₽",
            "1 500 000 руб",
            "1 234 567 890 ₽",
            "€1,299.99",
            "12.05.2024",
            "2024-05-12",
            "12/05/2024",
            "с 12.05.2024 по 20.05.2024",
            "12.05.2024 10:15",
            "10:00-18:00",
            "с 9:00 до 21:00",
            "42",
            "2 шт",
            "номер 123456",
            "индекс 119019, Москва, ул. Ленина 5",
            "размеры 40 42 44 46 48",
            "2020 2021 2022",
            "версия 10.0.19045.2364",
            "3,14159265358979",
            "сумма 1234567890.50",
            "1234567890123456",
            "24/7",
            "+5",
            "(3)",
            "1-2-3-4-5-6-7-8-9-0",
            "123 456 789",
            "с 1 по 31 декабря 2024 года",
            "телефон: 8 912",
            "12345678",
            "цена 12 345,67 руб",
            "1 234 567,89",
            "заказы 123456789 и 987654321",
            "2024 2025",
        ];
        check_kept(&kept);
    }

    #[test]
    fn everything_together() {
        check(&[(
            "Меня зовут Иван, телефон +7 912 345-67-89, почта ivan@mail.ru, карта \
             4111 1111 1111 1111, заказ 4815162342 от 12.05.2024 😊",
            "Меня зовут Иван, телефон [phone], почта [email], карта [card], заказ 4815162342 \
             от 12.05.2024 😊",
        )]);
        check(&[(
            "Hallo, meine Nummer ist +49 30 1234567 und meine Bestellung 4815162342.",
            "Hallo, meine Nummer ist [phone] und meine Bestellung 4815162342.",
        )]);
    }

    #[test]
    fn no_panics_on_odd_text() {
        let pieces = [
            "+", "(", ")", "-", " ", "@", ".", "1", "12345", "ё", "😊", "\u{a0}", "a", "ß", "/",
            "#", "№", ",", ":",
        ];
        // Every sequence of three pieces.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}{c}{b}{a}");
                    let masked = mask_pii(&s);
                    assert!(!masked.is_empty() || s.is_empty());
                }
            }
        }
        assert_eq!(mask_pii(""), "");
        assert_eq!(mask_pii("привет 👋"), "привет 👋");
    }
}
