//! The bot: recognises small talk and requests for a person, answers questions from the help
//! center when search is confident, and says plainly when it is not.

pub mod intent;
