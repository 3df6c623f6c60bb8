//! `otvet eval-gaps --set DIR [--set DIR…] [--json]`: how well the gap report's clustering
//! groups questions by need, on an evaluation set nobody labelled for it.
//!
//! A gap is simulated: every other article of the set (by file name, from the second) is
//! hidden, the rest indexed, and the `in_scope` queries whose expected article is hidden — what
//! the bot could not answer — are clustered as the report clusters unresolved questions, mixed
//! with the set's `unanswerable_in_domain` and `off_topic` queries as noise (`--noise N` caps
//! them). Each labelled query's need is its expected article. Printed: pairwise precision and
//! recall over the labelled queries (noise is clustered but not counted), clusters against
//! needs, where the noise went, and how long the clustering took.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::analytics::gaps::{
    self, Class, Cluster, ClusterParams, Context, DAY_MS, Entry, Kind, PairScores,
};
use crate::cli::eval::{EvalQuery, read_queries};
use crate::config::EvalGapsArgs;
use crate::search::{DEFAULT_THRESHOLD, SearchEngine};

/// What `otvet eval-gaps` measured.
#[derive(Debug, Clone, Serialize)]
pub struct GapEval {
    /// The sets, by folder name.
    pub sets: Vec<String>,
    /// `hybrid` (the encoder attached) or `lexical`.
    pub mode: &'static str,
    /// The clustering's parameters.
    pub params: Params,
    /// Articles indexed.
    pub articles: usize,
    /// Articles hidden (their questions are the gaps).
    pub hidden: usize,
    /// Noise texts clustered (unanswerable and off-topic queries).
    pub noise: usize,
    /// Clusters in all.
    pub clusters: usize,
    /// Pairwise scores over the labelled texts.
    pub scores: PairScores,
    /// Labelled texts that ended in an off-topic or gibberish cluster.
    pub labelled_as_noise: usize,
    /// Noise texts that ended in an off-topic or gibberish cluster.
    pub noise_as_noise: usize,
    /// Noise texts in a cluster with a labelled text.
    pub noise_with_needs: usize,
    /// Milliseconds the clustering took (reading, searching, embedding the texts, linkage).
    pub cluster_ms: u64,
}

/// A temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The texts to cluster, their labels, and the articles folder to index.
struct Prepared {
    dir: TempDir,
    entries: Vec<Entry>,
    labels: Vec<Option<String>>,
    articles: usize,
    hidden: usize,
    noise: usize,
}

/// `otvet eval-gaps`.
pub fn main(args: &EvalGapsArgs) -> ExitCode {
    match run(args) {
        Ok(rs) => {
            for r in rs {
                if args.json {
                    println!("{}", serde_json::to_string(&r).unwrap_or_default());
                } else {
                    print!("{}", text(&r));
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("otvet: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Sets one parameter.
type Setter = fn(&mut ClusterParams, f32);

/// The parameters to measure: the defaults, each override replaced by each value given (every
/// combination; the texts' vectors are embedded once, so a grid costs little more than a run).
fn grid(args: &EvalGapsArgs) -> Vec<ClusterParams> {
    let mut all = vec![ClusterParams::default()];
    let axes: [(&[f32], Setter); 4] = [
        (&args.merge_threshold, |p, v| p.threshold = v),
        (&args.article_weight, |p, v| p.article_weight = v),
        (&args.embedding_weight, |p, v| p.embedding_weight = v),
        (&args.embedding_floor, |p, v| p.embedding_floor = v),
    ];
    for (values, set) in axes {
        if values.is_empty() {
            continue;
        }
        all = all
            .iter()
            .flat_map(|p| {
                values.iter().map(move |&v| {
                    let mut p = *p;
                    set(&mut p, v);
                    p
                })
            })
            .collect();
    }
    all
}

fn run(args: &EvalGapsArgs) -> Result<Vec<GapEval>, String> {
    let p = prepare(args)?;
    let engine = SearchEngine::open(&p.dir.0, args.default_lang, DEFAULT_THRESHOLD)
        .map_err(|e| format!("{e:#}"))?;
    engine.start_semantic(&args.model, args.embedding_cache.clone());
    let mode = if engine.semantic().is_some() {
        if !engine.wait_semantic(Duration::from_secs(3600)) {
            return Err("the articles were not embedded within an hour".into());
        }
        "hybrid"
    } else {
        "lexical"
    };
    let ctx = Context::new(&engine, 0, DAY_MS);
    let labels: Vec<Option<&str>> = p.labels.iter().map(Option::as_deref).collect();
    let mut out = Vec::new();
    for params in grid(args) {
        let started = Instant::now();
        let clusters = ctx.clusters(&p.entries, params);
        let cluster_ms = started.elapsed().as_millis() as u64;
        let scores = gaps::score_clusters(&clusters, &p.entries, &labels);
        if args.show {
            show(&clusters, &p.entries, &labels);
        }
        let assigned = gaps::assignments(&clusters, &p.entries);
        let noisy = |c: Option<usize>| c.is_some_and(|c| clusters[c].class != Class::Need);
        let with_labels: std::collections::BTreeSet<usize> = labels
            .iter()
            .zip(&assigned)
            .filter_map(|(l, a)| l.and(*a))
            .collect();
        let (mut labelled_as_noise, mut noise_as_noise, mut noise_with_needs) = (0, 0, 0);
        for (l, &a) in labels.iter().zip(&assigned) {
            match l {
                Some(_) => labelled_as_noise += usize::from(noisy(a)),
                None => {
                    noise_as_noise += usize::from(noisy(a));
                    noise_with_needs += usize::from(a.is_some_and(|c| with_labels.contains(&c)));
                }
            }
        }
        out.push(GapEval {
            sets: args.set.iter().map(|s| name_of(s)).collect::<Vec<String>>(),
            mode,
            params: Params::of(&params),
            articles: p.articles,
            hidden: p.hidden,
            noise: p.noise,
            clusters: clusters.len(),
            scores,
            labelled_as_noise,
            noise_as_noise,
            noise_with_needs,
            cluster_ms,
        });
    }
    Ok(out)
}

/// The clustering's parameters, as measured.
#[derive(Debug, Clone, Serialize)]
pub struct Params {
    /// Merge threshold.
    pub threshold: f32,
    /// Weight of the shared articles.
    pub article_weight: f32,
    /// Weight of the embeddings' cosine.
    pub embedding_weight: f32,
    /// Cosine that counts as no similarity.
    pub embedding_floor: f32,
}

impl Params {
    fn of(p: &ClusterParams) -> Self {
        Params {
            threshold: p.threshold,
            article_weight: p.article_weight,
            embedding_weight: p.embedding_weight,
            embedding_floor: p.embedding_floor,
        }
    }
}

fn name_of(set: &Path) -> String {
    set.file_name().map_or_else(
        || set.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Copies the kept articles of every set to a temporary folder and lists the texts to cluster.
fn prepare(args: &EvalGapsArgs) -> Result<Prepared, String> {
    let dir = TempDir(std::env::temp_dir().join(format!("otvet-eval-gaps-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).map_err(|e| format!("{}: {e}", dir.0.display()))?;
    let (mut labelled, mut noise) = (Vec::new(), Vec::new());
    let (mut articles, mut hidden) = (0, 0);
    let several = args.set.len() > 1;
    for (k, set) in args.set.iter().enumerate() {
        let from = set.join("articles");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&from)
            .map_err(|e| format!("{}: {e}", from.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        files.sort();
        let mut gone = std::collections::BTreeSet::new();
        for (i, f) in files.iter().enumerate() {
            let id = f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if i % 2 == 1 && !args.all_queries {
                gone.insert(id);
                hidden += 1;
                continue;
            }
            // Sets may share article ids: each set's own prefix keeps them apart.
            let name = if several {
                format!("s{k}-{id}.md")
            } else {
                format!("{id}.md")
            };
            std::fs::copy(f, dir.0.join(name)).map_err(|e| format!("{}: {e}", f.display()))?;
            articles += 1;
        }
        let set_name = name_of(set);
        for q in read_queries(&set.join("queries.jsonl"))? {
            let need = q.expected.first().filter(|_| q.kind == "in_scope");
            match need {
                Some(a) if args.all_queries || gone.contains(a) => {
                    labelled.push((q.clone(), Some(format!("{set_name}/{a}"))));
                }
                Some(_) => {}
                None if args.all_queries => labelled.push((q.clone(), None)),
                None => noise.push((q.clone(), None)),
            }
        }
    }
    noise.truncate(args.noise);
    let noise_count = noise.len();
    let mut all: Vec<(EvalQuery, Option<String>)> = labelled.into_iter().chain(noise).collect();
    if let Some(n) = args.limit {
        all.truncate(n);
    }
    let noise_count = noise_count.min(all.iter().filter(|(_, l)| l.is_none()).count());
    let entries = all
        .iter()
        .enumerate()
        .map(|(i, (q, _))| Entry {
            text: q.query.clone(),
            lang: q.lang.unwrap_or(args.default_lang),
            at: i as i64,
            source: Kind::Questions,
            customer: Some(i as i64),
            visitor: None,
            question: None,
            current: true,
            reason: Some("no_answer".into()),
            shown: Vec::new(),
        })
        .collect();
    Ok(Prepared {
        dir,
        entries,
        labels: all.into_iter().map(|(_, l)| l).collect(),
        articles,
        hidden,
        noise: noise_count,
    })
}

/// The measurement as readable text.
pub fn text(r: &GapEval) -> String {
    let s = &r.scores;
    format!(
        "{sets}: {mode}, {articles} articles indexed, {hidden} hidden; merge at {t}, articles {aw}, \
         embeddings {ew} from {ef}\n\
         {labelled} unanswered questions of {needs} needs, {noise} noise texts\n\
         pairwise precision {p:.3}, recall {rc:.3}, F1 {f1:.3}\n\
         {clusters} clusters of the questions ({singletons} of one text), {all} in all\n\
         noise: {nn} classed off-topic or gibberish, {nw} with questions; questions classed as noise: {ln}\n\
         clustering took {ms} ms\n",
        sets = r.sets.join(" + "),
        mode = r.mode,
        t = r.params.threshold,
        aw = r.params.article_weight,
        ew = r.params.embedding_weight,
        ef = r.params.embedding_floor,
        articles = r.articles,
        hidden = r.hidden,
        labelled = s.labelled,
        needs = s.needs,
        noise = r.noise,
        p = s.precision,
        rc = s.recall,
        f1 = s.f1,
        clusters = s.clusters,
        singletons = s.singletons,
        all = r.clusters,
        nn = r.noise_as_noise,
        nw = r.noise_with_needs,
        ln = r.labelled_as_noise,
        ms = r.cluster_ms,
    )
}

/// Clusters of more than one text, with each text's need (`-` for noise), to stderr.
fn show(clusters: &[Cluster], entries: &[Entry], labels: &[Option<&str>]) {
    let assigned = gaps::assignments(clusters, entries);
    for (i, c) in clusters.iter().enumerate() {
        let texts: Vec<String> = entries
            .iter()
            .zip(labels)
            .zip(&assigned)
            .filter(|(_, a)| **a == Some(i))
            .map(|((e, l), _)| format!("{} [{}]", e.text, l.unwrap_or("-")))
            .collect();
        if texts.len() > 1 {
            eprintln!("{:?} «{}»\n  {}", c.class, c.title, texts.join("\n  "));
        }
    }
}
