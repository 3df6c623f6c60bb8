//! The knowledge base: Markdown articles with YAML front matter in a folder, parsed, validated
//! and kept current as editors add, change, rename and delete files.

pub mod bank;
mod blocks;
mod parse;
pub mod synonyms;
pub mod watch;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;

pub use parse::MAX_ARTICLE_BYTES;
pub use synonyms::{SYNONYMS_FILE, SynonymGroups};

use crate::domain::{Block, Lang, Slug};

/// One published or draft article.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    /// Path relative to the articles folder, with `/` separators.
    pub file: String,
    /// URL name, the file name without `.md`.
    pub slug: Slug,
    /// Content language.
    pub lang: Lang,
    /// Title from the front matter.
    pub title: String,
    /// Category display name.
    pub category: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// Phrasings customers use for what the article answers (searched, not shown).
    pub questions: Vec<String>,
    /// Slugs of related articles in the same language.
    pub related: Vec<Slug>,
    /// Drafts are validated but not published.
    pub draft: bool,
    /// Date of the last update, `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// Sanitized HTML of the body.
    pub html: String,
    /// Plain text before the first section.
    pub intro: String,
    /// The text before the first section as answer blocks.
    #[serde(skip)]
    pub intro_blocks: Vec<Block>,
    /// `##` and `###` sections in document order.
    pub sections: Vec<Section>,
}

impl Article {
    /// The public URL path of the article, optionally pointing at a section.
    pub fn url(&self, anchor: Option<&str>) -> String {
        let mut url = format!("/{}/articles/{}", self.lang, self.slug);
        if let Some(a) = anchor {
            url.push('#');
            url.push_str(a);
        }
        url
    }
}

/// One `##` or `###` section of an article.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Stable anchor: `{#id}` from the heading, or a readable slug of its text.
    pub anchor: String,
    /// Heading text.
    pub title: String,
    /// 2 or 3.
    pub level: u8,
    /// Plain text of the section body.
    #[serde(skip)]
    pub text: String,
    /// The section body as answer blocks.
    #[serde(skip)]
    pub blocks: Vec<Block>,
}

/// How serious a problem is: errors keep an article from being served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The article is skipped.
    Error,
    /// The article is served; something should be fixed.
    Warning,
}

/// A problem found in an article file, reported as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Path relative to the articles folder.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, for an editor.
    pub message: String,
}

impl Problem {
    /// An error at `file:line`.
    pub fn error(file: &str, line: usize, message: String) -> Self {
        Problem {
            file: file.to_string(),
            line,
            severity: Severity::Error,
            message,
        }
    }

    /// A warning at `file:line`.
    pub fn warning(file: &str, line: usize, message: String) -> Self {
        Problem {
            file: file.to_string(),
            line,
            severity: Severity::Warning,
            message,
        }
    }

    /// Whether this problem keeps the article from being served.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(f, "{}:{}: {sev}{}", self.file, self.line, self.message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

struct FileEntry {
    stamp: Stamp,
    /// Hash of the bytes, to tell a real edit from a touch.
    hash: Option<u64>,
    article: Option<Arc<Article>>,
    problems: Vec<Problem>,
}

/// The published set of articles at one moment, with every problem found.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Published (non-draft, valid, unique) articles by language and slug.
    pub articles: BTreeMap<(Lang, Slug), Arc<Article>>,
    /// Synonym groups from `synonyms.yaml`.
    pub synonyms: SynonymGroups,
    /// Errors and warnings of all files, sorted by file and line.
    pub problems: Vec<Problem>,
}

impl Catalog {
    /// Number of errors among the problems.
    pub fn error_count(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }

    /// An article by language and slug.
    pub fn get(&self, lang: Lang, slug: &Slug) -> Option<&Arc<Article>> {
        self.articles.get(&(lang, slug.clone()))
    }

    /// The languages an article with this slug exists in, besides `lang`.
    pub fn translations(&self, lang: Lang, slug: &Slug) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|l| *l != lang && self.articles.contains_key(&(*l, slug.clone())))
            .collect()
    }
}

/// The articles folder as last read: parses only files whose size or time changed.
pub struct Library {
    root: PathBuf,
    default_lang: Lang,
    files: HashMap<String, FileEntry>,
    synonyms: Option<(Stamp, SynonymGroups, Vec<Problem>)>,
    /// Symbolic links not followed.
    links: Vec<Problem>,
}

impl Library {
    /// A library over `root`; call [`Library::refresh`] to read it.
    pub fn new(root: impl Into<PathBuf>, default_lang: Lang) -> Self {
        Library {
            root: root.into(),
            default_lang,
            files: HashMap::new(),
            synonyms: None,
            links: Vec::new(),
        }
    }

    /// The articles folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Reads the folder again; returns whether anything changed since the last call.
    pub fn refresh(&mut self) -> bool {
        let (seen, links) = match walk(&self.root) {
            Ok(found) => found,
            Err(e) => {
                // A folder that cannot be read keeps what was served before.
                tracing::warn!(folder = %self.root.display(), error = %e, "cannot read the articles folder");
                return false;
            }
        };
        let mut changed = links != self.links;
        self.links = links;
        let mut keep: HashMap<String, FileEntry> = HashMap::with_capacity(seen.len());
        let mut synonyms_seen = false;
        let mut to_load = Vec::new();
        for (rel, path, stamp) in seen {
            if rel == SYNONYMS_FILE {
                synonyms_seen = true;
                if self.synonyms.as_ref().map(|s| s.0) != Some(stamp) {
                    let (groups, problems) = match std::fs::read_to_string(&path) {
                        Ok(text) => synonyms::parse(&rel, &text),
                        Err(e) => (
                            SynonymGroups::default(),
                            vec![Problem::error(&rel, 1, format!("cannot read file: {e}"))],
                        ),
                    };
                    self.synonyms = Some((stamp, groups, problems));
                    changed = true;
                }
                continue;
            }
            if !rel.ends_with(".md") {
                continue;
            }
            match self.files.remove(&rel) {
                // A file written within the last moments may have changed without its time or
                // size changing (coarse file-system clocks); its bytes decide.
                Some(entry) if entry.stamp == stamp && !stamp.is_recent() => {
                    keep.insert(rel, entry);
                }
                Some(entry)
                    if entry.stamp == stamp
                        && entry.hash.is_some()
                        && entry.hash == hash_file(&path) =>
                {
                    keep.insert(rel, entry);
                }
                _ => to_load.push((rel, path, stamp)),
            }
        }
        if !to_load.is_empty() {
            changed = true;
            for (rel, entry) in self.load_all(to_load) {
                keep.insert(rel, entry);
            }
        }
        if !synonyms_seen && self.synonyms.take().is_some() {
            changed = true;
        }
        if !self.files.is_empty() {
            changed = true; // files that disappeared
        }
        self.files = keep;
        changed
    }

    /// Parses files, on every core when there are many (a first start with thousands).
    fn load_all(&self, files: Vec<(String, PathBuf, Stamp)>) -> Vec<(String, FileEntry)> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if files.len() < 64 || threads < 2 {
            return files
                .into_iter()
                .map(|(rel, path, stamp)| {
                    let e = self.load(&rel, &path, stamp);
                    (rel, e)
                })
                .collect();
        }
        let chunk = files.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(rel, path, stamp)| (rel.clone(), self.load(rel, path, *stamp)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }

    fn load(&self, rel: &str, path: &Path, stamp: Stamp) -> FileEntry {
        let stem = rel
            .rsplit('/')
            .next()
            .unwrap_or(rel)
            .trim_end_matches(".md");
        let folder_lang = rel
            .split_once('/')
            .and_then(|(first, _)| first.parse::<Lang>().ok());
        let fail = |message: String| FileEntry {
            stamp,
            hash: None,
            article: None,
            problems: vec![Problem::error(rel, 1, message)],
        };
        let slug = match Slug::parse(stem) {
            Ok(s) => s,
            Err(e) => return fail(format!("file name: {e}")),
        };
        if stamp.len > MAX_ARTICLE_BYTES as u64 {
            return fail(format!(
                "file is larger than the limit of {MAX_ARTICLE_BYTES} bytes"
            ));
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return fail(format!("cannot read file: {e}")),
        };
        let hash = Some(hash_bytes(&bytes));
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => return fail(format!("file is not valid UTF-8: {}", e.utf8_error())),
        };
        let parsed = parse::parse_article(rel, slug, &text, folder_lang, self.default_lang);
        FileEntry {
            stamp,
            hash,
            article: parsed.article.map(Arc::new),
            problems: parsed.problems,
        }
    }

    /// The published articles and all problems, including duplicate slugs and broken links.
    pub fn catalog(&self) -> Catalog {
        let mut files: Vec<(&String, &FileEntry)> = self.files.iter().collect();
        // Published articles claim their slugs before drafts, so a draft of a new version
        // never takes the live article off the site.
        files.sort_by_key(|(rel, e)| (e.article.as_ref().is_some_and(|a| a.draft), *rel));
        let mut problems: Vec<Problem> = self.links.clone();
        let mut owners: HashMap<(Lang, Slug), &str> = HashMap::new();
        let mut articles = BTreeMap::new();
        for (rel, entry) in &files {
            problems.extend(entry.problems.iter().cloned());
            let Some(a) = &entry.article else { continue };
            let key = (a.lang, a.slug.clone());
            if let Some(first) = owners.get(&key) {
                let report = if a.draft {
                    Problem::warning
                } else {
                    Problem::error
                };
                problems.push(report(
                    rel,
                    1,
                    format!(
                        "duplicate slug '{}' in language '{}': already used by {first}",
                        a.slug, a.lang
                    ),
                ));
                continue;
            }
            owners.insert(key.clone(), rel.as_str());
            if !a.draft {
                articles.insert(key, a.clone());
            }
        }
        for a in articles.values() {
            for r in &a.related {
                if !articles.contains_key(&(a.lang, r.clone())) {
                    problems.push(Problem::warning(
                        &a.file,
                        1,
                        format!(
                            "related article '{r}' does not exist in language '{}'",
                            a.lang
                        ),
                    ));
                }
            }
        }
        let synonyms = match &self.synonyms {
            Some((_, groups, p)) => {
                problems.extend(p.iter().cloned());
                groups.clone()
            }
            None => SynonymGroups::default(),
        };
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        Catalog {
            articles,
            synonyms,
            problems,
        }
    }
}

impl Stamp {
    /// Whether the file was modified less than two seconds ago.
    fn is_recent(&self) -> bool {
        self.modified
            .and_then(|m| m.elapsed().ok())
            .is_none_or(|age| age < std::time::Duration::from_secs(2))
    }
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

fn hash_file(path: &Path) -> Option<u64> {
    std::fs::read(path).ok().map(|b| hash_bytes(&b))
}

/// A file found under the articles folder: its path relative to the folder, where to read it
/// and its size and time.
type Found = (String, PathBuf, Stamp);

/// Collects every regular file under `root` (hidden files and folders skipped), following
/// symbolic links only to what lies inside `root` and never into a folder twice; every link
/// not followed is a problem.
fn walk(root: &Path) -> std::io::Result<(Vec<Found>, Vec<Problem>)> {
    let real_root = std::fs::canonicalize(root)?;
    let mut walk = Walk {
        root,
        visited: HashSet::from([real_root.clone()]),
        real_root: real_root.clone(),
        links: Vec::new(),
        files: Vec::new(),
        problems: Vec::new(),
    };
    walk.dir(root, &real_root)?;
    // Linked folders come after all real ones, so a folder is read under its real path and a
    // link to it is the one reported, whatever order the folder lists them in.
    while let Some((link, parent, target)) = walk.links.pop() {
        if walk.visited.insert(target.clone()) {
            walk.dir(&link, &target)?;
            continue;
        }
        let message = if parent.starts_with(&target) {
            "symbolic link loops back to a folder above it; not followed"
        } else {
            "symbolic link to a folder that is already read; not followed"
        };
        walk.problems
            .push(Problem::error(&relative(root, &link), 1, message.into()));
    }
    Ok((walk.files, walk.problems))
}

/// One pass over the articles folder.
struct Walk<'a> {
    /// The folder as given, which relative paths start from.
    root: &'a Path,
    /// The folder with every link resolved, which link targets must stay inside.
    real_root: PathBuf,
    /// Resolved paths of the folders read or queued.
    visited: HashSet<PathBuf>,
    /// Links to folders inside: (link, resolved folder holding it, resolved target).
    links: Vec<(PathBuf, PathBuf, PathBuf)>,
    files: Vec<Found>,
    problems: Vec<Problem>,
}

impl Walk<'_> {
    /// Reads `dir`, whose resolved path is `real`, and its real sub-folders.
    fn dir(&mut self, dir: &Path, real: &Path) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let meta = match std::fs::symlink_metadata(&path) {
                Ok(m) => m,
                Err(_) => continue, // vanished between listing and stat
            };
            if meta.is_symlink() {
                let Some((target, meta)) = self.follow(&path) else {
                    continue;
                };
                if meta.is_dir() {
                    self.links.push((path, real.to_path_buf(), target));
                } else if meta.is_file() {
                    // Read through the resolved path, so re-pointing the link after this check
                    // does not reach outside.
                    self.files
                        .push((relative(self.root, &path), target, stamp(&meta)));
                }
            } else if meta.is_dir() {
                let real = real.join(name);
                self.visited.insert(real.clone());
                self.dir(&path, &real)?;
            } else if meta.is_file() {
                self.files
                    .push((relative(self.root, &path), path, stamp(&meta)));
            }
        }
        Ok(())
    }

    /// The resolved target of a link and its metadata, when it exists inside the folder.
    fn follow(&mut self, link: &Path) -> Option<(PathBuf, std::fs::Metadata)> {
        let resolved =
            std::fs::canonicalize(link).and_then(|t| std::fs::metadata(&t).map(|m| (t, m)));
        let message = match resolved {
            Ok((target, _)) if !target.starts_with(&self.real_root) => {
                "symbolic link points outside the articles folder; not read".to_string()
            }
            Ok(found) => return Some(found),
            Err(e) => format!("broken symbolic link: {e}"),
        };
        self.problems
            .push(Problem::error(&relative(self.root, link), 1, message));
        None
    }
}

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
    }
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
