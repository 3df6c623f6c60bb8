//! Masking phone and card numbers: runs of digit groups are read, cut into the longest
//! leading pieces that are a card or a phone number, and those become `[card]` or `[phone]`
//! (the rules are in [`super`]). Also the character and digit helpers the other maskers share.

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

pub(super) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{2007}')
}

pub(super) fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '‑' | '−')
}

fn is_sep_char(c: char) -> bool {
    is_space(c) || is_dash(c) || matches!(c, '/' | '(' | ')')
}

/// A letter or `_` glued to a number makes it part of an identifier; only Latin letters, as
/// Russian text often lacks the space («тел89123456789»).
pub(super) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

/// The number of digits right before `i` (exclusive), going backwards.
pub(super) fn digits_before(chars: &[char], i: usize) -> usize {
    chars[..i]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

pub(super) fn digits_after(chars: &[char], i: usize) -> usize {
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

pub(super) fn mask_numbers(text: &str) -> String {
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
