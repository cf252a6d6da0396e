//! Every built-in word of both outputs, in English and French.

use serde::Serialize;

use crate::config::Language;
use crate::content::PageKind;

#[derive(Debug, Serialize)]
pub(crate) struct Words {
    pub home: &'static str,
    pub albums: &'static str,
    pub playlists: &'static str,
    pub pages: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub skip: &'static str,
    pub site_nav: &'static str,
    pub item_nav: &'static str,
    pub by: &'static str,
    pub download: &'static str,
    pub photo: &'static str,
    pub photos: &'static str,
    pub track: &'static str,
    pub tracks: &'static str,
    pub feed: &'static str,
    pub table: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub no_items: &'static str,
    pub cover: &'static str,
    pub made_with: &'static str,
    pub full_size: &'static str,
    pub original: &'static str,
    /// ":" in English, " :" in French typography.
    pub colon: &'static str,
}

impl Words {
    /// The title of a kind's list page ("Albums"), and of the links to it.
    pub(crate) fn list_title(&self, kind: PageKind) -> &'static str {
        match kind {
            PageKind::Playlist => self.playlists,
            _ => self.albums,
        }
    }
}

const EN: Words = Words {
    home: "Home",
    albums: "Albums",
    playlists: "Playlists",
    pages: "Pages",
    previous: "Previous",
    next: "Next",
    skip: "Skip to content",
    site_nav: "Site",
    item_nav: "More",
    by: "by",
    download: "Download",
    photo: "photo",
    photos: "photos",
    track: "track",
    tracks: "tracks",
    feed: "Feed",
    table: "table",
    not_found_title: "Page not found",
    not_found_text: "There is nothing at this address. It may have moved.",
    no_items: "Nothing here yet.",
    cover: "Cover",
    made_with: "Made with capsule",
    full_size: "full size",
    original: "Original file",
    colon: ":",
};

const FR: Words = Words {
    home: "Accueil",
    albums: "Albums",
    playlists: "Playlists",
    pages: "Pages",
    previous: "Précédent",
    next: "Suivant",
    skip: "Aller au contenu",
    site_nav: "Site",
    item_nav: "Suite",
    by: "par",
    download: "Télécharger",
    photo: "photo",
    photos: "photos",
    track: "morceau",
    tracks: "morceaux",
    feed: "Flux",
    table: "tableau",
    not_found_title: "Page introuvable",
    not_found_text: "Il n’y a rien à cette adresse. Elle a peut-être changé.",
    no_items: "Rien pour l’instant.",
    cover: "Pochette",
    made_with: "Fait avec capsule",
    full_size: "taille réelle",
    original: "Fichier original",
    colon: "\u{a0}:",
};

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

pub(crate) fn words(lang: Language) -> &'static Words {
    match lang {
        Language::En => &EN,
        Language::Fr => &FR,
    }
}

/// `2024-06-01` → "1 June 2024" / "1er juin 2024".
pub(crate) fn human_date(lang: Language, date: &str) -> String {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<u32>().unwrap_or(0));
    let (year, month, day) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(1),
        parts.next().unwrap_or(1),
    );
    let m = (month.clamp(1, 12) - 1) as usize;
    match lang {
        Language::En => format!("{day} {} {year}", MONTHS_EN[m]),
        Language::Fr if day == 1 => format!("1er {} {year}", MONTHS_FR[m]),
        Language::Fr => format!("{day} {} {year}", MONTHS_FR[m]),
    }
}

/// 222 s → "3:42"; 3725 s → "1:02:05".
pub(crate) fn duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_languages() {
        assert_eq!(human_date(Language::En, "2024-06-01"), "1 June 2024");
        assert_eq!(human_date(Language::Fr, "2024-06-01"), "1er juin 2024");
        assert_eq!(human_date(Language::Fr, "2024-08-15"), "15 août 2024");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(222), "3:42");
        assert_eq!(duration(3725), "1:02:05");
    }
}
