//! The gap report: what customers asked in the chat and searched in the help center without a
//! confident answer, grouped together into clusters of the same need, ranked by the distinct
//! people each cost (chat customers and search visitors); off-topic and gibberish clusters
//! classed and put last (`triage.rs`); clusters editors dismissed or snoozed left out
//! (`dismiss.rs`); requests for a person after an answer the customer did not reject left out
//! (they are not content gaps: decided from the stored messages when the report is built); and
//! the articles with the most "No" votes.
//!
//! # Clustering
//!
//! Identical texts (lowercased, spaces collapsed, end punctuation dropped) form one node. Each
//! node is read the way search reads a query
//! ([`query::concepts`](crate::search::query::concepts)): analyzed per language
//! (stemming, `ё`→`е`, stop words), words typed on the wrong keyboard layout converted, synonyms
//! of `synonyms.yaml` added, unknown words corrected against the articles' vocabulary. What the
//! articles cannot fix is fixed with the texts themselves: a word other texts use as typed is
//! kept (search's correction towards an article word is undone), a Latin word whose ЙЦУКЕН
//! reading other texts use is converted, a stem the stemmer cut short («отмена» → «отм») joins
//! the longer one, and a one-off word within search's typo distance of a word two other texts
//! use is corrected to it. Greetings and politeness («здравствуйте», «подскажите») are dropped.
//!
//! A node becomes two unit vectors: its **words**, each weighted by IDF^[`IDF_POWER`] (1.5)
//! over the period's texts, the language's articles and [`BACKGROUND_DOCS`] empty documents (so
//! a handful of texts about one thing does not make its word look common; a word's synonyms
//! share its weight); and the **articles** search finds for it (hits with at least
//! [`RUNNER_UP`] of the best confidence), by confidence. The similarity of two texts is
//!
//! `(1 − l)·cos(words) + l·cos(articles)·(½ + ½·min(1, cos(words)/0.2))`,
//!
//! where `l` = [`ARTICLE_WEIGHT`] (0.5) times how sure search is of both
//! (`min(1, best confidence / threshold)²` each). So «как вернуть телевизор» and «возврат
//! товара» meet through the returns article, «как вернуть деньги» stays with the refunds one,
//! and two texts without a word in common need more than one wrong confident hit to meet.
//!
//! With the encoder attached ([`SearchEngine::semantic`](crate::search::SearchEngine::semantic)),
//! a node also has its **embedding** — the vector search computed for the text anyway, taken
//! from the query cache — and the similarity of two texts of one language becomes
//!
//! `(1 − μ)·s + μ·max(0, (cos(embeddings) − f) / (1 − f))`,
//!
//! where `s` is the similarity above, `μ` = [`EMBEDDING_WEIGHT`] (0.7) and `f` =
//! [`EMBEDDING_FLOOR`] (0.85; any two questions of one help center are around 0.8). So
//! paraphrases without a shared word meet, and texts that share a word but not the need get
//! less than their words alone would give them. Texts are searched on four threads (the encoder
//! embeds the waiting ones in one pass); after [`SEMANTIC_BUDGET`] (20 s, about 2,000 texts on two
//! cores) the rest are searched by their words and get no vector, and their pairs keep `s`.
//! Nodes are merged by average linkage (UPGMA, weighted by how often each text was typed) while
//! the average similarity between two clusters is at least [`MERGE_THRESHOLD`] (0.25).
//!
//! Measured with `otvet eval-gaps` (BENCHMARKS.md, "Gap clustering": every other article of an
//! evaluation set hidden, its questions clustered among the set's unanswerable and off-topic
//! ones), pairwise precision / recall before → after the embeddings: banking77 0.58 / 0.34 →
//! 0.73 / 0.45 and clinc 0.73 / 0.37 → 0.73 / 0.53 (tuned on these two; runs vary by a few
//! points: a text's vector differs in its last bits with the batch it was embedded in, enough
//! to change merges near the threshold; a server's repeated reports take the vectors from its
//! query cache), held out covid_faq_de 0.35 / 0.33 → 0.41 / 0.62, ru_minds14 0.85 / 0.39 → 0.69 /
//! 0.86, hint3_curekart 0.65 / 0.13 → 0.91 / 0.16, hint3_sofmattress 0.93 / 0.11 → 0.82 / 0.12.
//! On the 64 labelled questions of 18 needs of `tests/api/gaps.rs` with the sample shop's
//! articles: 0.95 / 0.69 by words and articles, 0.87 / 0.86 (18 clusters) with the encoder;
//! 0.93 / 0.44 with articles about something else (words alone).
//!
//! A cluster's id is `g` and a hash of its language and its most central text (the highest
//! similarity to the others, weighted by how often each was typed; one typed without fixes if
//! any), so the same data gives the same ids on every run; new texts may change it, which is why
//! a dismissal keeps the cluster's texts too. Texts of the previous period of the same length
//! join the cluster they are on average most similar to (above the threshold), for the trend.
//!
//! # Covered
//!
//! Every text is searched against the current index when the report is built. A cluster is
//! *covered* when more than half of its distinct texts get a confident hit (confidence at least
//! the threshold) from one same article — not counting an article offered for that very
//! question that did not resolve it, unless the article was edited since (its `updated` date is
//! later, or search is now clearly surer of it for the text).
//!
//! # Files
//!
//! - `report.rs`: the report's types and [`build_report`];
//! - `cluster.rs`: the clustering — texts to nodes, nodes to [`Cluster`]s;
//! - `features.rs`: how a text is read — words fixed with the other texts, IDF weights, articles;
//! - `linkage.rs`: pair similarities, average linkage, the previous period's texts;
//! - `coverage.rs`: whether an article covers a cluster now;
//! - `triage.rs`: need, off-topic or gibberish ([`Class`]); wrong-layout titles decoded;
//! - `dismiss.rs`: dismissals and snoozes ([`dismiss()`]), matched by id or by the texts;
//! - `title.rs`: a title from a customer's text ([`title_of`]);
//! - `draft.rs`: Markdown drafts ([`draft()`]) with what agents answered
//!   ([`conversation_answers`]) as the body, and their file names;
//! - `record.rs`: recording searches without a confident hit ([`record_search_miss`]);
//! - `period.rs`: periods (`7d`) and dates;
//! - `score.rs`: pairwise precision and recall against labels ([`pair_scores`], for
//!   `otvet eval-gaps`).

mod cluster;
mod coverage;
mod dismiss;
mod draft;
mod features;
mod linkage;
mod period;
mod record;
mod report;
mod score;
mod title;
mod triage;

pub use cluster::{
    ARTICLE_WEIGHT, ClusterParams, Context, EMBEDDING_FLOOR, EMBEDDING_WEIGHT, EXAMPLES, Entry,
    MERGE_THRESHOLD,
};
pub use dismiss::{Dismissal, SNOOZE_DAYS, dismiss};
pub use draft::{DRAFT_QUESTIONS, conversation_answers, draft, draft_file_name, draft_path};
pub use features::{BACKGROUND_DOCS, IDF_POWER, RUNNER_UP, SEMANTIC_BUDGET};
pub use period::{DAY_MS, DEFAULT_PERIOD, MAX_PERIOD_MS, date_of, format_period, parse_period};
pub use record::record_search_miss;
pub use report::{
    ArticleCount, Cluster, Comment, Coverage, GapReport, Kind, MAX_ROWS, Phrasing, Trend,
    UnhelpfulArticle, build_report,
};
pub use score::{PairScores, assignments, pair_scores, score_clusters};
pub use title::title_of;
pub use triage::Class;
