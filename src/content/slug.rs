//! Slugs: the lowercase ASCII names that folders and files get in both outputs.

/// `"Été à Brest!"` → `"ete-a-brest"`. Accents are folded, anything else becomes a hyphen.
pub(crate) fn slugify(name: &str) -> String {
    let ascii = deunicode::deunicode(name);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn folds_accents_and_spaces() {
        assert_eq!(slugify("Été à Brest"), "ete-a-brest");
        assert_eq!(slugify("Harbour 2024"), "harbour-2024");
    }

    #[test]
    fn drops_quotes_and_punctuation() {
        assert_eq!(slugify("L'île \"d'Ouessant\"!"), "l-ile-d-ouessant");
        assert_eq!(slugify("--a__b--"), "a-b");
    }

    #[test]
    fn nothing_usable_gives_empty() {
        assert_eq!(slugify("???"), "");
    }
}
