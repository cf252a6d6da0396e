//! Form bodies: `application/x-www-form-urlencoded`, read with a size limit that is checked before the
//! body is read (Content-Length) and while it is (the stream is capped).

use std::collections::HashMap;
use std::io::Read;

use tiny_http::Request;

/// Forms of text (a page's Markdown, a table of alt texts): far above any text a person writes.
pub(crate) const TEXT_FORM_LIMIT: u64 = 8 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Larger than the limit (bytes).
    TooLarge(u64),
    /// The connection broke or the body is not UTF-8.
    Unreadable,
}

/// The fields of a submitted form. A field sent twice keeps its first value; `all` has every value.
#[derive(Debug, Default)]
pub(crate) struct Form {
    fields: HashMap<String, Vec<String>>,
}

impl Form {
    pub(crate) fn parse(body: &str) -> Form {
        let mut fields: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
            fields
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        Form { fields }
    }

    /// Reads and parses the body of `request`, refusing one over `limit` bytes.
    pub(crate) fn read(request: &mut Request, limit: u64) -> Result<Form, BodyError> {
        if request.body_length().is_some_and(|n| n as u64 > limit) {
            return Err(BodyError::TooLarge(limit));
        }
        let mut body = Vec::new();
        request
            .as_reader()
            .take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|_| BodyError::Unreadable)?;
        if body.len() as u64 > limit {
            return Err(BodyError::TooLarge(limit));
        }
        let text = String::from_utf8(body).map_err(|_| BodyError::Unreadable)?;
        Ok(Form::parse(&text))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// The field, trimmed, or "" when it is missing.
    pub(crate) fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").trim().to_string()
    }

    /// A checkbox: sent (with any value) when ticked.
    pub(crate) fn checked(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }
}

/// A query string's parameters.
pub(crate) fn query(url: &str) -> Form {
    Form::parse(url.split_once('?').map_or("", |(_, q)| q))
}

/// `value` written for an address's query (`a b/c` → `a+b%2Fc`).
pub(crate) fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_decoded() {
        let f = Form::parse("title=Harbour+%C3%A9t%C3%A9&draft=on&body=a%0D%0Ab");
        assert_eq!(f.get("title"), Some("Harbour été"));
        assert!(f.checked("draft"));
        assert!(!f.checked("other"));
        assert_eq!(f.get("body"), Some("a\r\nb"));
        assert_eq!(
            query("/_edit/text?item=albums%2Fx").get("item"),
            Some("albums/x")
        );
    }
}
