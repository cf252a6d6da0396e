//! Every built-in word of both outputs, in English and French.

use serde::Serialize;

use crate::config::Language;
use crate::content::PageKind;

/// A word's `text` with `{n}` filled in.
pub(crate) fn fill(text: &str, n: usize) -> String {
    text.replace("{n}", &n.to_string())
}

/// A word's `text` with `{x}` filled in.
pub(crate) fn fill_x(text: &str, x: &str) -> String {
    text.replace("{x}", x)
}

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
    pub music: MusicWords,
    pub gallery: GalleryWords,
}

/// The words of an album's photo pages and further pages. `{n}` stands for a number, `{x}` for a name.
#[derive(Debug, Serialize)]
pub(crate) struct GalleryWords {
    /// `Photo 5 of 12`
    pub photo_of: &'static str,
    /// A photo page's title when the photo has no caption: `Harbour, photo 5`
    pub untitled: &'static str,
    pub previous_photo: &'static str,
    pub next_photo: &'static str,
    pub album_start: &'static str,
    pub album_end: &'static str,
    /// The name of the previous/next links' navigation.
    pub walk: &'static str,
    /// The link from a photo page back to its place in the album.
    pub back: &'static str,
    /// The Gemini album's link to its first photo page.
    pub one_by_one: &'static str,
    /// The name of an album's numbered pages' navigation.
    pub pages: &'static str,
    /// `Page 2 of 9`
    pub page_of: &'static str,
}

/// The words of the music library. `{n}` stands for a number, `{x}` for a name or a list.
#[derive(Debug, Serialize)]
pub(crate) struct MusicWords {
    pub title: &'static str,
    pub artists: &'static str,
    pub albums: &'static str,
    pub genres: &'static str,
    pub curators: &'static str,
    pub artist: &'static str,
    pub album: &'static str,
    pub genre: &'static str,
    pub curator: &'static str,
    pub tracks: &'static str,
    pub newest: &'static str,
    pub browse: &'static str,
    /// The front page's list of the sites this one follows, and the note of each (`{n}` tracks).
    pub followed: &'static str,
    pub followed_note: &'static str,
    /// Where a followed site's recording or playlist is: `on {x}`, the site's name.
    pub on_site: &'static str,
    pub more_like_this: &'static str,
    pub related_playlists: &'static str,
    pub related_artists: &'static str,
    pub related_genres: &'static str,
    pub listen: &'static str,
    pub library_m3u: &'static str,
    pub radio: &'static str,
    pub podcast: &'static str,
    pub by_initial: &'static str,
    pub other_initial: &'static str,
    pub in_playlists: &'static str,
    /// `{n} tracks · 1 h 10 min · …`
    pub count_artists: &'static str,
    pub count_albums: &'static str,
    pub count_genres: &'static str,
    pub count_playlists: &'static str,
    pub count_curators: &'static str,
    pub budget_share: &'static str,
    pub audio_html: &'static str,
    pub audio_both: &'static str,
    pub same_genre: &'static str,
    pub same_genres: &'static str,
    pub one_playlist: &'static str,
    pub playlists_with: &'static str,
    pub one_track: &'static str,
    pub tracks_in_common: &'static str,
    pub one_artist: &'static str,
    pub artists_in_common: &'static str,
    pub same_artist: &'static str,
    pub same_album: &'static str,
    pub same_curator: &'static str,
    pub no_close_match: &'static str,
    pub sounds_close: &'static str,
    pub sounds_close_in: &'static str,
    pub similar_tempo: &'static str,
    pub similar_timbre: &'static str,
    pub as_loud: &'static str,
    pub similar_harmony: &'static str,
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
    music: MusicWords {
        title: "Music",
        artists: "Artists",
        albums: "Albums",
        genres: "Genres",
        curators: "Curators",
        artist: "Artist",
        album: "Album",
        genre: "Genre",
        curator: "Curator",
        tracks: "Tracks",
        newest: "Newest tracks",
        browse: "Browse the library",
        followed: "Followed sites",
        followed_note: "{n} tracks, on their own site",
        on_site: "on {x}",
        more_like_this: "More like this",
        related_playlists: "Related playlists",
        related_artists: "Related artists",
        related_genres: "Related genres",
        listen: "Listen in a music player (M3U)",
        library_m3u: "The whole library in a music player (M3U)",
        radio: "Radio: this and more like it, for an hour (M3U)",
        podcast: "Subscribe in a podcast app (RSS)",
        by_initial: "By initial",
        other_initial: "Other",
        in_playlists: "in {x}",
        count_artists: "{n} artists",
        count_albums: "{n} albums",
        count_genres: "{n} genres",
        count_playlists: "{n} playlists",
        count_curators: "{n} curators",
        budget_share: "{x} of the audio budget",
        audio_html: "audio of the HTML site",
        audio_both: "audio of both sites",
        same_genre: "same genre: {x}",
        same_genres: "same genres: {x}",
        one_playlist: "in a playlist with it",
        playlists_with: "in {n} playlists with it",
        one_track: "a track in common",
        tracks_in_common: "{n} tracks in common",
        one_artist: "an artist in common",
        artists_in_common: "{n} artists in common",
        same_artist: "same artist",
        same_album: "same album",
        same_curator: "same curator",
        no_close_match: "nothing close",
        sounds_close: "sounds close",
        sounds_close_in: "sounds close: {x}",
        similar_tempo: "similar tempo",
        similar_timbre: "similar timbre",
        as_loud: "as loud",
        similar_harmony: "similar harmony",
    },
    gallery: GalleryWords {
        photo_of: "Photo {n} of {x}",
        untitled: "{x}, photo {n}",
        previous_photo: "Previous photo",
        next_photo: "Next photo",
        album_start: "Start of the album",
        album_end: "End of the album",
        walk: "From photo to photo",
        back: "Back to the album",
        one_by_one: "One photo at a time",
        pages: "Pages of the album",
        page_of: "Page {n} of {x}",
    },
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
    music: MusicWords {
        title: "Musique",
        artists: "Artistes",
        albums: "Albums",
        genres: "Genres",
        curators: "Curateurs",
        artist: "Artiste",
        album: "Album",
        genre: "Genre",
        curator: "Curateur",
        tracks: "Morceaux",
        newest: "Derniers morceaux",
        browse: "Parcourir la bibliothèque",
        followed: "Sites suivis",
        followed_note: "{n} morceaux, sur leur propre site",
        on_site: "sur {x}",
        more_like_this: "Dans le même esprit",
        related_playlists: "Playlists proches",
        related_artists: "Artistes proches",
        related_genres: "Genres proches",
        listen: "Écouter dans un lecteur (M3U)",
        library_m3u: "Toute la bibliothèque dans un lecteur (M3U)",
        radio: "Radio : ce morceau et d’autres proches, pendant une heure (M3U)",
        podcast: "S’abonner dans une application de podcasts (RSS)",
        by_initial: "Par initiale",
        other_initial: "Autres",
        in_playlists: "dans {x}",
        count_artists: "{n} artistes",
        count_albums: "{n} albums",
        count_genres: "{n} genres",
        count_playlists: "{n} playlists",
        count_curators: "{n} curateurs",
        budget_share: "{x} du budget audio",
        audio_html: "audio du site HTML",
        audio_both: "audio des deux sites",
        same_genre: "même genre\u{a0}: {x}",
        same_genres: "mêmes genres\u{a0}: {x}",
        one_playlist: "dans une playlist avec lui",
        playlists_with: "dans {n} playlists avec lui",
        one_track: "un morceau en commun",
        tracks_in_common: "{n} morceaux en commun",
        one_artist: "un artiste en commun",
        artists_in_common: "{n} artistes en commun",
        same_artist: "même artiste",
        same_album: "même album",
        same_curator: "même curateur",
        no_close_match: "rien de très proche",
        sounds_close: "son proche",
        sounds_close_in: "son proche\u{a0}: {x}",
        similar_tempo: "tempo semblable",
        similar_timbre: "timbre semblable",
        as_loud: "aussi fort",
        similar_harmony: "harmonie semblable",
    },
    gallery: GalleryWords {
        photo_of: "Photo {n} sur {x}",
        untitled: "{x}, photo {n}",
        previous_photo: "Photo précédente",
        next_photo: "Photo suivante",
        album_start: "Début de l’album",
        album_end: "Fin de l’album",
        walk: "De photo en photo",
        back: "Retour à l’album",
        one_by_one: "Une photo à la fois",
        pages: "Pages de l’album",
        page_of: "Page {n} sur {x}",
    },
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
