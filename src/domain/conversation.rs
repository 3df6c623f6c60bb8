//! The words of a conversation's life, typed once: its status, who wrote a message, why it went
//! to people, and the system's notices. Each is one enum with one table of names: the JSON the
//! widget and the console read, the text stored in the database and what `docs/protocol.md`
//! documents are the same names (tests check the JavaScript against [`ConversationStatus::ALL`]
//! and the others).

/// Defines a string enum: its names (serde, the database, `Display`/`FromStr`) from one table.
macro_rules! names {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in the table's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name clients, the database and the documentation use.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::conversation::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::conversation::UnknownName {
                        what: stringify!($name),
                        name: s.to_string(),
                    }),
                }
            }
        }

        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                Ok(<&'r str as sqlx::Decode<'r, DB>>::decode(value)?.parse()?)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'static str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'static str as sqlx::Encode<'q, DB>>::encode_by_ref(&self.as_str(), buf)
            }
        }
    };
}

pub(crate) use names;

/// A name that is not one of a table's (read from the database or a client).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{name}'")]
pub struct UnknownName {
    /// Which table.
    pub what: &'static str,
    /// The name read.
    pub name: String,
}

names! {
    /// Where a conversation stands.
    ConversationStatus {
        /// With the bot.
        Bot = "bot",
        /// Waiting in the agents' queue.
        Queued = "queued",
        /// With an agent.
        Assigned = "assigned",
        /// Closed.
        Resolved = "resolved",
    }
}

impl ConversationStatus {
    /// Still going on (not resolved).
    pub fn is_open(self) -> bool {
        self != ConversationStatus::Resolved
    }
}

names! {
    /// Who wrote a message.
    Author {
        /// The customer, in the widget.
        Customer = "customer",
        /// The bot.
        Bot = "bot",
        /// An agent, in the console.
        Agent = "agent",
        /// The system: notices such as "queued" or "joined".
        System = "system",
    }
}

/// A message built field by field is a system notice until its author is set.
impl Default for Author {
    fn default() -> Self {
        Author::System
    }
}

names! {
    /// Why a conversation went to people.
    EscalationReason {
        /// The customer said "No" to an answer, or "none of these" to the choices.
        NotHelpful = "not_helpful",
        /// The customer asked for a person.
        HumanRequest = "human_request",
        /// The bot found nothing, and the customer asked for a person.
        NoAnswer = "no_answer",
    }
}

names! {
    /// What a system or bot message announces (its `event`).
    Notice {
        /// The conversation entered the queue while someone can answer.
        Queued = "queued",
        /// It entered the queue while nobody can answer.
        Offline = "offline",
        /// An agent joined.
        Joined = "joined",
        /// It was handed to another agent.
        Transferred = "transferred",
        /// It was closed.
        Resolved = "resolved",
        /// The customer left an email.
        Contact = "contact",
        /// The bot found nothing to answer with.
        NoAnswer = "no_answer",
        /// An agent opened a closed conversation again.
        Reopened = "reopened",
        /// Mail to the customer could not be delivered (a note for agents only).
        MailFailed = "mail_failed",
    }
}

names! {
    /// Where a conversation came from.
    Channel {
        /// The chat widget (or the help center's chat).
        Chat = "chat",
        /// A mail to the support address.
        Email = "email",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_json() {
        for s in ConversationStatus::ALL {
            assert_eq!(s.as_str().parse::<ConversationStatus>(), Ok(*s));
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for a in Author::ALL {
            assert_eq!(a.to_string().parse::<Author>(), Ok(*a));
        }
        for r in EscalationReason::ALL {
            assert_eq!(
                serde_json::from_str::<EscalationReason>(&format!("\"{r}\"")).unwrap(),
                *r
            );
        }
        assert_eq!(Notice::ALL.len(), 9);
        let e = "closed".parse::<ConversationStatus>().unwrap_err();
        assert_eq!(e.to_string(), "unknown ConversationStatus 'closed'");
        assert!(ConversationStatus::Queued.is_open() && !ConversationStatus::Resolved.is_open());
    }
}
