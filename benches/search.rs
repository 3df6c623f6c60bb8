//! Search benchmark: `cargo bench --bench search`.
//!
//! Generates a deterministic synthetic knowledge base (5,000 Russian articles and 100 English
//! ones) in a temporary folder, then measures with `std::time::Instant`:
//!
//! * the index build (`SearchEngine::open`), and the file generation separately;
//! * one search call, without and with snippets, over a mixed query set (exact words, other
//!   word forms, typos, wrong keyboard layout, long pastes, nonsense), in total and per class;
//! * `GET /api/search` over HTTP against `otvet::run` on `127.0.0.1:0` (keep-alive client);
//! * how long an edited article takes to become searchable through the running server's
//!   watcher, and what `SearchEngine::reload` costs alone after a one-file edit;
//!
//! and prints a Markdown table with the targets. All traffic goes to 127.0.0.1; every loop is
//! bounded. Sizes can be lowered for a quick run with `OTVET_BENCH_ARTICLES` and
//! `OTVET_BENCH_QUERIES`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use otvet::domain::Lang;
use otvet::search::{SearchEngine, SearchRequest, SearchResults};

const DEFAULT_RU_ARTICLES: usize = 5_000;
const EN_ARTICLES: usize = 100;
const DEFAULT_QUERIES: usize = 2_000;
const WARMUP: usize = 200;
const EDIT_ROUNDS: usize = 10;
const EDIT_POLL: Duration = Duration::from_millis(5);
const EDIT_TIMEOUT: Duration = Duration::from_secs(10);
const LONG_PASTE_CHARS: usize = 2_000;
const SEED: u64 = 0x07E7_5EA5_C4BE_2026;

// ---------------------------------------------------------------------------------------------
// Deterministic pseudo-random numbers (xorshift64*).

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next_u64() % n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn one<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: real shop words and synthetic stems, each inflected into its word forms.

const M_END: &[&str] = &["", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах"];
const F_END: &[&str] = &["а", "ы", "е", "у", "ой", "ам", "ами", "ах"];
const IA_END: &[&str] = &["ия", "ии", "ию", "ией", "ий", "иям", "иями", "иях"];
const IE_END: &[&str] = &["ие", "ия", "ию", "ием", "ии", "ий", "иям", "иями", "иях"];
const SOFT_F_END: &[&str] = &["ь", "и", "ью", "ей", "ям", "ями", "ях"];
const ADJ_END: &[&str] = &[
    "ый", "ая", "ое", "ые", "ого", "ой", "ому", "ым", "ую", "ых", "ыми",
];
const V_A_END: &[&str] = &[
    "ать", "аю", "аешь", "ает", "аем", "аете", "ают", "ал", "ала", "али", "ай", "айте",
];
const V_YA_END: &[&str] = &[
    "ять", "яю", "яешь", "яет", "яем", "яют", "ял", "яла", "яли", "яй",
];
const V_I_END: &[&str] = &[
    "ить", "ишь", "ит", "им", "ите", "ят", "ил", "ила", "или", "и",
];

const MASC: &str = "заказ возврат курьер товар склад адрес телефон магазин пункт срок чек код банк \
    счет кабинет аккаунт статус договор размер цвет сертификат купон промокод бонус кэшбэк лимит \
    перевод тариф маршрут район город регион подъезд этаж лифт монтаж ремонт сервис мастер дефект \
    брак ноутбук смартфон планшет телевизор холодильник пылесос утюг чайник кондиционер диван шкаф \
    матрас комплект аксессуар кабель экран корпус документ паспорт вопрос ответ оператор клиент \
    отзыв рейтинг каталог фильтр раздел сайт браузер интернет вход час процент штраф налог кредит \
    трек номер чат";
const FEM: &str = "доставк оплат карт посылк коробк упаковк покупк скидк сумм цен кнопк страниц форм \
    ошибк проблем систем услуг заявк рассрочк выдач машин плит камер стиралк посудомойк \
    микроволновк колонк клавиатур мышк зарядк курьерк почт программ подписк минут причин валют \
    замен поломк сборк установк настройк проверк отмен техник одежд игрушк книг";
const FEM_IA: &str = "гарант претенз квитанц компан акц комисс регистрац авторизац информац инструкц \
    категор операц позиц функц верс лиценз";
const NEUT_IE: &str = "сообщен уведомлен подтвержден оформлен получен приложен изменен обновлен списан \
    начислен услов положен соглашен решен значен обращен отправлен хранен";
const FEM_SOFT: &str = "стоимост детал мебел обув сет модел запис очеред площад помощ";
const ADJ: &str = "нов стар быстр бесплатн платн возможн нужн основн полн срочн обычн удобн крупн мелк \
    бытов электронн банковск личн курьерск почтов гарантийн сервисн официальн правильн неверн \
    повторн дополнительн стандартн удаленн скидочн подарочн бонусн мобильн кухонн стиральн \
    посудомоечн встроенн техническ российск выходн праздничн долг коротк широк узк тяжел легк";
const VERB_A: &str = "отслежив оплачив заказыв возвращ выбир получ ожид рассчитыв подключ отключ нажим \
    сообщ приним списыв собир упаковыв забир обменив зн показыв указыв скачив устанавлив настраив \
    открыв закрыв спрашив отвеч подтвержд";
const VERB_YA: &str = "оформл отправл измен провер заполн обновл доставл добавл удал отмен начисл исправл \
    выполн объясн замен сохран повтор";
const VERB_I: &str = "оформ позвон звон реш куп хран говор включ выключ приход привоз достав оплат отправ \
    исправ обнов добав удал продл плат получ измен провер отмен заполн установ сохран замен";
/// Lemmas (by first form) that articles are about; the most frequent words.
const SHOP: &str = "доставка заказ возврат оплата курьер гарантия холодильник товар склад адрес магазин \
    пункт срок чек код телевизор пылесос смартфон ноутбук сервис ремонт статус промокод бонус карта \
    посылка скидка упаковка покупка рассрочка стиралка заявка претензия получение оформление \
    стоимость кондиционер диван матрас монтаж установка поломка";
const FUNC: &str = "как где что почему когда можно ли не нужно если или и в на с по для от до за при \
    без после через у мой мне я мы вы ваш это уже еще все только также сколько какой какие чем \
    чтобы так бы нет да очень тоже сразу сегодня завтра вчера";
const OPENERS: &[&str] = &[
    "как",
    "где",
    "почему",
    "что делать если",
    "можно ли",
    "сколько",
    "когда",
    "что значит",
    "не могу",
    "как быстро",
    "нужно ли",
    "как узнать",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pos {
    Noun,
    Adj,
    Verb,
}

struct Lemma {
    forms: Vec<String>,
    pos: Pos,
}

struct Vocab {
    lemmas: Vec<Lemma>,
    /// Zipf cumulative weights over `lemmas` (their order is their frequency rank).
    cum: Vec<f64>,
    shop: Vec<u32>,
    real_nouns: Vec<u32>,
    verbs: Vec<u32>,
    adjs: Vec<u32>,
    /// Lemmas from here on are synthetic (rare topic words).
    synthetic_start: usize,
    func: Vec<&'static str>,
}

fn inflect(stem: &str, ending: &str) -> String {
    let mut e = ending.to_string();
    if let Some(c) = stem.chars().last() {
        if "кгхжшчщ".contains(c) && e.starts_with('ы') {
            e = e.replacen('ы', "и", 1);
        }
        if "жшчщ".contains(c) {
            if e.starts_with('ю') {
                e = e.replacen('ю', "у", 1);
            } else if e.starts_with('я') {
                e = e.replacen('я', "а", 1);
            }
        }
    }
    format!("{stem}{e}")
}

fn lemma(stem: &str, endings: &[&str], pos: Pos) -> Lemma {
    let mut forms: Vec<String> = Vec::new();
    for e in endings {
        let f = inflect(stem, e);
        if !forms.contains(&f) {
            forms.push(f);
        }
    }
    Lemma { forms, pos }
}

impl Vocab {
    fn build(rng: &mut Rng) -> Vocab {
        let mut real: Vec<Lemma> = Vec::new();
        let classes: [(&str, &[&str], Pos); 9] = [
            (MASC, M_END, Pos::Noun),
            (FEM, F_END, Pos::Noun),
            (FEM_IA, IA_END, Pos::Noun),
            (NEUT_IE, IE_END, Pos::Noun),
            (FEM_SOFT, SOFT_F_END, Pos::Noun),
            (ADJ, ADJ_END, Pos::Adj),
            (VERB_A, V_A_END, Pos::Verb),
            (VERB_YA, V_YA_END, Pos::Verb),
            (VERB_I, V_I_END, Pos::Verb),
        ];
        for (stems, endings, pos) in classes {
            for s in stems.split_whitespace() {
                real.push(lemma(s, endings, pos));
            }
        }
        // Shop words first (most frequent), then the other real words in a shuffled order.
        let shop_names: Vec<&str> = SHOP.split_whitespace().collect();
        let mut lemmas: Vec<Lemma> = Vec::new();
        for name in &shop_names {
            let i = real
                .iter()
                .position(|l| l.forms[0] == *name)
                .unwrap_or_else(|| panic!("shop word {name} is not in the vocabulary"));
            lemmas.push(real.swap_remove(i));
        }
        rng.shuffle(&mut real);
        lemmas.extend(real);
        let synthetic_start = lemmas.len();

        // Synthetic stems: pseudo-Russian C V C V C (V C), inflected as nouns and adjectives.
        let cons: Vec<char> = "бвгдзклмнпрстфхчшж".chars().collect();
        let vow: Vec<char> = "аеиоу".chars().collect();
        let mut seen: HashSet<String> = lemmas
            .iter()
            .flat_map(|l| l.forms.iter().cloned())
            .collect();
        let mut made = 0;
        let mut guard = 0;
        while made < 1_800 && guard < 100_000 {
            guard += 1;
            let mut s = String::new();
            let syllables = if rng.chance(0.5) { 2 } else { 3 };
            for _ in 0..syllables {
                s.push(*rng.pick(&cons));
                s.push(*rng.pick(&vow));
            }
            s.push(*rng.pick(&cons));
            if seen.contains(&s) {
                continue;
            }
            let l = match made % 5 {
                0..=2 => lemma(&s, M_END, Pos::Noun),
                3 => lemma(&s, F_END, Pos::Noun),
                _ => lemma(&s, ADJ_END, Pos::Adj),
            };
            if l.forms.iter().any(|f| seen.contains(f)) {
                continue;
            }
            seen.extend(l.forms.iter().cloned());
            lemmas.push(l);
            made += 1;
        }

        let mut cum = Vec::with_capacity(lemmas.len());
        let mut total = 0.0;
        for r in 0..lemmas.len() {
            total += 1.0 / (r as f64 + 4.0);
            cum.push(total);
        }
        let idx = |pred: &dyn Fn(usize, &Lemma) -> bool| -> Vec<u32> {
            lemmas
                .iter()
                .enumerate()
                .filter(|(i, l)| pred(*i, l))
                .map(|(i, _)| i as u32)
                .collect()
        };
        let shop = (0..shop_names.len() as u32).collect();
        let real_nouns = idx(&|i, l| i < synthetic_start && l.pos == Pos::Noun);
        let verbs = idx(&|_, l| l.pos == Pos::Verb);
        let adjs = idx(&|i, l| i < synthetic_start && l.pos == Pos::Adj);
        Vocab {
            lemmas,
            cum,
            shop,
            real_nouns,
            verbs,
            adjs,
            synthetic_start,
            func: FUNC.split_whitespace().collect(),
        }
    }

    fn zipf(&self, rng: &mut Rng) -> u32 {
        let x = rng.unit() * self.cum.last().copied().unwrap_or(1.0);
        self.cum.partition_point(|&c| c < x).min(self.cum.len() - 1) as u32
    }

    fn form_count(&self) -> usize {
        self.lemmas.iter().map(|l| l.forms.len()).sum()
    }

    fn word_of(&self, rng: &mut Rng, lemmas: &[u32]) -> Tok {
        let l = *rng.pick(lemmas);
        self.word(rng, l)
    }

    fn word(&self, rng: &mut Rng, lemma: u32) -> Tok {
        Tok::W(
            lemma,
            rng.below(self.lemmas[lemma as usize].forms.len()) as u8,
        )
    }
}

/// A token of generated text: a function word / fixed phrase, or a lemma in one of its forms.
#[derive(Clone, Copy)]
enum Tok {
    F(&'static str),
    W(u32, u8),
}

fn render(v: &Vocab, toks: &[Tok]) -> String {
    let mut s = String::new();
    for t in toks {
        if !s.is_empty() {
            s.push(' ');
        }
        match *t {
            Tok::F(w) => s.push_str(w),
            Tok::W(l, f) => s.push_str(&v.lemmas[l as usize].forms[f as usize]),
        }
    }
    s
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Knowledge base generation.

const CATEGORIES: &[(&str, &str)] = &[
    ("Доставка", "delivery"),
    ("Оплата", "payment"),
    ("Возврат и обмен", "returns"),
    ("Гарантия и сервис", "warranty"),
    ("Оформление заказа", "ordering"),
    ("Личный кабинет", "account"),
    ("Самовывоз", "pickup"),
    ("Бонусы и акции", "bonuses"),
    ("Техника для кухни", "kitchen"),
    ("Крупная бытовая техника", "appliances"),
    ("Электроника", "electronics"),
    ("Установка и подключение", "installation"),
    ("Юридическим лицам", "business"),
    ("Контакты", "contacts"),
];

struct GenArticle {
    /// Path relative to the articles folder.
    rel: String,
    slug: String,
    title: Vec<Tok>,
    questions: Vec<Vec<Tok>>,
    sentences: Vec<Vec<Tok>>,
    /// The file as written.
    text: String,
}

#[derive(Default)]
struct KbStats {
    files: usize,
    bytes: usize,
    sections: usize,
    questions: usize,
    words: usize,
}

fn sentence(v: &Vocab, rng: &mut Rng, topic: &[u32], len: usize) -> Vec<Tok> {
    let mut out = Vec::with_capacity(len);
    for _ in 0..len {
        let x = rng.unit();
        if x < 0.32 {
            out.push(Tok::F(rng.one(&v.func)));
        } else if x < 0.44 {
            out.push(v.word_of(rng, topic));
        } else {
            let l = v.zipf(rng);
            out.push(v.word(rng, l));
        }
    }
    out
}

fn ru_article(v: &Vocab, rng: &mut Rng, i: usize, stats: &mut KbStats) -> GenArticle {
    let (category, folder) = *rng.pick(CATEGORIES);
    let slug = format!("{folder}-{i:05}");
    // Topic: one or two shop words, a real noun, and two to four rare (synthetic) words.
    let mut topic: Vec<u32> = vec![*rng.pick(&v.shop)];
    if rng.chance(0.5) {
        topic.push(*rng.pick(&v.shop));
    }
    topic.push(*rng.pick(&v.real_nouns));
    for _ in 0..rng.range(2, 4) {
        topic.push((v.synthetic_start + rng.below(v.lemmas.len() - v.synthetic_start)) as u32);
    }
    let nouns: Vec<u32> = topic
        .iter()
        .copied()
        .filter(|&l| v.lemmas[l as usize].pos == Pos::Noun)
        .collect();
    let nouns = if nouns.is_empty() {
        topic.clone()
    } else {
        nouns
    };

    let mut title = Vec::new();
    if rng.chance(0.4) {
        title.push(Tok::F(rng.one(&[
            "как",
            "где",
            "почему",
            "когда",
            "сколько",
        ])));
        title.push(v.word_of(rng, &v.verbs));
    }
    if rng.chance(0.4) {
        title.push(v.word_of(rng, &v.adjs));
    }
    title.push(v.word(rng, topic[0]));
    for _ in 0..rng.range(1, 2) {
        title.push(v.word_of(rng, &nouns));
    }

    let mut questions = Vec::new();
    for _ in 0..rng.range(3, 8) {
        let mut q = vec![Tok::F(rng.one(OPENERS))];
        if rng.chance(0.6) {
            q.push(v.word_of(rng, &v.verbs));
        }
        // Mostly shared shop vocabulary (many articles match), sometimes a rarer topic word.
        q.push(v.word_of(rng, &topic[..2]));
        if rng.chance(0.5) {
            q.push(v.word_of(rng, &topic));
        }
        if rng.chance(0.5) {
            let l = v.zipf(rng);
            q.push(v.word(rng, l));
        }
        questions.push(q);
    }

    let total_words = rng.range(150, 500);
    let n_sections = rng.range(3, 6);
    let mut sentences = Vec::new();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "---\ntitle: {}\ncategory: {category}\nquestions:",
        capitalize(&render(v, &title))
    );
    for q in &questions {
        let _ = writeln!(text, "  - {}", render(v, q));
    }
    text.push_str("---\n\n");
    let budget = |rng: &mut Rng, words: usize, text: &mut String, sentences: &mut Vec<Vec<Tok>>| {
        let mut left = words.max(6);
        while left > 0 {
            let n = rng.range(6, 14).min(left.max(3));
            let s = sentence(v, rng, &topic, n);
            let _ = write!(text, "{}. ", capitalize(&render(v, &s)));
            sentences.push(s);
            left = left.saturating_sub(n);
        }
        text.push('\n');
    };
    let intro = total_words / 10;
    budget(rng, intro, &mut text, &mut sentences);
    let per_section = (total_words - intro) / n_sections;
    for _ in 0..n_sections {
        let mut heading = Vec::new();
        for _ in 0..rng.range(2, 4) {
            heading.push(v.word_of(rng, &topic));
        }
        let _ = writeln!(text, "\n## {}\n", capitalize(&render(v, &heading)));
        budget(rng, per_section, &mut text, &mut sentences);
    }
    stats.files += 1;
    stats.bytes += text.len();
    stats.sections += n_sections;
    stats.questions += questions.len();
    stats.words += total_words;
    GenArticle {
        rel: format!("ru/{folder}/{slug}.md"),
        slug,
        title,
        questions,
        sentences,
        text,
    }
}

const EN_WORDS: &str = "order delivery courier return refund payment card warranty repair service \
    fridge washer dishwasher oven microwave laptop phone tablet store pickup point address status \
    track parcel package box discount bonus points promo code account password login email sms \
    invoice receipt company contract installation setup cancel change deliver pay check open close \
    when where how why what can my your the a of for with in on to from not late broken missing \
    damaged replace exchange price cost fee free fast express standard time day week hour minute";

fn en_article(rng: &mut Rng, i: usize, stats: &mut KbStats) -> (String, String) {
    let words: Vec<&str> = EN_WORDS.split_whitespace().collect();
    let slug = format!("guide-{i:03}");
    let topic: Vec<&str> = (0..4).map(|_| *rng.pick(&words)).collect();
    let phrase = |rng: &mut Rng, n: usize| -> String {
        (0..n)
            .map(|_| {
                if rng.chance(0.4) {
                    *rng.pick(&topic)
                } else {
                    *rng.pick(&words)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut text = format!(
        "---\ntitle: {}\ncategory: Help\nquestions:\n",
        capitalize(&phrase(rng, 4))
    );
    let nq = rng.range(3, 8);
    for _ in 0..nq {
        let n = rng.range(3, 7);
        let _ = writeln!(text, "  - {}", phrase(rng, n));
    }
    let _ = write!(text, "---\n\n{}.\n", capitalize(&phrase(rng, 15)));
    let ns = rng.range(3, 6);
    for _ in 0..ns {
        let _ = write!(text, "\n## {}\n\n", capitalize(&phrase(rng, 3)));
        for _ in 0..rng.range(3, 8) {
            let n = rng.range(6, 14);
            let _ = write!(text, "{}. ", capitalize(&phrase(rng, n)));
        }
        text.push('\n');
    }
    stats.files += 1;
    stats.bytes += text.len();
    stats.sections += ns;
    stats.questions += nq;
    (format!("en/help/{slug}.md"), text)
}

// ---------------------------------------------------------------------------------------------
// Queries.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Exact,
    Forms,
    Typo,
    Layout,
    Long,
    Nonsense,
}

const CLASSES: [(Class, &str, f64); 6] = [
    (Class::Exact, "exact words", 0.20),
    (Class::Forms, "other word forms", 0.175),
    (Class::Typo, "typos (1–2 edits)", 0.20),
    (Class::Layout, "wrong layout", 0.15),
    (Class::Long, "long paste (2,000 chars)", 0.075),
    (Class::Nonsense, "nonsense", 0.20),
];

struct Query {
    class: Class,
    text: String,
    /// Index of the article the query was made from.
    target: Option<usize>,
}

fn exact_tokens(rng: &mut Rng, a: &GenArticle) -> Vec<Tok> {
    let x = rng.unit();
    if x < 0.70 {
        a.questions[rng.below(a.questions.len())].clone()
    } else if x < 0.85 || a.sentences.is_empty() {
        a.title.clone()
    } else {
        let s = &a.sentences[rng.below(a.sentences.len())];
        let n = rng.range(3, 5).min(s.len());
        let start = rng.below(s.len() - n + 1);
        s[start..start + n].to_vec()
    }
}

fn other_forms(v: &Vocab, rng: &mut Rng, toks: &[Tok]) -> Vec<Tok> {
    toks.iter()
        .map(|t| match *t {
            Tok::W(l, f) => {
                let n = v.lemmas[l as usize].forms.len();
                if n < 2 {
                    return *t;
                }
                let mut g = rng.below(n - 1) as u8;
                if g >= f {
                    g += 1;
                }
                Tok::W(l, g)
            }
            f => f,
        })
        .collect()
}

const RU_LETTERS: &str = "абвгдежзийклмнопрстуфхцчшщъыьэюя";

fn typo_word(rng: &mut Rng, w: &str, edits: usize) -> String {
    let letters: Vec<char> = RU_LETTERS.chars().collect();
    let mut c: Vec<char> = w.chars().collect();
    for _ in 0..edits {
        if c.len() < 3 {
            break;
        }
        // Never the first letter: typos there are rare and every engine treats them as a new word.
        let i = rng.range(1, c.len() - 1);
        match rng.below(4) {
            0 => {
                let mut r = *rng.pick(&letters);
                if r == c[i] {
                    r = if r == 'а' { 'о' } else { 'а' };
                }
                c[i] = r;
            }
            1 => {
                c.remove(i);
            }
            2 => c.insert(i, *rng.pick(&letters)),
            _ => {
                if i + 1 < c.len() && c[i] != c[i + 1] {
                    c.swap(i, i + 1);
                } else {
                    c.swap(i - 1, i);
                }
            }
        }
    }
    c.into_iter().collect()
}

fn with_typos(rng: &mut Rng, text: &str, func: &[&str]) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
    let mut eligible: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].chars().count() >= 4 && !func.contains(&words[i].as_str()))
        .collect();
    if eligible.is_empty() {
        eligible = (0..words.len())
            .filter(|&i| words[i].chars().count() >= 3)
            .collect();
    }
    if eligible.is_empty() {
        return text.to_string();
    }
    rng.shuffle(&mut eligible);
    let n_words = if eligible.len() >= 2 && rng.chance(0.3) {
        2
    } else {
        1
    };
    for &i in eligible.iter().take(n_words) {
        let edits = if words[i].chars().count() >= 8 && rng.chance(0.5) {
            2
        } else {
            1
        };
        words[i] = typo_word(rng, &words[i], edits);
    }
    words.join(" ")
}

/// What the keys of a Russian text produce with the QWERTY layout active.
fn to_qwerty(text: &str) -> String {
    const RU: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    const EN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    let map: Vec<(char, char)> = RU.chars().zip(EN.chars()).collect();
    text.chars()
        .map(|c| {
            let lower = c.to_lowercase().next().unwrap_or(c);
            map.iter().find(|(r, _)| *r == lower).map_or(c, |(_, e)| *e)
        })
        .collect()
}

fn long_paste(v: &Vocab, rng: &mut Rng, arts: &[GenArticle], src: usize) -> String {
    let mut s = String::from("Здравствуйте, у меня такая ситуация, прошу помочь разобраться. ");
    let mut a = src;
    let mut guard = 0;
    while s.chars().count() < LONG_PASTE_CHARS && guard < 50 {
        guard += 1;
        for sent in &arts[a].sentences {
            let _ = write!(s, "{}. ", capitalize(&render(v, sent)));
            if s.chars().count() >= LONG_PASTE_CHARS {
                break;
            }
        }
        a = rng.below(arts.len());
    }
    s.chars().take(LONG_PASTE_CHARS).collect()
}

fn nonsense(rng: &mut Rng) -> String {
    let ru: Vec<char> = RU_LETTERS.chars().collect();
    let en: Vec<char> = "abcdefghijklmnopqrstuvwxyz".chars().collect();
    let word = |rng: &mut Rng, letters: &[char]| -> String {
        (0..rng.range(3, 10)).map(|_| *rng.pick(letters)).collect()
    };
    match rng.below(6) {
        0 | 1 => (0..rng.range(1, 4))
            .map(|_| word(rng, &ru))
            .collect::<Vec<_>>()
            .join(" "),
        2 => (0..rng.range(1, 3))
            .map(|_| word(rng, &en))
            .collect::<Vec<_>>()
            .join(" "),
        3 => format!("{} {} ???", rng.below(1_000_000), rng.below(10_000)),
        4 => {
            let syl = ["цю", "щэ", "фьё", "ъю", "эщ", "йы", "ёж"];
            (0..rng.range(1, 3))
                .map(|_| {
                    (0..rng.range(2, 4))
                        .map(|_| *rng.pick(&syl))
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => rng
            .pick(&[
                "🙂🙂🙂",
                "!!!???",
                "...",
                "ааааааааааа",
                "ыыыы ыыы",
                "😡 где???",
                "asdf",
                "+7 (999) 000-00-00",
            ])
            .to_string(),
    }
}

fn make_queries(v: &Vocab, rng: &mut Rng, arts: &[GenArticle], total: usize) -> Vec<Query> {
    let mut out = Vec::with_capacity(total);
    for (ci, &(class, _, share)) in CLASSES.iter().enumerate() {
        let n = if ci + 1 == CLASSES.len() {
            total.saturating_sub(out.len())
        } else {
            (total as f64 * share).round() as usize
        };
        for _ in 0..n {
            let t = rng.below(arts.len());
            let a = &arts[t];
            let (text, target) = match class {
                Class::Exact => (render(v, &exact_tokens(rng, a)), Some(t)),
                Class::Forms => {
                    let base = if rng.chance(0.8) {
                        a.questions[rng.below(a.questions.len())].clone()
                    } else {
                        a.title.clone()
                    };
                    (render(v, &other_forms(v, rng, &base)), Some(t))
                }
                Class::Typo => {
                    let exact = render(v, &exact_tokens(rng, a));
                    (with_typos(rng, &exact, &v.func), Some(t))
                }
                Class::Layout => {
                    let toks = exact_tokens(rng, a);
                    let toks = if rng.chance(0.3) {
                        other_forms(v, rng, &toks)
                    } else {
                        toks
                    };
                    (to_qwerty(&render(v, &toks)), Some(t))
                }
                Class::Long => (long_paste(v, rng, arts, t), Some(t)),
                Class::Nonsense => (nonsense(rng), None),
            };
            out.push(Query {
                class,
                text,
                target,
            });
        }
    }
    rng.shuffle(&mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting.

#[derive(Clone, Copy, Default)]
struct Summary {
    n: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

fn summarize(xs: impl IntoIterator<Item = Duration>) -> Summary {
    let mut v: Vec<Duration> = xs.into_iter().collect();
    if v.is_empty() {
        return Summary::default();
    }
    v.sort();
    let at = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Summary {
        n: v.len(),
        p50: at(0.50),
        p99: at(0.99),
        max: *v.last().unwrap(),
    }
}

fn median(xs: &[Duration]) -> Duration {
    summarize(xs.iter().copied()).p50
}

fn fmt_d(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.1 {
        format!("{:.0} ms", s * 1e3)
    } else if s >= 0.01 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.3} ms", s * 1e3)
    }
}

fn fmt_s(s: &Summary) -> String {
    format!("{} / {} / {}", fmt_d(s.p50), fmt_d(s.p99), fmt_d(s.max))
}

fn verdict(ok: bool) -> &'static str {
    if ok { "✅" } else { "❌" }
}

fn proc_status(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .map(|l| l[key.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn machine() -> String {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
            })
        })
        .map_or(String::from("?"), |kb| {
            format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0)
        });
    format!("nproc = {nproc}, {cpu}, RAM {mem}")
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A fresh word no article has: 9 random letters.
fn unique_word(rng: &mut Rng) -> String {
    let letters: Vec<char> = "бвгдзклмнпрстфхцчшщжаеиоуэюя".chars().collect();
    let mut w = String::from("зю");
    for _ in 0..8 {
        w.push(*rng.pick(&letters));
    }
    w
}

/// The article text with `word` added to its title and as a sentence of its intro.
fn with_word(text: &str, word: &str) -> String {
    let t = text.replacen("title: ", &format!("title: {} ", capitalize(word)), 1);
    t.replacen(
        "---\n\n",
        &format!("---\n\nСлово {word} появилось в этой статье. "),
        1,
    )
}

fn found_in(res: &SearchResults, slug: &str, word: &str) -> bool {
    res.hits
        .iter()
        .any(|h| h.slug.as_str() == slug && h.title.to_lowercase().contains(word))
}

fn found_in_json(body: &[u8], slug: &str, word: &str) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    v["hits"].as_array().is_some_and(|hits| {
        hits.iter().any(|h| {
            h["slug"].as_str() == Some(slug)
                && h["title"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains(word))
        })
    })
}

// ---------------------------------------------------------------------------------------------

struct Http {
    client: reqwest::Client,
    url: String,
}

impl Http {
    async fn search(&self, q: &str) -> anyhow::Result<Vec<u8>> {
        let resp = self
            .client
            .get(&self.url)
            .query(&[("q", q), ("lang", "ru"), ("limit", "10")])
            .timeout(Duration::from_secs(30))
            .send()
            .await?;
        let status = resp.status();
        let body = resp.bytes().await?;
        anyhow::ensure!(
            status.is_success(),
            "HTTP {status}: {}",
            String::from_utf8_lossy(&body)
        );
        Ok(body.to_vec())
    }
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let load_at_start = loadavg();
    let n_ru = env_usize("OTVET_BENCH_ARTICLES", DEFAULT_RU_ARTICLES).max(20);
    let n_queries = env_usize("OTVET_BENCH_QUERIES", DEFAULT_QUERIES).max(60);
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: built with debug assertions; run `cargo bench --bench search` for release numbers"
        );
    }
    let mut rng = Rng::new(SEED);

    // 1. Knowledge base.
    eprintln!("generating {n_ru} ru + {EN_ARTICLES} en articles…");
    let dir = tempfile::TempDir::new()?;
    let t = Instant::now();
    let vocab = Vocab::build(&mut rng);
    let mut stats = KbStats::default();
    let mut arts = Vec::with_capacity(n_ru);
    for i in 0..n_ru {
        let a = ru_article(&vocab, &mut rng, i, &mut stats);
        let path = dir.path().join(&a.rel);
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(&path, &a.text)?;
        arts.push(a);
    }
    for i in 0..EN_ARTICLES {
        let (rel, text) = en_article(&mut rng, i, &mut stats);
        let path = dir.path().join(&rel);
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(&path, text)?;
    }
    let synonyms = Path::new(env!("CARGO_MANIFEST_DIR")).join("articles/synonyms.yaml");
    let synonyms_note = match std::fs::copy(&synonyms, dir.path().join("synonyms.yaml")) {
        Ok(_) => "the project's articles/synonyms.yaml",
        Err(_) => "none",
    };
    let gen_time = t.elapsed();

    // 2. Index build.
    eprintln!("building the index…");
    let t = Instant::now();
    let engine = SearchEngine::open(dir.path(), Lang::Ru, otvet::search::DEFAULT_THRESHOLD)?;
    let build_time = t.elapsed();
    let loaded = engine.snapshot().catalog.articles.len();
    let problems = engine.snapshot().catalog.problems.len();
    let rss_after_build = proc_status("VmRSS:");

    // 3. Search calls.
    let queries = make_queries(&vocab, &mut rng, &arts, n_queries);
    if std::env::var_os("OTVET_BENCH_SAMPLE").is_some() {
        eprintln!("--- sample article {} ---\n{}", arts[0].rel, arts[0].text);
        for &(c, name, _) in &CLASSES {
            for q in queries.iter().filter(|q| q.class == c).take(4) {
                let shown: String = q.text.chars().take(120).collect();
                eprintln!("[{name}] {shown}");
            }
        }
    }
    let run = |q: &Query, snippets: bool| -> (Duration, SearchResults) {
        let req = SearchRequest {
            query: &q.text,
            lang: Some(Lang::Ru),
            limit: 10,
            snippets,
            semantic: false,
            across: false,
        };
        let t = Instant::now();
        let res = engine.search(&req);
        (t.elapsed(), res)
    };
    eprintln!(
        "search calls: {} warm-up, then {} queries without and with snippets…",
        WARMUP,
        queries.len()
    );
    for q in queries.iter().cycle().take(WARMUP) {
        std::hint::black_box(run(q, true));
    }
    let mut t_plain = Vec::with_capacity(queries.len());
    let mut top1 = Vec::with_capacity(queries.len());
    let mut answered = Vec::with_capacity(queries.len());
    for q in &queries {
        let (d, res) = run(q, false);
        t_plain.push(d);
        top1.push(q.target.is_some_and(|t| {
            res.hits
                .first()
                .is_some_and(|h| h.slug.as_str() == arts[t].slug)
        }));
        answered.push(res.answered);
    }
    let mut t_snip = Vec::with_capacity(queries.len());
    for q in &queries {
        let (d, res) = run(q, true);
        t_snip.push(d);
        std::hint::black_box(res);
    }

    // 4. reload() after a one-file edit, on this engine (it has no watcher).
    eprintln!("engine.reload()…");
    let mut reload_same = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = engine.reload()?;
        reload_same.push(t.elapsed());
        anyhow::ensure!(!r.changed, "reload saw a change nobody made");
    }
    let mut reload_edit = Vec::new();
    let mut reload_ok = 0;
    for round in 0..EDIT_ROUNDS {
        let a = &arts[(round * 397 + 11) % arts.len()];
        let word = unique_word(&mut rng);
        std::fs::write(dir.path().join(&a.rel), with_word(&a.text, &word))?;
        let t = Instant::now();
        let r = engine.reload()?;
        reload_edit.push(t.elapsed());
        anyhow::ensure!(r.changed, "reload missed the edit of {}", a.rel);
        let res = engine.search(&SearchRequest {
            query: &word,
            lang: Some(Lang::Ru),
            limit: 10,
            snippets: false,
            semantic: false,
            across: false,
        });
        reload_ok += usize::from(found_in(&res, &a.slug, &word));
    }
    drop(engine);

    // 5. HTTP: otvet::run on 127.0.0.1:0 with the watcher on.
    eprintln!("starting the server…");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    anyhow::ensure!(
        addr.ip().is_loopback(),
        "listener is not on loopback: {addr}"
    );
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let t_server = Instant::now();
    let server = rt.spawn(otvet::run(
        otvet::Config::new(dir.path()),
        listener,
        async move {
            let _ = stop_rx.await;
        },
    ));
    let http = Http {
        client: reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .pool_max_idle_per_host(1)
            .build()?,
        url: format!("http://{addr}/api/search"),
    };
    let http_result: anyhow::Result<_> = rt.block_on(async {
        // The listener is bound already, so the first request waits in the backlog until the
        // index is built and the server accepts it.
        http.search("доставка").await?;
        let server_ready = t_server.elapsed();
        eprintln!("HTTP: {} warm-up, then {} requests…", WARMUP, queries.len());
        for q in queries.iter().cycle().take(WARMUP) {
            http.search(&q.text).await?;
        }
        let mut t_http = Vec::with_capacity(queries.len());
        for q in &queries {
            let t = Instant::now();
            let body = http.search(&q.text).await?;
            t_http.push(t.elapsed());
            std::hint::black_box(body);
        }

        // 6. Edit visible through the watcher.
        eprintln!("edit → visible over HTTP, {EDIT_ROUNDS} rounds…");
        let mut visible = Vec::new();
        let mut missed = 0;
        for round in 0..EDIT_ROUNDS {
            let a = &arts[(round * 509 + 200) % arts.len()];
            let word = unique_word(&mut rng);
            let new_text = with_word(&a.text, &word);
            let t = Instant::now();
            std::fs::write(dir.path().join(&a.rel), new_text)?;
            let mut seen = None;
            let mut polls = 0;
            while t.elapsed() < EDIT_TIMEOUT && polls < 5_000 {
                polls += 1;
                if found_in_json(&http.search(&word).await?, &a.slug, &word) {
                    seen = Some(t.elapsed());
                    break;
                }
                tokio::time::sleep(EDIT_POLL).await;
            }
            match seen {
                Some(d) => visible.push(d),
                None => {
                    missed += 1;
                    visible.push(EDIT_TIMEOUT);
                }
            }
            // Let the watcher's burst window close before the next edit.
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        Ok((server_ready, t_http, visible, missed))
    });
    let _ = stop_tx.send(());
    let server_exit =
        rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), server).await });
    let (server_ready, t_http, visible, missed) = match http_result {
        Ok(x) => x,
        Err(e) => {
            if let Ok(Ok(Err(server_err))) = server_exit {
                eprintln!("server failed: {server_err:#}");
            }
            return Err(e);
        }
    };
    let peak_rss = proc_status("VmHWM:");
    drop(rt);

    // 7. Report.
    let plain = summarize(t_plain.iter().copied());
    let snip = summarize(t_snip.iter().copied());
    let web = summarize(t_http.iter().copied());
    let of_class = |ts: &[Duration], c: Class| {
        summarize(
            queries
                .iter()
                .zip(ts)
                .filter(|(q, _)| q.class == c)
                .map(|(_, d)| *d),
        )
    };
    let (ex, ty) = (
        of_class(&t_plain, Class::Exact),
        of_class(&t_plain, Class::Typo),
    );
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    let vis = summarize(visible.iter().copied());
    let rel_edit = summarize(reload_edit.iter().copied());

    let mut out = String::new();
    let _ = writeln!(out, "\n## otvet search benchmark\n");
    let _ = writeln!(
        out,
        "machine: {}; load average {load_at_start} at start, {} at end (other processes skew the numbers)",
        machine(),
        loadavg()
    );
    let _ = writeln!(
        out,
        "command: `cargo bench --bench search` → `{}`",
        std::env::args().collect::<Vec<_>>().join(" ")
    );
    let _ = writeln!(
        out,
        "knowledge base: {} files ({n_ru} ru + {EN_ARTICLES} en, {loaded} loaded, {problems} problems), {:.1} MB, {} sections, {} questions, ~{} words; vocabulary {} lemmas / {} word forms; synonyms: {synonyms_note}",
        stats.files,
        stats.bytes as f64 / 1e6,
        stats.sections,
        stats.questions,
        stats.words,
        vocab.lemmas.len(),
        vocab.form_count(),
    );
    let _ = writeln!(
        out,
        "queries: {} (lang=ru, limit=10), {} warm-up first; times are p50 / p99 / max\n",
        queries.len(),
        WARMUP
    );
    let _ = writeln!(out, "| metric | value | target |");
    let _ = writeln!(out, "|---|---|---|");
    let _ = writeln!(out, "| file generation | {} | — |", fmt_d(gen_time));
    let _ = writeln!(
        out,
        "| index build (`SearchEngine::open`) | {} | < 5 s {} |",
        fmt_d(build_time),
        verdict(build_time < Duration::from_secs(5))
    );
    let _ = writeln!(
        out,
        "| search call, no snippets | {} | p99 < 1 ms {} |",
        fmt_s(&plain),
        verdict(plain.p99 < Duration::from_millis(1))
    );
    let _ = writeln!(
        out,
        "| search call, with snippets | {} | p99 < 1 ms {} |",
        fmt_s(&snip),
        verdict(snip.p99 < Duration::from_millis(1))
    );
    let _ = writeln!(
        out,
        "| typo / exact ratio (no snippets) | p50 {:.2}× · p99 {:.2}× | — |",
        ratio(ty.p50, ex.p50),
        ratio(ty.p99, ex.p99)
    );
    let _ = writeln!(
        out,
        "| `/api/search` over HTTP (keep-alive) | {} | p99 < 5 ms {} |",
        fmt_s(&web),
        verdict(web.p99 < Duration::from_millis(5))
    );
    let _ = writeln!(
        out,
        "| edit visible via watcher + HTTP ({EDIT_ROUNDS} edits) | median {} · max {}{} | < 1 s {} |",
        fmt_d(vis.p50),
        fmt_d(vis.max),
        if missed > 0 {
            format!(" · {missed} never seen")
        } else {
            String::new()
        },
        verdict(missed == 0 && vis.max < Duration::from_secs(1))
    );
    let _ = writeln!(
        out,
        "| `engine.reload()` after a one-file edit (no watcher) | median {} · max {} · found {reload_ok}/{EDIT_ROUNDS} | — |",
        fmt_d(rel_edit.p50),
        fmt_d(rel_edit.max)
    );
    let _ = writeln!(
        out,
        "| `engine.reload()` with nothing changed | median {} | — |",
        fmt_d(median(&reload_same))
    );
    let _ = writeln!(
        out,
        "| server start (`run` → first response, builds its own index) | {} | — |",
        fmt_d(server_ready)
    );
    let _ = writeln!(
        out,
        "| memory | RSS {rss_after_build} after build · peak {peak_rss} | — |"
    );
    let _ = writeln!(
        out,
        "\n| query class | n | call p50 / p99 | +snippets p50 / p99 | HTTP p50 / p99 | top-1 = source | answered |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for &(c, name, _) in &CLASSES {
        let idx: Vec<usize> = (0..queries.len())
            .filter(|&i| queries[i].class == c)
            .collect();
        let (a, b, h) = (
            of_class(&t_plain, c),
            of_class(&t_snip, c),
            of_class(&t_http, c),
        );
        let pct = |flags: &[bool]| {
            100.0 * idx.iter().filter(|&&i| flags[i]).count() as f64 / idx.len().max(1) as f64
        };
        let top = if c == Class::Nonsense {
            "—".to_string()
        } else {
            format!("{:.0}%", pct(&top1))
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} / {} | {} / {} | {} / {} | {top} | {:.0}% |",
            a.n,
            fmt_d(a.p50),
            fmt_d(a.p99),
            fmt_d(b.p50),
            fmt_d(b.p99),
            fmt_d(h.p50),
            fmt_d(h.p99),
            pct(&answered),
        );
    }
    if let Some(model) = std::env::var("OTVET_BENCH_MODEL")
        .ok()
        .filter(|m| m != "off")
    {
        semantic_phase(&mut out, dir.path(), &model, &queries)?;
    }
    let _ = writeln!(out, "\ntotal benchmark time {}", fmt_d(started.elapsed()));
    println!("{out}");
    Ok(())
}

/// With `OTVET_BENCH_MODEL=builtin` (or a model path): the generated knowledge base embedded
/// from nothing, a restart with the embedding cache, and hybrid search calls with new questions
/// (each one embedded) and with the same questions again (vectors cached).
///
/// With `OTVET_BENCH_VECTORS=synthetic` too, the embedding cache is first filled with
/// pseudo-random unit vectors for every text of the knowledge base (the encoder embeds only a
/// sample, to time it), so the search figures at full size take minutes instead of the half
/// hour of embedding: a brute-force scan costs the same whatever the vectors hold (the
/// questions are still embedded by the real encoder).
/// Fills the embedding cache at `cache` with pseudo-random unit vectors for every text of the
/// knowledge base in `dir`, and times the encoder on a sample of them as the background thread
/// embeds (batches of 16, on every core): returns (sample size, time).
fn synthetic_vectors(
    dir: &Path,
    model: &otvet::semantic::Model,
    cache: &Path,
) -> anyhow::Result<(usize, Duration)> {
    use otvet::semantic::cache::{EmbeddingCache, key};
    let mut library = otvet::articles::Library::new(dir, Lang::Ru);
    library.refresh();
    let units: Vec<otvet::semantic::UnitText> = library
        .catalog()
        .articles
        .values()
        .enumerate()
        .flat_map(|(aid, a)| otvet::search::hybrid::units_of(aid as u64, a))
        .collect();
    let (sha, dim) = (&model.info.sha256, model.info.dim);
    let mut rng = Rng::new(SEED ^ 0x5EC7);
    let mut vectors = EmbeddingCache::open(Some(cache), sha, dim);
    for chunk in units.chunks(4096) {
        let items = chunk
            .iter()
            .map(|u| {
                let mut v: Vec<f32> = (0..dim).map(|_| rng.below(2001) as f32 - 1000.0).collect();
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
                v.iter_mut().for_each(|x| *x /= norm);
                (key(sha, u.kind, &u.text), v)
            })
            .collect();
        vectors.insert(items);
    }
    // Every 32nd text, in the knowledge base's order.
    let sample: Vec<&otvet::semantic::UnitText> = units.iter().step_by(32).collect();
    eprintln!("semantic: timing the encoder on {} texts…", sample.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let b = next.fetch_add(16, std::sync::atomic::Ordering::Relaxed);
                    let Some(batch) = sample.get(b..(b + 16).min(sample.len())) else {
                        return;
                    };
                    if batch.is_empty() {
                        return;
                    }
                    for kind in [otvet::semantic::Kind::Query, otvet::semantic::Kind::Passage] {
                        let texts: Vec<&str> = batch
                            .iter()
                            .filter(|u| u.kind == kind)
                            .map(|u| u.text.as_str())
                            .collect();
                        if !texts.is_empty() {
                            std::hint::black_box(model.encoder.embed_batch(kind, &texts));
                        }
                    }
                }
            });
        }
    });
    Ok((sample.len(), t.elapsed()))
}

fn semantic_phase(
    out: &mut String,
    dir: &Path,
    model: &str,
    queries: &[Query],
) -> anyhow::Result<()> {
    let choice = if model == "builtin" {
        otvet::semantic::ModelChoice::Builtin
    } else {
        otvet::semantic::ModelChoice::Path(model.into())
    };
    let model = otvet::semantic::model::load(&choice)?;
    let cache_dir = tempfile::TempDir::new()?;
    let cache = cache_dir.path().join("embeddings.bin");
    let synthetic = std::env::var("OTVET_BENCH_VECTORS").is_ok_and(|v| v == "synthetic");
    let embed_rate = if synthetic {
        Some(synthetic_vectors(dir, &model, &cache)?)
    } else {
        None
    };
    let open = || -> anyhow::Result<(SearchEngine, Duration)> {
        let t = Instant::now();
        let engine = SearchEngine::open(dir, Lang::Ru, otvet::search::DEFAULT_THRESHOLD)?;
        engine.start_semantic(
            &otvet::semantic::ModelChoice::Loaded(model.clone()),
            Some(cache.clone()),
        );
        anyhow::ensure!(
            engine.wait_semantic(Duration::from_secs(7200)),
            "not embedded within two hours"
        );
        Ok((engine, t.elapsed()))
    };
    eprintln!("semantic: embedding the generated articles…");
    let (first, cold) = open()?;
    let texts = first.semantic_status().total;
    drop(first);
    let cold = match embed_rate {
        // Measured on a sample of the texts, at the background thread's pace.
        Some((sample, took)) => format!(
            "{} (estimated: {sample} of the texts embedded in {})",
            fmt_d(took.mul_f64(texts as f64 / sample as f64)),
            fmt_d(took)
        ),
        None => fmt_d(cold),
    };
    eprintln!("semantic: again, with the embedding cache…");
    let (engine, warm) = open()?;
    let rss = proc_status("VmRSS:");
    let call = |q: &Query, semantic: bool, snippets: bool| {
        let t = Instant::now();
        std::hint::black_box(engine.search(&SearchRequest {
            query: &q.text,
            lang: Some(Lang::Ru),
            limit: 10,
            snippets,
            semantic,
            across: false,
        }));
        t.elapsed()
    };
    let time = |q: &Query| call(q, true, true);
    let n = queries.len().min(500);
    eprintln!("semantic: {n} hybrid searches, new questions then the same again…");
    let fresh = summarize(queries[..n].iter().map(time));
    let again = summarize(queries[..n].iter().map(time));
    // Beside them, in the same run: without snippets, and lexically.
    let bare = summarize(queries[..n].iter().map(|q| call(q, true, false)));
    let lexical = summarize(queries[..n].iter().map(|q| call(q, false, true)));
    // Of which the brute-force scan: every vector's cosine, grouped per article.
    let sem = engine.semantic().expect("semantic search attached");
    let index = sem.index();
    let scan = summarize(queries[..n].iter().map(|q| {
        let v = sem.query(&q.text);
        let t = Instant::now();
        std::hint::black_box(otvet::search::hybrid::nearest(&index, &v, |_| true));
        t.elapsed()
    }));
    let _ = writeln!(
        out,
        "\n| hybrid (encoder on) | measured | goal |\n|---|---|---|\n\
         | {texts} texts embedded from nothing (background thread) | {} | ≤ 15 min |\n\
         | restart with the embedding cache (open + vectors ready) | {} | ≤ 10 s |\n\
         | search call, new questions (each embedded), p50 / p99 / max | {} | p99 ≤ 10 ms |\n\
         | search call, the same questions again (vectors cached), p50 / p99 / max | {} | p99 ≤ 10 ms |\n\
         | the same without snippets, p50 / p99 / max | {} | — |\n\
         | the same lexically (encoder off for the call), p50 / p99 / max | {} | — |\n\
         | of which the scan of {texts} vectors (`hybrid::nearest`), p50 / p99 / max | {} | — |\n\
         | RSS with the model and {texts} vectors | {rss} | — |",
        cold,
        fmt_d(warm),
        fmt_s(&fresh),
        fmt_s(&again),
        fmt_s(&bare),
        fmt_s(&lexical),
        fmt_s(&scan),
    );
    Ok(())
}
