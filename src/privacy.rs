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
//! The maskers live in `emails`, `numbers` (phones and cards) and `card_details` (security codes
//! and expiry dates). [`retention`] removes old conversation texts when `--retention-days` is
//! set.

mod card_details;
mod emails;
mod numbers;
pub mod retention;

use card_details::{mask_cvv, mask_expiry};
use emails::mask_emails;
use numbers::mask_numbers;

/// `text` with emails, phone numbers, card numbers, card security codes and expiry dates
/// replaced by `[email]`, `[phone]`, `[card]`, `[cvv]`, `[expiry]`.
pub fn mask_pii(text: &str) -> String {
    // Security codes first, so a code is not read as the start of a phone number with the card
    // after it; expiry dates last, as they are recognized after a masked card number.
    mask_expiry(&mask_numbers(&mask_cvv(&mask_emails(text))))
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
