//! Per-language text analysis shared by indexing and queries: tokenize, lowercase, `ё`→`е`,
//! ASCII folding (en/de), stop words that keep negations, Snowball stemming, and negation
//! bigrams (`не работает` also yields `не_работа`) so a negated phrase matches its own kind.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

use crate::domain::Lang;

/// Name under which a language's analyzer is registered with tantivy.
pub fn analyzer_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "otvet_ru",
        Lang::En => "otvet_en",
        Lang::De => "otvet_de",
    }
}

/// Builds the analyzer of a language.
pub fn build(lang: Lang) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(YoFilter);
    match lang {
        Lang::Ru => base
            .filter(stop_words(RU_STOP))
            .filter(CachedStemmer::new(Lang::Ru))
            .filter(NegationFilter::new(RU_NEG))
            .build(),
        Lang::En => base
            .filter(AsciiFoldingFilter)
            .filter(stop_words(EN_STOP))
            .filter(CachedStemmer::new(Lang::En))
            .filter(NegationFilter::new(EN_NEG))
            .build(),
        Lang::De => base
            .filter(stop_words(DE_STOP))
            .filter(CachedStemmer::new(Lang::De))
            .filter(AsciiFoldingFilter)
            .filter(NegationFilter::new(DE_NEG))
            .build(),
    }
}

/// Runs `text` through `analyzer` and returns the terms in order.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

/// A text as conversation search matches it: its terms in `lang` (distinct, in order), joined
/// by spaces with a space at each end, so that `" term "` finds a whole term.
pub fn search_text(lang: Lang, text: &str) -> String {
    thread_local! {
        static ANALYZERS: std::cell::RefCell<Vec<(Lang, TextAnalyzer)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    ANALYZERS.with(|cell| {
        let mut all = cell.borrow_mut();
        let i = match all.iter().position(|(l, _)| *l == lang) {
            Some(i) => i,
            None => {
                all.push((lang, build(lang)));
                all.len() - 1
            }
        };
        let mut seen = std::collections::HashSet::new();
        let mut out = String::from(" ");
        for t in terms(&mut all[i].1, text) {
            if seen.insert(t.clone()) {
                out.push_str(&t);
                out.push(' ');
            }
        }
        out
    })
}

/// Whether an analyzed term is a negation word of the language (`не`, `not`, `nicht`…).
pub fn is_negation(lang: Lang, term: &str) -> bool {
    let list = match lang {
        Lang::Ru => RU_NEG,
        Lang::En => EN_NEG,
        Lang::De => DE_NEG,
    };
    list.contains(&term)
}

/// Whether a term is a negation bigram produced by [`NegationFilter`].
pub fn is_negation_bigram(term: &str) -> bool {
    term.contains('_')
}

fn stop_words(words: &[&str]) -> StopWordFilter {
    StopWordFilter::remove(words.iter().map(|w| w.to_string()))
}

// Function words only; negations (не, нет, ни, без, not, no, nicht, kein…) are deliberately
// absent: «не работает» must not match like «работает».
const RU_STOP: &[&str] = &[
    "и",
    "в",
    "во",
    "что",
    "он",
    "на",
    "я",
    "с",
    "со",
    "как",
    "а",
    "то",
    "все",
    "она",
    "так",
    "его",
    "но",
    "да",
    "ты",
    "к",
    "у",
    "же",
    "вы",
    "за",
    "бы",
    "по",
    "только",
    "ее",
    "мне",
    "было",
    "вот",
    "от",
    "меня",
    "еще",
    "о",
    "из",
    "ему",
    "теперь",
    "когда",
    "даже",
    "ну",
    "вдруг",
    "ли",
    "если",
    "уже",
    "или",
    "быть",
    "был",
    "него",
    "до",
    "вас",
    "нибудь",
    "опять",
    "уж",
    "вам",
    "ведь",
    "там",
    "потом",
    "себя",
    "ей",
    "они",
    "тут",
    "где",
    "есть",
    "ней",
    "для",
    "мы",
    "тебя",
    "их",
    "чем",
    "была",
    "сам",
    "чтоб",
    "будто",
    "чего",
    "тоже",
    "себе",
    "под",
    "ж",
    "тогда",
    "кто",
    "этот",
    "того",
    "потому",
    "этого",
    "какой",
    "ним",
    "здесь",
    "этом",
    "почти",
    "мой",
    "тем",
    "чтобы",
    "нее",
    "были",
    "куда",
    "зачем",
    "всех",
    "при",
    "об",
    "хоть",
    "над",
    "тот",
    "эти",
    "нас",
    "про",
    "всего",
    "них",
    "какая",
    "разве",
    "эту",
    "моя",
    "впрочем",
    "свою",
    "этой",
    "том",
    "такой",
    "им",
    "всю",
    "это",
    "мои",
    "мою",
    "моего",
    "моей",
    "мне",
    "ваш",
    "ваша",
    "ваше",
    "вашей",
    "вашего",
    "ли",
    "бы",
    "пожалуйста",
    "здравствуйте",
    "подскажите",
    "скажите",
];
const RU_NEG: &[&str] = &["не", "нет", "ни", "без", "никак"];

const EN_STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
    "to", "was", "will", "with", "i", "me", "my", "we", "our", "you", "your", "he", "she", "him",
    "her", "its", "am", "been", "being", "do", "does", "did", "have", "has", "had", "so", "s",
    "would", "could", "should", "please", "hi", "hello", "hey", "just", "also", "im",
];
const EN_NEG: &[&str] = &[
    "not", "no", "never", "cannot", "cant", "didnt", "doesnt", "dont", "isnt", "wont", "without",
];

const DE_STOP: &[&str] = &[
    "aber", "als", "also", "am", "an", "auch", "auf", "aus", "bei", "bin", "bis", "bist", "da",
    "damit", "dann", "der", "den", "des", "dem", "die", "das", "dass", "daß", "dein", "deine",
    "denn", "dich", "dir", "du", "dies", "diese", "diesem", "diesen", "dieser", "dieses", "doch",
    "dort", "ein", "eine", "einem", "einen", "einer", "eines", "er", "es", "euch", "für", "hab",
    "habe", "hat", "hatte", "ich", "ihr", "ihre", "im", "in", "ins", "ist", "man", "mein", "meine",
    "meinem", "meinen", "meiner", "mich", "mir", "mit", "nach", "noch", "nun", "nur", "ob", "oder",
    "sehr", "sein", "seine", "sich", "sie", "sind", "so", "um", "und", "uns", "unser", "vom",
    "von", "vor", "war", "was", "wenn", "wie", "wir", "wird", "wo", "zu", "zum", "zur", "bitte",
    "hallo",
];
const DE_NEG: &[&str] = &[
    "nicht", "kein", "keine", "keinen", "keiner", "keinem", "ohne", "nie",
];

/// Snowball stemming with a per-thread memo: a knowledge base repeats a few tens of thousands of
/// word forms millions of times, and stemming is most of the cost of indexing.
#[derive(Clone)]
pub struct CachedStemmer {
    lang: Lang,
}

impl CachedStemmer {
    fn new(lang: Lang) -> Self {
        CachedStemmer { lang }
    }
}

/// Entries per language before a thread's memo is emptied (bounds its memory).
const STEM_MEMO_LIMIT: usize = 200_000;

thread_local! {
    static STEMS: RefCell<[HashMap<String, String>; 3]> = RefCell::new(Default::default());
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            lang: self.lang,
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    lang: Lang,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let algorithm = match self.lang {
            Lang::Ru => frostem::Algorithm::Russian,
            Lang::En => frostem::Algorithm::English,
            Lang::De => frostem::Algorithm::German,
        };
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(algorithm),
            slot: self.lang as usize,
        }
    }
}

pub struct CachedStemmerStream<S> {
    tail: S,
    stemmer: frostem::Stemmer,
    slot: usize,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let tok = self.tail.token_mut();
        STEMS.with(|memo| {
            let mut memo = memo.borrow_mut();
            let map = &mut memo[self.slot];
            if let Some(stem) = map.get(tok.text.as_str()) {
                tok.text.clone_from(stem);
            } else {
                let stem = self.stemmer.stem(&tok.text).into_owned();
                if map.len() >= STEM_MEMO_LIMIT {
                    map.clear();
                }
                map.insert(std::mem::replace(&mut tok.text, stem.clone()), stem);
            }
        });
        true
    }
    fn token(&self) -> &Token {
        self.tail.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Replaces `ё` with `е` (after lowercasing): Russian text is written both ways.
#[derive(Clone)]
pub struct YoFilter;

impl TokenFilter for YoFilter {
    type Tokenizer<T: Tokenizer> = YoFilterWrapper<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> YoFilterWrapper<T> {
        YoFilterWrapper(tokenizer)
    }
}

#[derive(Clone)]
pub struct YoFilterWrapper<T>(T);

impl<T: Tokenizer> Tokenizer for YoFilterWrapper<T> {
    type TokenStream<'a> = YoStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        YoStream(self.0.token_stream(text))
    }
}

pub struct YoStream<S>(S);

impl<S: TokenStream> TokenStream for YoStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let tok = self.0.token_mut();
        if tok.text.contains('ё') {
            tok.text = tok.text.replace('ё', "е");
        }
        true
    }
    fn token(&self) -> &Token {
        self.0.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// After a negation word, also emits `neg_next` at the next word's position and offsets.
#[derive(Clone)]
pub struct NegationFilter {
    words: &'static [&'static str],
}

impl NegationFilter {
    fn new(words: &'static [&'static str]) -> Self {
        NegationFilter { words }
    }
}

impl TokenFilter for NegationFilter {
    type Tokenizer<T: Tokenizer> = NegationWrapper<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> NegationWrapper<T> {
        NegationWrapper {
            inner: tokenizer,
            words: self.words,
        }
    }
}

#[derive(Clone)]
pub struct NegationWrapper<T> {
    inner: T,
    words: &'static [&'static str],
}

impl<T: Tokenizer> Tokenizer for NegationWrapper<T> {
    type TokenStream<'a> = NegationStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        NegationStream {
            tail: self.inner.token_stream(text),
            words: self.words,
            current: Token::default(),
            pending: None,
            negation: None,
        }
    }
}

pub struct NegationStream<S> {
    tail: S,
    words: &'static [&'static str],
    current: Token,
    pending: Option<Token>,
    negation: Option<String>,
}

impl<S: TokenStream> TokenStream for NegationStream<S> {
    fn advance(&mut self) -> bool {
        if let Some(p) = self.pending.take() {
            self.current = p;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let tok = self.tail.token();
        let is_neg = self.words.contains(&tok.text.as_str());
        if let Some(neg) = self.negation.take()
            && !is_neg
        {
            // The bigram spans only the negated word: snippet fragments are built token by
            // token and must never see a token that starts before the previous one.
            self.pending = Some(Token {
                offset_from: tok.offset_from,
                offset_to: tok.offset_to,
                position: tok.position,
                text: format!("{neg}_{}", tok.text),
                position_length: 1,
            });
        }
        if is_neg {
            self.negation = Some(tok.text.clone());
        }
        self.current.clone_from(tok);
        true
    }
    fn token(&self) -> &Token {
        &self.current
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_the_stems_between_spaces() {
        let s = search_text(Lang::Ru, "Хочу оформить ВОЗВРАТ денег, возврат!");
        assert!(s.starts_with(' ') && s.ends_with(' '), "{s:?}");
        assert!(s.contains(" возврат "), "{s:?}");
        assert_eq!(s.matches(" возврат ").count(), 1, "{s:?}");
        assert!(search_text(Lang::Ru, "возвраты").contains(" возврат "));
        assert!(search_text(Lang::Ru, "ёлка").contains(" елк"));
    }

    fn t(lang: Lang, text: &str) -> Vec<String> {
        terms(&mut build(lang), text)
    }

    #[test]
    fn russian_word_forms_share_a_stem() {
        assert_eq!(t(Lang::Ru, "доставка"), t(Lang::Ru, "доставку"));
        assert_eq!(t(Lang::Ru, "доставки"), t(Lang::Ru, "ДОСТАВКОЙ"));
        assert_eq!(t(Lang::Ru, "курьером"), t(Lang::Ru, "курьер"));
    }

    #[test]
    fn yo_is_folded() {
        assert_eq!(t(Lang::Ru, "ещё счёт"), t(Lang::Ru, "еще счет"));
        assert_eq!(t(Lang::Ru, "Ёлка"), t(Lang::Ru, "елка"));
    }

    #[test]
    fn negations_survive_and_form_bigrams() {
        assert_eq!(
            t(Lang::Ru, "не работает"),
            vec!["не", "работа", "не_работа"]
        );
        assert_eq!(t(Lang::Ru, "работает"), vec!["работа"]);
        assert!(t(Lang::En, "does not work").contains(&"not_work".to_string()));
        assert!(t(Lang::De, "funktioniert nicht").contains(&"nicht".to_string()));
    }

    #[test]
    fn stop_words_removed_ascii_folded() {
        assert_eq!(t(Lang::En, "the refund"), t(Lang::En, "refunds"));
        assert_eq!(t(Lang::De, "Rücksendung"), t(Lang::De, "rucksendung"));
        assert_eq!(t(Lang::En, "café"), t(Lang::En, "cafe"));
    }
}
