//! Masking emails: `local@domain.tld` becomes `[email]` (the rule is in [`super`]).

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

pub(super) fn mask_emails(text: &str) -> String {
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
