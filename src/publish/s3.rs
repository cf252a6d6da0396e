//! The S3 requests a publish needs (list, put, delete, website), signed by rusty-s3 and sent by ureq, with
//! retries for network failures and plain-language messages for what the server refuses.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use md5::{Digest, Md5};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use sha2::Sha256;

use super::plan::{hex, LocalFile, Remote};
use crate::config::HtmlPublish;
use crate::error::{display_path, Error};

/// How long a signed request stays valid.
const VALID_FOR: Duration = Duration::from_secs(3600);
/// Tries per request when the network or the server fails.
const TRIES: u32 = 4;

/// The key from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or from the credentials file of `[publish.html]`.
pub(super) fn credentials(settings: &HtmlPublish, root: &Path) -> Result<Credentials, Error> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let (Some(id), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        return Ok(Credentials::new(id.trim(), secret.trim()));
    }
    let Some(file) = &settings.credentials_file else {
        return Err(Error::Usage(
            "no credentials for the bucket: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the key \
             your host gave you, or name a file holding them with credentials_file in [publish.html]"
                .into(),
        ));
    };
    let path = match file.strip_prefix("~") {
        Ok(rest) => std::env::var_os("HOME")
            .map(|h| Path::new(&h).join(rest))
            .unwrap_or_else(|| file.clone()),
        Err(_) => root.join(file),
    };
    let text =
        std::fs::read_to_string(&path).map_err(Error::io("read the credentials file", &path))?;
    let value = |name: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == name).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    match (value("aws_access_key_id"), value("aws_secret_access_key")) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok(Credentials::new(id, secret))
        }
        _ => Err(Error::Usage(format!(
            "{} must hold two lines: aws_access_key_id = … and aws_secret_access_key = …",
            display_path(&path)
        ))),
    }
}

pub(super) struct Client {
    bucket: Bucket,
    credentials: Credentials,
    agent: ureq::Agent,
    verbose: bool,
    endpoint: String,
}

struct Answer {
    status: u16,
    etag: Option<String>,
    body: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `<Code>…</Code>` of an S3 error body.
fn xml_field<'a>(body: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    body.split_once(&open)
        .and_then(|(_, rest)| rest.split_once(&format!("</{name}>")))
        .map_or("", |(v, _)| v)
}

impl Client {
    pub(super) fn new(
        settings: &HtmlPublish,
        credentials: Credentials,
        verbose: bool,
    ) -> Result<Client, Error> {
        let bad = || {
            Error::Usage(format!(
                "[publish.html] endpoint = \"{}\" is not a valid address, or bucket = \"{}\" is not a valid name",
                settings.endpoint, settings.bucket
            ))
        };
        let endpoint = settings.endpoint.parse().map_err(|_| bad())?;
        let bucket = Bucket::new(
            endpoint,
            UrlStyle::Path,
            settings.bucket.clone(),
            settings.region.clone(),
        )
        .map_err(|_| bad())?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Ok(Client {
            bucket,
            credentials,
            agent,
            verbose,
            endpoint: settings.endpoint.clone(),
        })
    }

    /// Sends one signed request, trying again with backoff when the network or the server (5xx) fails.
    fn send(
        &self,
        method: &str,
        what: &str,
        url: &url::Url,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<Answer, Error> {
        let mut last = String::new();
        for attempt in 0..TRIES {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(500 << (attempt - 1)));
            }
            let mut req = ureq::http::Request::builder()
                .method(method)
                .uri(url.as_str());
            for (k, v) in headers {
                req = req.header(*k, v);
            }
            let made = |e: ureq::http::Error| {
                Error::Usage(format!("could not make the request for {what}: {e}"))
            };
            let sent = if body.is_empty() {
                self.agent.run(req.body(()).map_err(made)?)
            } else {
                self.agent.run(req.body(body).map_err(made)?)
            };
            match sent {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    if self.verbose {
                        println!("  {method} {what} → {status}");
                    }
                    let etag = resp
                        .headers()
                        .get("etag")
                        .and_then(|v| v.to_str().ok())
                        .map(|v| v.trim_matches('"').to_string());
                    let body = resp.body_mut().read_to_string().unwrap_or_default();
                    if status >= 500 {
                        last = format!("the server answered {status} {}", xml_field(&body, "Code"));
                        continue;
                    }
                    return Ok(Answer { status, etag, body });
                }
                Err(e) => {
                    if self.verbose {
                        println!("  {method} {what} → {e}");
                    }
                    last = e.to_string();
                }
            }
        }
        Err(Error::Publish(format!(
            "could not {method} {what} after {TRIES} tries ({last}); check your network connection and \
             [publish.html] endpoint = \"{}\", then publish again: what was uploaded stays, the rest follows",
            self.endpoint
        )))
    }

    /// Turns a refusal into a message that says what to do.
    fn refused(&self, what: &str, a: &Answer) -> Error {
        let code = xml_field(&a.body, "Code");
        let message = xml_field(&a.body, "Message");
        let bucket = self.bucket.name();
        Error::Publish(match (a.status, code) {
            (403, _) if a.body.to_lowercase().contains("quota") => format!(
                "the bucket \"{bucket}\" is full: the server refused {what} (\"{message}\"). Ask your host for \
                 more room, or make the site smaller (set [budget] html to your quota and run `capsule build --fit`)"
            ),
            (403, _) | (401, _) => format!(
                "the server refused the credentials for bucket \"{bucket}\" ({} {code}): check \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or credentials_file), and that this key may write \
                 to the bucket",
                a.status
            ),
            (404, "NoSuchBucket") => format!(
                "there is no bucket \"{bucket}\" at {}; check bucket in [publish.html]",
                self.endpoint
            ),
            (status, _) => format!("the server refused {what}: {status} {code} {message}"),
        })
    }

    fn empty_payload() -> (&'static str, String) {
        ("x-amz-content-sha256", sha256_hex(b""))
    }

    /// Every object in the bucket, with its ETag and size.
    pub(super) fn list(&self) -> Result<Remote, Error> {
        let mut remote = Remote::new();
        let mut token: Option<String> = None;
        let (hname, hvalue) = Self::empty_payload();
        loop {
            let mut action = self.bucket.list_objects_v2(Some(&self.credentials));
            if let Some(t) = &token {
                action.with_continuation_token(t.clone());
            }
            action.headers_mut().insert(hname, hvalue.clone());
            let url = action.sign(VALID_FOR);
            let what = format!("the list of bucket \"{}\"", self.bucket.name());
            let a = self.send("GET", &what, &url, &[(hname, hvalue.clone())], b"")?;
            if a.status != 200 {
                return Err(self.refused(&what, &a));
            }
            let page = rusty_s3::actions::ListObjectsV2::parse_response(&a.body)
                .map_err(|e| Error::Publish(format!("could not read {what}: {e}")))?;
            for c in page.contents {
                remote.insert(c.key, (c.etag.trim_matches('"').to_string(), c.size));
            }
            match page.next_continuation_token {
                Some(t) => token = Some(t),
                None => return Ok(remote),
            }
        }
    }

    /// Uploads one file in a single request (so its ETag is its MD5), and checks what the server stored.
    pub(super) fn put(&self, file: &LocalFile) -> Result<(), Error> {
        let body = std::fs::read(&file.path).map_err(Error::io("read", &file.path))?;
        let md5 = Md5::digest(&body);
        let headers = [
            ("cache-control", file.cache_control.clone()),
            (
                "content-md5",
                base64::engine::general_purpose::STANDARD.encode(md5),
            ),
            ("content-type", file.content_type.to_string()),
            ("x-amz-content-sha256", sha256_hex(&body)),
        ];
        let mut action = self.bucket.put_object(Some(&self.credentials), &file.key);
        for (k, v) in &headers {
            action.headers_mut().insert(*k, v.clone());
        }
        let url = action.sign(VALID_FOR);
        let a = self.send("PUT", &file.key, &url, &headers, &body)?;
        if !(200..300).contains(&a.status) {
            return Err(self.refused(&file.key, &a));
        }
        match a.etag {
            Some(etag) if etag != hex(&md5) => Err(Error::Publish(format!(
                "{} arrived damaged (the server stored MD5 {etag}, the file has {}); publish again",
                file.key,
                hex(&md5)
            ))),
            _ => Ok(()),
        }
    }

    pub(super) fn delete(&self, key: &str) -> Result<(), Error> {
        let header = Self::empty_payload();
        let mut action = self.bucket.delete_object(Some(&self.credentials), key);
        action.headers_mut().insert(header.0, header.1.clone());
        let url = action.sign(VALID_FOR);
        let a = self.send("DELETE", key, &url, &[header], b"")?;
        if !(200..300).contains(&a.status) {
            return Err(self.refused(key, &a));
        }
        Ok(())
    }

    /// One request of the Publishing page's *Check*: `list` one key, or `put` or `delete` the small
    /// object `key`. The status and the S3 error code and message, or why nothing was answered.
    pub(super) fn probe(&self, op: &str, key: &str) -> Result<(u16, String, String), String> {
        let body: &[u8] = if op == "put" {
            b"capsule checks it may write here\n"
        } else {
            b""
        };
        let payload = ("x-amz-content-sha256", sha256_hex(body));
        let (method, headers, url) = match op {
            "put" => {
                let mut action = self.bucket.put_object(Some(&self.credentials), key);
                action.headers_mut().insert(payload.0, payload.1.clone());
                ("PUT", vec![payload], action.sign(VALID_FOR))
            }
            "delete" => {
                let mut action = self.bucket.delete_object(Some(&self.credentials), key);
                action.headers_mut().insert(payload.0, payload.1.clone());
                ("DELETE", vec![payload], action.sign(VALID_FOR))
            }
            _ => {
                let mut action = self.bucket.list_objects_v2(Some(&self.credentials));
                action.with_max_keys(1);
                action.headers_mut().insert(payload.0, payload.1.clone());
                ("GET", vec![payload], action.sign(VALID_FOR))
            }
        };
        match self.send(method, key, &url, &headers, body) {
            Ok(a) => Ok((
                a.status,
                xml_field(&a.body, "Code").to_string(),
                xml_field(&a.body, "Message").to_string(),
            )),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Makes the bucket a website (index.html, 404.html). A key that may not do so gets a note, not an error.
    pub(super) fn put_website(&self) -> Result<(), String> {
        let body = "<WebsiteConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
            <IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
            <ErrorDocument><Key>404.html</Key></ErrorDocument></WebsiteConfiguration>";
        let headers = [
            ("content-type", "application/xml".to_string()),
            ("x-amz-content-sha256", sha256_hex(body.as_bytes())),
        ];
        let url = rusty_s3::signing::sign(
            &jiff::Timestamp::now(),
            rusty_s3::Method::Put,
            self.bucket.base_url().clone(),
            self.credentials.key(),
            self.credentials.secret(),
            None,
            self.bucket.region(),
            VALID_FOR.as_secs(),
            [("website", "")].into_iter(),
            headers.iter().map(|(k, v)| (*k, v.as_str())),
        );
        let what = "the website settings";
        match self.send("PUT", what, &url, &headers, body.as_bytes()) {
            Ok(a) if (200..300).contains(&a.status) => Ok(()),
            Ok(a) => Err(format!(
                "the bucket's website settings (index.html, 404.html) were not changed: {} {}; \
                 if the site does not show, ask your host to enable website access for the bucket",
                a.status,
                xml_field(&a.body, "Code")
            )),
            Err(e) => Err(e.to_string()),
        }
    }
}
