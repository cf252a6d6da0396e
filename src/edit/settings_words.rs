//! The words of the Settings page, in English and French: each setting's label, what it does, and what
//! a choice costs (photos per 100 MB, hours of music per 2 GB, as measured in the README's benchmarks).

use serde::Serialize;

use crate::config::Language;

#[derive(Debug, Serialize)]
pub(crate) struct SettingsWords {
    pub title: &'static str,
    pub intro: &'static str,
    pub save: &'static str,
    pub unreadable: &'static str,
    pub whole_number: &'static str,
    /// Group titles: the site, its addresses, photos, music, budgets, the editor.
    groups: [&'static str; 6],
    /// (key, label, hint), for every setting of the page.
    fields: &'static [(&'static str, &'static str, &'static str)],
    /// (key, value, label) of the choices.
    choices: &'static [(&'static str, &'static str, &'static str)],
}

impl SettingsWords {
    /// The label and the hint of `key`.
    pub(crate) fn field(&self, key: &str) -> (&'static str, &'static str) {
        self.fields
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, label, hint)| (*label, *hint))
            .unwrap_or(("?", ""))
    }

    /// The title of the group `key` is in.
    pub(crate) fn group(&self, key: &str) -> &'static str {
        let index = match key.split_once('.').map(|(t, _)| t) {
            None if key.ends_with("_url") => 1,
            None => 0,
            Some("photos") => 2,
            Some("audio") | Some("library") => 3,
            Some("budget") => 4,
            Some(_) => 5,
        };
        self.groups[index]
    }

    /// How the choice `value` of `key` reads.
    pub(crate) fn choice(&self, key: &str, value: &str) -> String {
        self.choices
            .iter()
            .find(|(k, v, _)| *k == key && *v == value)
            .map(|(_, _, label)| label.to_string())
            .unwrap_or_else(|| value.to_string())
    }
}

static EN: SettingsWords = SettingsWords {
    title: "Settings",
    intro: "What you change here is saved in your site's capsule.toml; every other line of it stays as it is. The next build uses it.",
    save: "Save the settings",
    unreadable: "capsule.toml cannot be read as TOML: fix it in a text editor first.",
    whole_number: "Write a whole number.",
    groups: ["The site", "Its addresses", "Photos", "Music", "Size limits", "The editor"],
    fields: &[
        ("title", "Title", "Shown on every page."),
        ("author", "Author", "Shown at the bottom of each page and in the feeds. May be empty."),
        ("description", "Description", "One sentence about the site, on the home page. May be empty."),
        ("language", "Language", "Of the site's built-in words (menus, dates) and of this editor."),
        ("html_base_url", "Address of the website", "For example https://my-site.web.deuxfleurs.fr/. With it, capsule writes a feed readers can follow."),
        ("gemini_base_url", "Address of the Gemini capsule", "For example gemini://example.org/. May be empty."),
        ("photos.thumbnail", "Thumbnail size (pixels)", "The longest side of the small photos in lists and grids; capsule makes one of half this size too."),
        ("photos.display", "Display size (pixels)", "The longest side of a photo on its own page; capsule makes one of half this size too, which album pages show. Smaller holds more photos: at 1440 px, about 820 photos per 100 MB (measured on real photos)."),
        ("photos.gemini", "Gemini size (pixels)", "The longest side of the one JPEG of each photo in the capsule."),
        ("photos.format", "Format of the website's photos", "WebP: about 820 photos per 100 MB; AVIF: about a fifth more, but several times slower to build; JPEG: the largest."),
        ("photos.target", "Quality target (SSIMULACRA2 score)", "70 looks like the original to most eyes; a lower score makes smaller files, and softer photos."),
        ("audio.quality", "Music quality", "Hours per 2 GB, the collective's room for music, measured on real music."),
        ("library.follow", "Sites whose music joins yours", "One address per line, like https://alice.web.deuxfleurs.fr/: their music shows in your library and plays from their sites, costing yours nothing. A collective's site follows every member's."),
        ("budget.html", "Most the website may weigh", "Deuxfleurs: 50 MB, 200 MB on request; a photo gallery under 100 MB. \"none\" for no limit."),
        ("budget.gemini", "Most the capsule may weigh", "\"none\" for no limit."),
        ("budget.audio", "Most the website's music may weigh", "This site's own music, as its host stores it."),
        ("budget.collective", "Most everyone's music may weigh", "This site's music and the music of the sites it follows, together: 2 GB for all the members of a collective."),
        ("edit.max_file", "Largest file you may upload", "For example 64 MB."),
        ("edit.max_request", "Most one upload may send", "For example 1 GB."),
    ],
    choices: &[
        ("language", "en", "English"),
        ("language", "fr", "Français"),
        ("photos.format", "webp", "WebP (recommended)"),
        ("photos.format", "avif", "AVIF (smaller, slower)"),
        ("photos.format", "jpeg", "JPEG (largest)"),
        ("audio.quality", "frugal", "Frugal: Opus 32 + MP3 96 kb/s, about 34 hours per 2 GB"),
        ("audio.quality", "standard", "Standard: Opus 48 + MP3 128 kb/s, about 25 hours per 2 GB"),
        ("audio.quality", "high", "High: Opus 96 + MP3 160 kb/s, about 17 hours per 2 GB"),
    ],
};

static FR: SettingsWords = SettingsWords {
    title: "Réglages",
    intro: "Ce que vous changez ici est enregistré dans le capsule.toml de votre site ; toutes ses autres lignes restent telles quelles. La prochaine construction en tient compte.",
    save: "Enregistrer les réglages",
    unreadable: "capsule.toml n’est pas du TOML lisible : corrigez-le d’abord dans un éditeur de texte.",
    whole_number: "Écrivez un nombre entier.",
    groups: ["Le site", "Ses adresses", "Photos", "Musique", "Limites de taille", "L’éditeur"],
    fields: &[
        ("title", "Titre", "Affiché sur chaque page."),
        ("author", "Auteur ou autrice", "Affiché en bas de chaque page et dans les flux. Peut rester vide."),
        ("description", "Description", "Une phrase sur le site, sur la page d’accueil. Peut rester vide."),
        ("language", "Langue", "Des mots du site (menus, dates) et de cet éditeur."),
        ("html_base_url", "Adresse du site web", "Par exemple https://mon-site.web.deuxfleurs.fr/. Avec elle, capsule écrit un flux que l’on peut suivre."),
        ("gemini_base_url", "Adresse de la capsule Gemini", "Par exemple gemini://example.org/. Peut rester vide."),
        ("photos.thumbnail", "Taille des vignettes (pixels)", "Le plus grand côté des petites photos des listes et des grilles ; capsule en fait aussi une de moitié plus petite."),
        ("photos.display", "Taille d’affichage (pixels)", "Le plus grand côté d’une photo sur sa propre page ; capsule en fait aussi une de moitié plus petite, que montrent les pages d’album. Plus petite, elle laisse place à plus de photos : à 1440 px, environ 820 photos par 100 Mo (mesuré sur de vraies photos)."),
        ("photos.gemini", "Taille Gemini (pixels)", "Le plus grand côté de l’unique JPEG de chaque photo dans la capsule."),
        ("photos.format", "Format des photos du site web", "WebP : environ 820 photos par 100 Mo ; AVIF : environ un cinquième de plus, mais plusieurs fois plus lent à construire ; JPEG : le plus lourd."),
        ("photos.target", "Qualité visée (score SSIMULACRA2)", "70 ressemble à l’original pour la plupart des yeux ; un score plus bas donne des fichiers plus légers, et des photos plus floues."),
        ("audio.quality", "Qualité de la musique", "Heures par 2 Go, la place du collectif pour la musique, mesurées sur de la vraie musique."),
        ("library.follow", "Sites dont la musique rejoint la vôtre", "Une adresse par ligne, comme https://alice.web.deuxfleurs.fr/ : leur musique apparaît dans votre bibliothèque et se joue depuis leurs sites, sans rien coûter au vôtre. Le site d’un collectif suit celui de chaque membre."),
        ("budget.html", "Poids maximal du site web", "Deuxfleurs : 50 Mo, 200 Mo sur demande ; une galerie photo sous 100 Mo. « none » pour aucune limite."),
        ("budget.gemini", "Poids maximal de la capsule", "« none » pour aucune limite."),
        ("budget.audio", "Poids maximal de la musique du site web", "La musique de ce site, telle que son hébergeur la stocke."),
        ("budget.collective", "Poids maximal de la musique de tous", "La musique de ce site et celle des sites qu’il suit, ensemble : 2 Go pour tous les membres d’un collectif."),
        ("edit.max_file", "Plus gros fichier à envoyer", "Par exemple 64 MB."),
        ("edit.max_request", "Le plus qu’un envoi peut contenir", "Par exemple 1 GB."),
    ],
    choices: &[
        ("language", "en", "English"),
        ("language", "fr", "Français"),
        ("photos.format", "webp", "WebP (recommandé)"),
        ("photos.format", "avif", "AVIF (plus léger, plus lent)"),
        ("photos.format", "jpeg", "JPEG (le plus lourd)"),
        ("audio.quality", "frugal", "Sobre : Opus 32 + MP3 96 kb/s, environ 34 heures par 2 Go"),
        ("audio.quality", "standard", "Standard : Opus 48 + MP3 128 kb/s, environ 25 heures par 2 Go"),
        ("audio.quality", "high", "Haute : Opus 96 + MP3 160 kb/s, environ 17 heures par 2 Go"),
    ],
};

pub(crate) fn settings_words(language: Language) -> &'static SettingsWords {
    match language {
        Language::En => &EN,
        Language::Fr => &FR,
    }
}
