//! *Check* on the editor's Publishing page: real signed requests to the bucket (a list, then a small
//! object written and removed), said as one of the few things that can be wrong.

use rusty_s3::Credentials;

use super::s3::Client;
use crate::config::HtmlPublish;

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
