//! The media cache: each job's outputs in a folder named by the hash of its source bytes, its settings and
//! the pipeline version, written atomically, reused when the key matches, pruned when no job uses it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::UNIX_EPOCH;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::error::Error;
use crate::locks::lock;

/// Raise when any encoder or step changes what a job produces: every entry is then made again.
pub(crate) const PIPELINE_VERSION: u32 = 9;

const META: &str = "meta.json";
const HASHES: &str = "hashes.json";

pub(crate) struct Cache {
    dir: PathBuf,
    /// Content hashes of sources, remembered by path, size and modification time.
    hashes: Mutex<HashMap<PathBuf, Known>>,
    used: Mutex<HashSet<String>>,
    /// The keys being made now: a second job with the same key (two files with the same bytes) waits
    /// for the first and reuses its entry, instead of replacing it while the first reads it.
    making: Mutex<HashSet<String>>,
    made: Condvar,
    counter: AtomicU64,
}

#[derive(Clone, Serialize, Deserialize)]
struct Known {
    len: u64,
    modified_ns: u128,
    hash: String,
}

impl Cache {
    pub(crate) fn open(dir: &Path) -> Result<Cache, Error> {
        std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
        let hashes = std::fs::read(dir.join(HASHES))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Ok(Cache {
            dir: dir.to_path_buf(),
            hashes: Mutex::new(hashes),
            used: Mutex::new(HashSet::new()),
            making: Mutex::new(HashSet::new()),
            made: Condvar::new(),
            counter: AtomicU64::new(0),
        })
    }

    /// The hash of a source file's bytes; read again only when its size or modification time changed.
    pub(crate) fn source_hash(&self, path: &Path) -> std::io::Result<String> {
        let meta = std::fs::metadata(path)?;
        let modified_ns = meta
            .modified()?
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        if let Some(k) = lock(&self.hashes).get(path) {
            if k.len == meta.len() && k.modified_ns == modified_ns {
                return Ok(k.hash.clone());
            }
        }
        let mut hasher = blake3::Hasher::new();
        hasher.update_reader(std::fs::File::open(path)?)?;
        let hash = hasher.finalize().to_hex().to_string();
        lock(&self.hashes).insert(
            path.to_path_buf(),
            Known {
                len: meta.len(),
                modified_ns,
                hash: hash.clone(),
            },
        );
        Ok(hash)
    }

    /// The key of a job: its source's hash, its settings and the pipeline version.
    fn key(source_hash: &str, kind: &str, settings: &impl Serialize) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(source_hash.as_bytes());
        hasher.update(kind.as_bytes());
        hasher.update(&PIPELINE_VERSION.to_le_bytes());
        hasher.update(
            serde_json::to_string(settings)
                .unwrap_or_default()
                .as_bytes(),
        );
        format!("{kind}-{}", &hasher.finalize().to_hex()[..32])
    }

    /// The folder of a finished entry, when there is one.
    fn get<M: DeserializeOwned>(&self, key: &str) -> Option<(PathBuf, M)> {
        lock(&self.used).insert(key.to_string());
        let dir = self.dir.join(key);
        let meta = serde_json::from_slice(&std::fs::read(dir.join(META)).ok()?).ok()?;
        Some((dir, meta))
    }

    /// Makes an entry: `fill` writes the output files into a private folder, which becomes the entry
    /// only once complete. A build killed meanwhile leaves no entry, only a temporary folder that is pruned.
    fn put<M: Serialize>(
        &self,
        key: &str,
        fill: impl FnOnce(&Path) -> Result<M, Error>,
    ) -> Result<(PathBuf, M), Error> {
        lock(&self.used).insert(key.to_string());
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let tmp = self
            .dir
            .join(format!(".tmp-{key}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(Error::io("create", &tmp))?;
        let meta = match fill(&tmp) {
            Ok(meta) => meta,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        let json = serde_json::to_vec_pretty(&meta)
            .map_err(Error::internal("write a cache entry's description"))?;
        std::fs::write(tmp.join(META), json).map_err(Error::io("write", &tmp))?;
        let dir = self.dir.join(key);
        let _ = std::fs::remove_dir_all(&dir);
        if std::fs::rename(&tmp, &dir).is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        Ok((dir, meta))
    }

    /// The entry of the job (`kind`, `settings`) on `source`: reused when its key matches, otherwise
    /// made by `make`. Returns the entry's folder, its metadata, and whether `make` ran.
    pub(crate) fn entry<M: Serialize + DeserializeOwned>(
        &self,
        source: &Path,
        kind: &str,
        settings: &impl Serialize,
        make: impl FnOnce(&Path) -> Result<M, Error>,
    ) -> Result<(PathBuf, M, bool), Error> {
        let hash = self
            .source_hash(source)
            .map_err(|e| Error::file(source, format!("cannot read the file: {e}")))?;
        let key = Cache::key(&hash, kind, settings);
        loop {
            if let Some((dir, meta)) = self.get(&key) {
                return Ok((dir, meta, false));
            }
            let mut making = lock(&self.making);
            if making.insert(key.clone()) {
                break;
            }
            while making.contains(&key) {
                making = self.made.wait(making).unwrap_or_else(|e| e.into_inner());
            }
        }
        let made = self.put(&key, make);
        lock(&self.making).remove(&key);
        self.made.notify_all();
        let (dir, meta) = made?;
        Ok((dir, meta, true))
    }

    /// Removes every entry this build did not use, and leftovers of killed builds.
    pub(crate) fn prune(&self) -> Result<(), Error> {
        let used = lock(&self.used);
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_entry = name.starts_with("photo-")
                    || name.starts_with("track-")
                    || name.starts_with(".tmp-");
                if is_entry && !used.contains(&name) && entry.path().is_dir() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        Ok(())
    }

    /// Saves what it learnt of the sources' hashes.
    pub(crate) fn save(&self) -> Result<(), Error> {
        let hashes = lock(&self.hashes);
        let json = serde_json::to_vec(&*hashes)
            .map_err(Error::internal("write the cache's source hashes"))?;
        let path = self.dir.join(HASHES);
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(Error::io("write", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(Error::io("write", &path))
    }
}
