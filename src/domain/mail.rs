//! The words of the mail outbox, typed once: what a mail is for and where it stands.

use super::conversation::names;

names! {
    /// What an outgoing mail is for.
    MailKind {
        /// "We got your request; this is when we answer", when a customer leaves an email or
        /// writes to the support address.
        Autoreply = "autoreply",
        /// Agents' replies the customer has not seen in the widget (one mail per burst).
        Reply = "reply",
        /// The conversation's transcript, asked for by the customer.
        Transcript = "transcript",
        /// "How did we do?" after an email conversation is resolved.
        Rating = "rating",
        /// The bot's answer to a mail, from the knowledge base.
        BotAnswer = "bot_answer",
    }
}

names! {
    /// Where an outgoing mail stands.
    MailStatus {
        /// Waiting to be sent (or retried).
        Pending = "pending",
        /// Accepted by the SMTP server.
        Sent = "sent",
        /// Refused for good (a 5xx, or too many attempts); agents are told.
        Failed = "failed",
        /// Nothing left to send (the customer saw the replies in the widget).
        Skipped = "skipped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in MailKind::ALL {
            assert_eq!(k.as_str().parse::<MailKind>(), Ok(*k));
        }
        for s in MailStatus::ALL {
            assert_eq!(s.to_string().parse::<MailStatus>(), Ok(*s));
        }
        assert!("bounced".parse::<MailStatus>().is_err());
    }
}
