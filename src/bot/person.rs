//! Requests for a person in words the lexicon of [`super::intent`] does not know («тупая
//! железка, где люди», "let me talk to your supervisor", "gibt es hier einen echten Menschen"):
//! the message's embedding is compared with example requests in three languages. It counts as
//! one when it is near them and clearly nearer than to any article, so that a question that
//! merely mentions support («как написать в поддержку») is still answered from the help center.

use std::sync::OnceLock;

use crate::semantic::{Kind, Semantic};

/// Example requests for a person, insults at the bot among them.
const EXAMPLES: &[&str] = &[
    "позовите оператора",
    "хочу поговорить с живым человеком",
    "соедините со специалистом",
    "я не хочу общаться с ботом",
    "ты бот, дай мне человека",
    "есть тут кто живой?",
    "переключите на менеджера",
    "мне нужен сотрудник поддержки, а не робот",
    "бот тупой, позови человека",
    "хватит отвечать шаблонами, мне нужен человек",
    "надоел этот бот",
    "talk to a human",
    "I want to speak to a real person",
    "connect me to an agent",
    "I don't want to talk to a bot",
    "is anybody there?",
    "get me a human, this bot is useless",
    "transfer me to customer service",
    "stop the bot, I need a person",
    "ich möchte mit einem Mitarbeiter sprechen",
    "bitte verbinden Sie mich mit einem Menschen",
    "ich will nicht mit einem Bot reden",
    "ist da jemand?",
    "der Bot ist nutzlos, ich brauche einen Menschen",
];

/// Cosine to the nearest example a request must reach.
const MIN_COSINE: f32 = 0.87;
/// How much nearer to the examples than to the nearest article it must be. On the sample
/// knowledge base the questions of `eval/domoteka.jsonl` lead by at most 0.027, those search
/// answers confidently by at most 0.006; requests for a person lead by 0.005 to 0.10.
const MIN_LEAD: f32 = 0.03;

fn examples(sem: &Semantic) -> &'static [Vec<f32>] {
    static VECTORS: OnceLock<Vec<Vec<f32>>> = OnceLock::new();
    VECTORS.get_or_init(|| sem.model().encoder.embed_batch(Kind::Query, EXAMPLES))
}

/// Cosine of `query` (a query embedding) to the nearest example request.
pub fn nearness(sem: &Semantic, query: &[f32]) -> f32 {
    examples(sem)
        .iter()
        .map(|e| otvet_encoder::cosine(e, query))
        .fold(f32::MIN, f32::max)
}

/// Whether a message whose embedding is `query`, and whose nearest article has cosine
/// `article`, asks for a person.
pub fn is_request(sem: &Semantic, query: &[f32], article: f32) -> bool {
    let near = nearness(sem, query);
    near >= MIN_COSINE && near - article >= MIN_LEAD
}
