//! What a customer's chat message is: small talk, a request for a person, or a question.
//!
//! PLACEHOLDER: being replaced by the ru/en/de recogniser.

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

/// Classifies a message in any of the supported languages.
pub fn classify(text: &str) -> Intent {
    let t = text.trim().to_lowercase();
    if t.contains("оператор") || t.contains("human") {
        Intent::Human
    } else {
        Intent::Question
    }
}
