//! Embeddings by content hash, in memory and in an append-only file, so that a restart or a
//! reload embeds only texts it has not seen.
//!
//! The file (`--embedding-cache`, default `data/embeddings.bin`) starts with a header naming the
//! model (`OTVETEMB`, version, dimension, the model's sha256); records follow, each a 16-byte
//! key and the vector's f32 values. A file of another model is started anew; a record cut short
//! by a crash is ignored. When more than half of the file is vectors of texts no longer in the
//! knowledge base, it is rewritten with the live ones only.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use sha2::{Digest, Sha256};

use otvet_encoder::Kind;

const MAGIC: &[u8; 8] = b"OTVETEMB";
// 2: vectors of the encoder with bfloat16 weights (those of 1 differ in the fourth digit).
const VERSION: u32 = 2;
const HEADER: usize = 8 + 4 + 4 + 64;

/// A text's key: the first 16 bytes of the SHA-256 of the model, the prefix and the text.
pub type Key = [u8; 16];

/// The key of `text` embedded as `kind` by the model with `model_sha`.
pub fn key(model_sha: &str, kind: Kind, text: &str) -> Key {
    let mut h = Sha256::new();
    h.update(model_sha.as_bytes());
    h.update(match kind {
        Kind::Query => b"q\0",
        Kind::Passage => b"p\0",
    });
    h.update(text.as_bytes());
    let d = h.finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

/// The cache.
pub struct EmbeddingCache {
    dim: usize,
    model_sha: String,
    vectors: FxHashMap<Key, Arc<[f32]>>,
    file: Option<PathBuf>,
    /// Records in the file (live or not).
    records: usize,
}

impl EmbeddingCache {
    /// Opens the cache, reading `file` when it holds vectors of this model.
    pub fn open(file: Option<&Path>, model_sha: &str, dim: usize) -> Self {
        let mut cache = EmbeddingCache {
            dim,
            model_sha: model_sha.to_string(),
            vectors: FxHashMap::default(),
            file: file.map(Path::to_path_buf),
            records: 0,
        };
        if let Some(path) = file {
            match cache.read(path) {
                Ok(n) => {
                    cache.records = n;
                    if n > 0 {
                        tracing::info!(file = %path.display(), vectors = cache.vectors.len(), "embedding cache read");
                    }
                }
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "embedding cache not readable; starting a new one")
                }
            }
        }
        cache
    }

    fn header(&self) -> Vec<u8> {
        let mut h = Vec::with_capacity(HEADER);
        h.extend_from_slice(MAGIC);
        h.extend_from_slice(&VERSION.to_le_bytes());
        h.extend_from_slice(&(self.dim as u32).to_le_bytes());
        let mut sha = self.model_sha.as_bytes().to_vec();
        sha.resize(64, b' ');
        h.extend_from_slice(&sha);
        h
    }

    fn read(&mut self, path: &Path) -> std::io::Result<usize> {
        let mut data = Vec::new();
        match std::fs::File::open(path) {
            Ok(mut f) => f.read_to_end(&mut data)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        if data.len() < HEADER || data[..HEADER] != self.header()[..] {
            // Another model or format: its vectors are of no use.
            return Ok(0);
        }
        let rec = 16 + self.dim * 4;
        let mut n = 0;
        for r in data[HEADER..].chunks_exact(rec) {
            let mut k = [0u8; 16];
            k.copy_from_slice(&r[..16]);
            let v: Vec<f32> = r[16..]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            self.vectors.insert(k, v.into());
            n += 1;
        }
        Ok(n)
    }

    /// The vector of `key`, if known.
    pub fn get(&self, key: &Key) -> Option<Arc<[f32]>> {
        self.vectors.get(key).cloned()
    }

    /// Number of vectors held.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// Adds vectors and appends them to the file.
    pub fn insert(&mut self, items: Vec<(Key, Vec<f32>)>) {
        if items.is_empty() {
            return;
        }
        let mut bytes = Vec::with_capacity(items.len() * (16 + self.dim * 4));
        for (k, v) in &items {
            bytes.extend_from_slice(k);
            for x in v {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
        }
        let n = items.len();
        for (k, v) in items {
            self.vectors.insert(k, v.into());
        }
        if let Some(path) = self.file.clone() {
            let fresh = self.records == 0;
            let r = (|| -> std::io::Result<()> {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .write(true)
                    .append(!fresh)
                    .truncate(fresh)
                    .open(&path)?;
                if fresh {
                    f.write_all(&self.header())?;
                }
                f.write_all(&bytes)?;
                f.flush()
            })();
            match r {
                Ok(()) => self.records += n,
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "embedding cache not written; vectors stay in memory")
                }
            }
        }
    }

    /// Forgets vectors of texts not in `live`; rewrites the file when most of it is dead.
    pub fn retain(&mut self, live: &FxHashSet<Key>) {
        self.vectors.retain(|k, _| live.contains(k));
        let Some(path) = self.file.clone() else {
            return;
        };
        if self.records <= 2 * self.vectors.len().max(1) {
            return;
        }
        let tmp = path.with_extension("bin.tmp");
        let r = (|| -> std::io::Result<()> {
            let mut w = BufWriter::new(std::fs::File::create(&tmp)?);
            w.write_all(&self.header())?;
            for (k, v) in &self.vectors {
                w.write_all(k)?;
                for x in v.iter() {
                    w.write_all(&x.to_le_bytes())?;
                }
            }
            w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        match r {
            Ok(()) => self.records = self.vectors.len(),
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "embedding cache not compacted")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_survive_a_reopen_and_other_models_start_anew() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.bin");
        let k1 = key("abc", Kind::Passage, "один");
        let k2 = key("abc", Kind::Query, "один");
        assert_ne!(k1, k2);
        let mut c = EmbeddingCache::open(Some(&path), "abc", 2);
        c.insert(vec![(k1, vec![1.0, 0.0])]);
        c.insert(vec![(k2, vec![0.0, 1.0])]);
        let c = EmbeddingCache::open(Some(&path), "abc", 2);
        assert_eq!(c.get(&k1).as_deref(), Some(&[1.0, 0.0][..]));
        assert_eq!(c.len(), 2);
        // A record cut short is ignored.
        let len = std::fs::metadata(&path).unwrap().len();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(&[7; 20])
            .unwrap();
        assert_eq!(EmbeddingCache::open(Some(&path), "abc", 2).len(), 2);
        assert!(std::fs::metadata(&path).unwrap().len() > len);
        assert!(EmbeddingCache::open(Some(&path), "other", 2).is_empty());
    }

    #[test]
    fn a_mostly_dead_file_is_compacted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.bin");
        let mut c = EmbeddingCache::open(Some(&path), "m", 1);
        let keys: Vec<Key> = (0..10)
            .map(|i| key("m", Kind::Passage, &i.to_string()))
            .collect();
        c.insert(keys.iter().map(|k| (*k, vec![1.0])).collect());
        let live: FxHashSet<Key> = keys[..2].iter().copied().collect();
        c.retain(&live);
        assert_eq!(
            std::fs::metadata(&path).unwrap().len() as usize,
            HEADER + 2 * (16 + 4)
        );
        assert_eq!(EmbeddingCache::open(Some(&path), "m", 1).len(), 2);
    }
}
