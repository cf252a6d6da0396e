//! The *Publishing* page: where the HTML site goes (Deuxfleurs, or another S3 host: endpoint, region,
//! bucket) and with which key, and where the capsule goes. The key is saved outside the site, in the
//! user's folder (mode 0600), and `capsule.toml` only names that file; its secret is never shown again.
//! *Check* asks the bucket for real and says in plain words what is wrong.

use serde::Serialize;
use toml_edit::{DocumentMut, Value};

use super::forms::Form;
use super::pages::{Base, Pages};
use super::publishing_words::{publishing_words, PublishingWords};
use super::settings::set;
use super::write::{self, Saved};
use super::Reply;
use crate::config::{Config, GeminiPublish, HtmlPublish, CONFIG_FILE};
use crate::publish::check::{self, BucketCheck};

const DEUXFLEURS_ENDPOINT: &str = "https://garage.deuxfleurs.fr";
const DEUXFLEURS_REGION: &str = "garage";

#[derive(Serialize, Default)]
struct Values {
    host: String,
    endpoint: String,
    region: String,
    bucket: String,
    key_id: String,
    method: String,
    target: String,
}

#[derive(Serialize)]
struct Ctx<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    p: &'static PublishingWords,
    fingerprint: String,
    v: Values,
    /// `GK…1a2b` when a key is saved.
    saved_key: Option<String>,
    /// What *Check* found of the website, and whether it is good news.
    check: Option<(bool, String)>,
    /// What *Check* found of the capsule's target.
    gemini_check: Option<(bool, String)>,
}

impl Pages {
    fn publishing_config(&self) -> (Vec<u8>, Config) {
        let bytes = std::fs::read(self.root.join(CONFIG_FILE)).unwrap_or_default();
        let config = Config::parse(
            &String::from_utf8_lossy(&bytes),
            std::path::Path::new(CONFIG_FILE),
        )
        .unwrap_or_default();
        (bytes, config)
    }

    /// The form's values, from the site's settings.
    fn publishing_values(config: &Config) -> Values {
        let html = config.publish.html.as_ref();
        let endpoint = html
            .map(|h| h.endpoint.clone())
            .unwrap_or_else(|| DEUXFLEURS_ENDPOINT.into());
        let gemini = &config.publish.gemini;
        Values {
            host: if endpoint == DEUXFLEURS_ENDPOINT {
                "deuxfleurs"
            } else {
                "other"
            }
            .into(),
            region: html
                .map(|h| h.region.clone())
                .unwrap_or_else(|| DEUXFLEURS_REGION.into()),
            endpoint,
            bucket: html.map(|h| h.bucket.clone()).unwrap_or_default(),
            key_id: String::new(),
            method: toml::Value::try_from(gemini.method)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            target: gemini.target.clone().unwrap_or_default(),
        }
    }

    fn saved_key(config: &Config) -> Option<String> {
        let file = config.publish.html.as_ref()?.credentials_file.as_ref()?;
        crate::userconf::saved_key_name(file)
    }

    /// The Publishing page.
    pub(crate) fn publishing(&self, csrf: &str, done: Option<&str>) -> Reply {
        let (bytes, config) = self.publishing_config();
        let p = publishing_words(self.config.language);
        let mut base = self.base(p.title, "publishing", csrf);
        base.notice = self.notice(done);
        let ctx = Ctx {
            base,
            p,
            fingerprint: write::fingerprint(&bytes),
            v: Self::publishing_values(&config),
            saved_key: Self::saved_key(&config),
            check: None,
            gemini_check: None,
        };
        Reply::html(200, self.render("edit/publishing.html", &ctx))
    }

    /// Saves (`action=save`) or checks (`action=check`) what the form says.
    pub(crate) fn save_publishing(&self, csrf: &str, form: &Form) -> Reply {
        let p = publishing_words(self.config.language);
        let (bytes, config) = self.publishing_config();
        let get = |k: &str| form.get(k).unwrap_or("").trim().to_string();
        let deuxfleurs = get("host") != "other";
        let v = Values {
            host: if deuxfleurs { "deuxfleurs" } else { "other" }.into(),
            endpoint: if deuxfleurs {
                DEUXFLEURS_ENDPOINT.into()
            } else {
                get("endpoint")
            },
            region: if deuxfleurs {
                DEUXFLEURS_REGION.into()
            } else {
                get("region")
            },
            bucket: get("bucket"),
            key_id: get("key_id"),
            method: get("method"),
            target: get("target"),
        };
        // The secret is read, used and dropped: it is never put back into a page.
        let secret = get("secret");
        let page = |status: u16,
                    check: Option<(bool, String)>,
                    gemini: Option<(bool, String)>,
                    v: Values| {
            let mut base = self.base(p.title, "publishing", csrf);
            for (field, found) in [("bucket", &check), ("target", &gemini)] {
                if let Some((false, message)) = found {
                    base.errors.push(super::pages::FieldError {
                        field,
                        message: message.clone().into(),
                    });
                }
            }
            let ctx = Ctx {
                base,
                p,
                fingerprint: write::fingerprint(&bytes),
                v,
                saved_key: Self::saved_key(&config),
                check,
                gemini_check: gemini,
            };
            Reply::html(status, self.render("edit/publishing.html", &ctx))
        };
        let checking = form.get("action") == Some("check");
        // Without a bucket or a key, the website is not set up: Check looks at the capsule alone, Save
        // saves the capsule's settings alone.
        let website = !(v.bucket.is_empty() && v.key_id.is_empty() && secret.is_empty());
        let gemini = checking.then(|| {
            let settings = GeminiPublish {
                method: toml::Value::String(v.method.clone())
                    .try_into()
                    .unwrap_or_default(),
                target: Some(v.target.clone()),
                archive: config.publish.gemini.archive.clone(),
            };
            let found = check::gemini_target(&self.root, &settings);
            (found.is_good(), p.said_target(&found))
        });
        if website && (v.bucket.is_empty() || v.endpoint.is_empty()) {
            return page(400, Some((false, p.bucket_needed.into())), gemini, v);
        }
        if v.key_id.is_empty() != secret.is_empty() {
            return page(400, Some((false, p.both_needed.into())), gemini, v);
        }
        // The site's [publish.html], or one made of the bucket alone (every other key has a default).
        let known = config.publish.html.clone().or_else(|| {
            let bucket = toml::Value::String(v.bucket.clone());
            toml::from_str::<HtmlPublish>(&format!("bucket = {bucket}")).ok()
        });
        let Some(known) = known else {
            return page(400, Some((false, p.bucket_needed.into())), gemini, v);
        };
        let settings = HtmlPublish {
            bucket: v.bucket.clone(),
            endpoint: v.endpoint.clone(),
            region: v.region.clone(),
            ..known
        };
        if checking {
            if !website {
                return page(200, None, gemini, v);
            }
            let key = if secret.is_empty() {
                settings
                    .credentials_file
                    .as_deref()
                    .and_then(|f| std::fs::read_to_string(f).ok())
                    .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
                    .and_then(|t| {
                        Some((
                            t.get("aws_access_key_id")?.as_str()?.to_string(),
                            t.get("aws_secret_access_key")?.as_str()?.to_string(),
                        ))
                    })
            } else {
                Some((v.key_id.clone(), secret.clone()))
            };
            let Some((id, key_secret)) = key else {
                return page(400, Some((false, p.both_needed.into())), gemini, v);
            };
            let found = check::bucket(&settings, &id, &key_secret);
            let mut said = p.said(&found, &settings.bucket, &settings.endpoint);
            if found == BucketCheck::Works && config.html_base_url.is_none() {
                if let Some(address) = check::suggested_address(&settings) {
                    said = format!("{said} {} {address}", p.suggest_address);
                }
            }
            return page(200, Some((found == BucketCheck::Works, said)), gemini, v);
        }
        // Save: the key outside the site, then only the changed keys of capsule.toml.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let Ok(mut doc) = text.parse::<DocumentMut>() else {
            return page(400, Some((false, p.unreadable.into())), None, v);
        };
        if form.get("fingerprint") != Some(write::fingerprint(&bytes).as_str()) {
            return page(409, Some((false, p.changed.into())), None, v);
        }
        let before = Self::publishing_values(&config);
        let mut changed = |key: &str, old: &str, new: &str| {
            if old != new || config.publish.html.is_none() {
                set(&mut doc, key, Some(Value::from(new)));
            }
        };
        if website {
            changed("publish.html.bucket", &before.bucket, &v.bucket);
            changed("publish.html.endpoint", &before.endpoint, &v.endpoint);
            changed("publish.html.region", &before.region, &v.region);
        }
        if !secret.is_empty() {
            match crate::userconf::save_key(&self.root, &v.key_id, &secret) {
                Ok(file) => set(
                    &mut doc,
                    "publish.html.credentials_file",
                    Some(Value::from(file.display().to_string())),
                ),
                Err(e) => return page(500, Some((false, e.to_string())), None, v),
            }
        }
        if v.method != before.method {
            set(
                &mut doc,
                "publish.gemini.method",
                Some(Value::from(v.method.as_str())),
            );
        }
        if v.target != before.target {
            let target = (!v.target.is_empty()).then(|| Value::from(v.target.as_str()));
            set(&mut doc, "publish.gemini.target", target);
        }
        let new_text = doc.to_string();
        if let Err(e) = Config::parse(&new_text, std::path::Path::new(CONFIG_FILE)) {
            return page(400, Some((false, e.to_string())), None, v);
        }
        match write::replace(
            &self.root.join(CONFIG_FILE),
            new_text.as_bytes(),
            &write::fingerprint(&bytes),
        ) {
            Ok(Saved::Written) => Reply::see_other("/_edit/publishing?done=saved".into()),
            Ok(Saved::Unchanged) => Reply::see_other("/_edit/publishing?done=unchanged".into()),
            Ok(Saved::Conflict(_)) => page(409, Some((false, p.changed.into())), None, v),
            Err(e) => page(500, Some((false, e.to_string())), None, v),
        }
    }
}
