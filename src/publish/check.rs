//! *Check* on the editor's Publishing page: real signed requests to the bucket (a list, then a small
//! object written and removed), and the capsule's target (a folder written to and cleaned, rsync run
//! against the host), each said as one of the few things that can be wrong.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusty_s3::Credentials;

use super::gemini;
use super::s3::Client;
use crate::config::{GeminiMethod, GeminiPublish, HtmlPublish};

/// What a check of the bucket found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BucketCheck {
    /// The key may read and write the bucket.
    Works,
    /// The key may list the bucket but not write to it.
    ReadOnly,
    /// The host knows no key with this id.
    UnknownKey,
    /// The key id is known, the secret is not its secret.
    WrongSecret,
    /// The host has no bucket of this name (or the key may not see it).
    NoBucket,
    /// No answer from the host: the reason.
    Unreachable(String),
    /// Any other refusal: the status, code and message.
    Refused(String),
}

/// The object the check writes and removes.
const CHECK_OBJECT: &str = ".capsule-check";

/// Reads a refusal: AWS's codes, and Garage's messages (it answers `AccessDenied` for both key faults).
fn refusal(status: u16, code: &str, message: &str) -> BucketCheck {
    let lower = message.to_lowercase();
    match code {
        "InvalidAccessKeyId" => BucketCheck::UnknownKey,
        "SignatureDoesNotMatch" => BucketCheck::WrongSecret,
        "NoSuchBucket" => BucketCheck::NoBucket,
        _ if lower.contains("no such key") || lower.contains("unknown key") => {
            BucketCheck::UnknownKey
        }
        _ if lower.contains("signature") => BucketCheck::WrongSecret,
        _ if status == 404 || lower.contains("no such bucket") => BucketCheck::NoBucket,
        _ => BucketCheck::Refused(format!("{status} {code} {message}").trim().to_string()),
    }
}

/// Checks that `key_id` and `secret` may read and write the bucket of `settings`.
pub(crate) fn bucket(settings: &HtmlPublish, key_id: &str, secret: &str) -> BucketCheck {
    let client = match Client::new(settings, Credentials::new(key_id, secret), false) {
        Ok(c) => c,
        Err(e) => return BucketCheck::Refused(e.to_string()),
    };
    match client.probe("list", "") {
        Err(e) => return BucketCheck::Unreachable(e),
        Ok((200, _, _)) => {}
        Ok((status, code, message)) => return refusal(status, &code, &message),
    }
    match client.probe("put", CHECK_OBJECT) {
        Err(e) => BucketCheck::Unreachable(e),
        Ok((200..=299, _, _)) => {
            let _ = client.probe("delete", CHECK_OBJECT);
            BucketCheck::Works
        }
        Ok((403, code, message)) => match refusal(403, &code, &message) {
            BucketCheck::Refused(_) => BucketCheck::ReadOnly,
            other => other,
        },
        Ok((status, code, message)) => refusal(status, &code, &message),
    }
}

/// The address a bucket's website most likely has: a bucket named like a domain is served there;
/// on Deuxfleurs, another name is served under web.deuxfleurs.fr.
pub(crate) fn suggested_address(settings: &HtmlPublish) -> Option<String> {
    let bucket = settings.bucket.trim();
    if bucket.is_empty() {
        None
    } else if bucket.contains('.') {
        Some(format!("https://{bucket}/"))
    } else if settings.endpoint.contains("deuxfleurs.fr") {
        Some(format!("https://{bucket}.web.deuxfleurs.fr/"))
    } else {
        None
    }
}

/// What a check of the capsule's target found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TargetCheck {
    /// The tarball will be written here (its folder can be written).
    Tarball(PathBuf),
    /// The folder can be written (or made, when it is not there yet).
    Writable(PathBuf),
    /// The folder is the site itself or inside it.
    InsideSite(PathBuf),
    /// The folder cannot be written: why.
    NotWritable(PathBuf, String),
    /// The method needs a target and has none.
    NoTarget,
    /// rsync is not installed.
    NoRsync,
    /// rsync reached the host and the folder.
    RsyncWorks(String),
    /// The host answers, but rsync could not reach the folder: the host, rsync's last words.
    NoLogin(String, String),
    /// The host does not answer: the host, why.
    HostUnreachable(String, String),
}

impl TargetCheck {
    pub(crate) fn is_good(&self) -> bool {
        matches!(
            self,
            TargetCheck::Tarball(_) | TargetCheck::Writable(_) | TargetCheck::RsyncWorks(_)
        )
    }
}

/// How long a host has to answer, and rsync to finish listing the folder.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RSYNC_TIMEOUT: Duration = Duration::from_secs(30);

/// Checks that the capsule can be sent as `settings` say, from the site at `root`: nothing is left behind.
pub(crate) fn gemini_target(root: &Path, settings: &GeminiPublish) -> TargetCheck {
    let target = settings.target.as_deref().map(str::trim).unwrap_or("");
    match settings.method {
        GeminiMethod::Tarball => {
            let archive = gemini::archive(root, settings);
            match writable(archive.parent().unwrap_or(root)) {
                Ok(()) => TargetCheck::Tarball(archive),
                Err(why) => TargetCheck::NotWritable(archive, why),
            }
        }
        _ if target.is_empty() => TargetCheck::NoTarget,
        GeminiMethod::Directory => folder(root, target),
        GeminiMethod::Rsync => {
            let installed = Command::new("rsync")
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            if installed.is_err() {
                return TargetCheck::NoRsync;
            }
            match gemini::remote(target) {
                None => folder(root, target),
                Some(remote) => rsync_host(target, &remote),
            }
        }
    }
}

fn folder(root: &Path, target: &str) -> TargetCheck {
    match gemini::folder(root, target) {
        Err(_) => TargetCheck::InsideSite(root.join(target)),
        Ok(dir) => match writable(&dir) {
            Ok(()) => TargetCheck::Writable(dir),
            Err(why) => TargetCheck::NotWritable(dir, why),
        },
    }
}

/// Writes and removes a small file in `dir`, or in the nearest folder above it that exists (publish
/// makes the rest).
fn writable(dir: &Path) -> Result<(), String> {
    let mut at = dir.to_path_buf();
    while !at.exists() {
        match at.parent() {
            Some(p) if !p.as_os_str().is_empty() => at = p.to_path_buf(),
            _ => {
                at = PathBuf::from(".");
                break;
            }
        }
    }
    if !at.is_dir() {
        return Err(format!("{} is a file, not a folder", at.display()));
    }
    let probe = at.join(format!(".capsule-check-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The host and port SSH would use for `host` (its configuration may rename both), from `ssh -G`.
fn ssh_address(host: &str) -> (String, u16) {
    let mut found = (host.to_string(), 22);
    let Ok(out) = Command::new("ssh")
        .args(["-G", "--", host])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    else {
        return found;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        match line.split_once(' ') {
            Some(("hostname", h)) => found.0 = h.trim().to_string(),
            Some(("port", p)) => found.1 = p.trim().parse().unwrap_or(22),
            _ => {}
        }
    }
    found
}

/// Does the host answer on rsync's port, and may rsync list the folder without a password?
fn rsync_host(target: &str, remote: &gemini::Remote) -> TargetCheck {
    let (host, port) = if remote.daemon {
        (remote.host.clone(), remote.port.unwrap_or(873))
    } else {
        ssh_address(&remote.host)
    };
    let unreachable = |why: String| TargetCheck::HostUnreachable(remote.host.clone(), why);
    let addrs = match (host.as_str(), port).to_socket_addrs() {
        Ok(a) => a.collect::<Vec<_>>(),
        Err(e) => return unreachable(e.to_string()),
    };
    let mut last = String::from("no address");
    if !addrs
        .iter()
        .any(|a| match TcpStream::connect_timeout(a, CONNECT_TIMEOUT) {
            Ok(_) => true,
            Err(e) => {
                last = e.to_string();
                false
            }
        })
    {
        return unreachable(format!("{last}, port {port}"));
    }
    let mut cmd = Command::new("rsync");
    cmd.arg("--list-only");
    if !remote.daemon {
        // No terminal to type a password into: a key must let rsync in.
        cmd.args(["-e", "ssh -o BatchMode=yes -o ConnectTimeout=10"]);
    } else {
        cmd.arg("--contimeout=10");
    }
    let child = cmd
        .arg(target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return TargetCheck::NoRsync;
    };
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() < RSYNC_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(50))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let mut said = String::new();
    if let Some(mut err) = child.stderr.take() {
        use std::io::Read;
        let _ = err.read_to_string(&mut said);
    }
    let last_words = said
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("rsync error:"))
        .unwrap_or("")
        .to_string();
    match status {
        // 23: the folder is not there yet; rsync makes it when it sends.
        Some(s) if s.success() || (s.code() == Some(23) && said.contains("No such file")) => {
            TargetCheck::RsyncWorks(target.to_string())
        }
        Some(s) => TargetCheck::NoLogin(
            remote.host.clone(),
            if last_words.is_empty() {
                s.to_string()
            } else {
                last_words
            },
        ),
        None => TargetCheck::NoLogin(
            remote.host.clone(),
            format!("no answer in {} s", RSYNC_TIMEOUT.as_secs()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_read_from_aws_codes_and_garage_messages() {
        assert_eq!(
            refusal(403, "InvalidAccessKeyId", ""),
            BucketCheck::UnknownKey
        );
        assert_eq!(
            refusal(403, "SignatureDoesNotMatch", ""),
            BucketCheck::WrongSecret
        );
        assert_eq!(refusal(404, "NoSuchBucket", ""), BucketCheck::NoBucket);
        assert_eq!(
            refusal(403, "AccessDenied", "Forbidden: No such key: GK0000"),
            BucketCheck::UnknownKey
        );
        assert_eq!(
            refusal(403, "AccessDenied", "Forbidden: Invalid signature"),
            BucketCheck::WrongSecret
        );
        assert!(matches!(
            refusal(400, "Weird", "odd"),
            BucketCheck::Refused(_)
        ));
    }
}
