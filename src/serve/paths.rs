//! Request paths → files under a served root, refusing anything that could reach outside it.

use std::path::{Path, PathBuf};

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Target {
    File(PathBuf),
    /// A folder asked for without its trailing slash: the path to redirect to.
    Redirect(String),
    NotFound,
    /// Malformed: bad percent-encoding, invalid UTF-8, NUL, backslash or dot segments.
    Bad,
}

/// Resolves the URL path `raw` (percent-encoded, starting with `/`) under `root`.
/// Folders are served through their `index` file. Symlinks that lead outside `root` are not followed.
pub(super) fn resolve(root: &Path, raw: &str, index: &str) -> Target {
    let Some(decoded) = percent_decode(raw) else {
        return Target::Bad;
    };
    let Ok(path) = String::from_utf8(decoded) else {
        return Target::Bad;
    };
    if path.contains('\0') || path.contains('\\') || !path.starts_with('/') {
        return Target::Bad;
    }
    let mut candidate = root.to_path_buf();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." {
            return Target::Bad;
        }
        candidate.push(segment);
    }
    let (Ok(real_root), Ok(real)) = (root.canonicalize(), candidate.canonicalize()) else {
        return Target::NotFound;
    };
    if !real.starts_with(&real_root) {
        return Target::NotFound;
    }
    if real.is_dir() {
        if !path.ends_with('/') {
            return Target::Redirect(format!("{raw}/"));
        }
        let index_file = real.join(index);
        return match index_file.canonicalize() {
            Ok(f) if f.starts_with(&real_root) && f.is_file() => Target::File(f),
            _ => Target::NotFound,
        };
    }
    if real.is_file() {
        Target::File(real)
    } else {
        Target::NotFound
    }
}

/// Decodes `%XX` escapes once; `None` when an escape is malformed.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            let h = hex(*bytes.get(i + 1)?)?;
            let l = hex(*bytes.get(i + 2)?)?;
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("root/albums/a")).unwrap();
        std::fs::write(dir.path().join("root/index.html"), "home").unwrap();
        std::fs::write(dir.path().join("root/albums/a/index.html"), "a").unwrap();
        std::fs::write(dir.path().join("root/albums/a/my photo.jpg"), "p").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        dir
    }

    #[test]
    fn files_folders_and_redirects() {
        let d = site();
        let root = d.path().join("root");
        let real = root.canonicalize().unwrap();
        assert_eq!(
            resolve(&root, "/", "index.html"),
            Target::File(real.join("index.html"))
        );
        assert_eq!(
            resolve(&root, "/albums/a/", "index.html"),
            Target::File(real.join("albums/a/index.html"))
        );
        assert_eq!(
            resolve(&root, "/albums/a", "index.html"),
            Target::Redirect("/albums/a/".into())
        );
        assert_eq!(
            resolve(&root, "/albums/a/my%20photo.jpg", "index.html"),
            Target::File(real.join("albums/a/my photo.jpg"))
        );
        assert_eq!(resolve(&root, "/nope", "index.html"), Target::NotFound);
    }

    #[test]
    fn hostile_paths_never_leave_the_root() {
        let d = site();
        let root = d.path().join("root");
        for raw in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2e%2fsecret.txt",
            "/albums/%2e%2e/%2e%2e/secret.txt",
            "/..%5csecret.txt",
            "/%00",
            "/%c0%ae%c0%ae/secret.txt",
            "/%zz",
            "relative",
        ] {
            assert_eq!(resolve(&root, raw, "index.html"), Target::Bad, "{raw}");
        }
        // Double encoding decodes once: "%2e%2e" is then a plain (missing) name.
        assert_eq!(
            resolve(&root, "/%252e%252e/secret.txt", "index.html"),
            Target::NotFound
        );
        let abs = format!("/{}", d.path().join("secret.txt").display());
        assert_eq!(resolve(&root, &abs, "index.html"), Target::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let d = site();
        let root = d.path().join("root");
        std::os::unix::fs::symlink(d.path().join("secret.txt"), root.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(d.path(), root.join("up")).unwrap();
        assert_eq!(resolve(&root, "/leak.txt", "index.html"), Target::NotFound);
        assert_eq!(
            resolve(&root, "/up/secret.txt", "index.html"),
            Target::NotFound
        );
    }
}
