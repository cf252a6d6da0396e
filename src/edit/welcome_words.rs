//! The words of the welcome page and of stopping capsule, in English and French (the site's language,
//! or the computer's where no site is open).

use serde::Serialize;

use crate::config::Language;

#[derive(Debug, Serialize)]
pub(crate) struct WelcomeWords {
    pub welcome: &'static str,
    pub intro: &'static str,
    pub your_sites: &'static str,
    pub no_sites: &'static str,
    pub open: &'static str,
    pub open_site: &'static str,
    pub open_hint: &'static str,
    pub folder: &'static str,
    pub new_site: &'static str,
    pub new_site_hint: &'static str,
    pub site_title: &'static str,
    pub author: &'static str,
    pub author_hint: &'static str,
    pub language: &'static str,
    pub new_folder: &'static str,
    pub new_folder_hint: &'static str,
    pub create_site: &'static str,
    pub sites: &'static str,
    pub stop: &'static str,
    pub stop_hint: &'static str,
    pub stopping_title: &'static str,
    pub stopping: &'static str,
    pub current: &'static str,
    pub title_needed: &'static str,
    pub folder_needed: &'static str,
    pub not_a_site: &'static str,
    pub busy: &'static str,
}

static EN: WelcomeWords = WelcomeWords {
    welcome: "Welcome to capsule",
    intro: "capsule makes a small website and a Gemini capsule of your photo albums and your music. Open one of your sites, or create a new one.",
    your_sites: "Your sites",
    no_sites: "You have no site yet: create one below.",
    open: "Open",
    open_site: "Open a site by its folder",
    open_hint: "The folder that holds the site's content folder and its capsule.toml, for example /home/camille/Capsule/my-photos.",
    folder: "Folder",
    new_site: "Create a new site",
    new_site_hint: "It starts with an example page, album and playlist, to change or delete.",
    site_title: "Title of the site",
    author: "Your name",
    author_hint: "Shown at the bottom of each page and in the feeds. You may leave it empty.",
    language: "Language of the site's built-in words",
    new_folder: "Folder (optional)",
    new_folder_hint: "Where the site is made. Left empty: a folder named after the title, in",
    create_site: "Create the site",
    sites: "Sites",
    stop: "Stop capsule",
    stop_hint: "Ends capsule once the work in progress is done. Start it again from your applications menu.",
    stopping_title: "capsule is stopping",
    stopping: "capsule stops as soon as the work in progress is done. You can close this page. To start again, choose capsule in your applications menu.",
    current: "open now",
    title_needed: "Give the site a title.",
    folder_needed: "Write the folder of a site.",
    not_a_site: "This folder holds no capsule site (no content folder and no capsule.toml):",
    busy: "A build or a publication is running: wait until it ends, then open the other site.",
};

static FR: WelcomeWords = WelcomeWords {
    welcome: "Bienvenue dans capsule",
    intro: "capsule fait de vos albums photo et de votre musique un petit site web et une capsule Gemini. Ouvrez l’un de vos sites, ou créez-en un nouveau.",
    your_sites: "Vos sites",
    no_sites: "Vous n’avez pas encore de site : créez-en un ci-dessous.",
    open: "Ouvrir",
    open_site: "Ouvrir un site par son dossier",
    open_hint: "Le dossier qui contient le dossier content du site et son capsule.toml, par exemple /home/camille/Capsule/mes-photos.",
    folder: "Dossier",
    new_site: "Créer un nouveau site",
    new_site_hint: "Il commence avec une page, un album et une liste de lecture d’exemple, à modifier ou supprimer.",
    site_title: "Titre du site",
    author: "Votre nom",
    author_hint: "Affiché en bas de chaque page et dans les flux. Vous pouvez le laisser vide.",
    language: "Langue des mots du site",
    new_folder: "Dossier (facultatif)",
    new_folder_hint: "Où le site est créé. Laissé vide : un dossier nommé d’après le titre, dans",
    create_site: "Créer le site",
    sites: "Sites",
    stop: "Arrêter capsule",
    stop_hint: "Arrête capsule une fois le travail en cours terminé. Relancez-le depuis le menu des applications.",
    stopping_title: "capsule s’arrête",
    stopping: "capsule s’arrête dès que le travail en cours est terminé. Vous pouvez fermer cette page. Pour le relancer, choisissez capsule dans le menu des applications.",
    current: "ouvert",
    title_needed: "Donnez un titre au site.",
    folder_needed: "Écrivez le dossier d’un site.",
    not_a_site: "Ce dossier ne contient pas de site capsule (ni dossier content, ni capsule.toml) :",
    busy: "Une construction ou une publication est en cours : attendez qu’elle se termine, puis ouvrez l’autre site.",
};

pub(crate) fn welcome_words(language: Language) -> &'static WelcomeWords {
    match language {
        Language::En => &EN,
        Language::Fr => &FR,
    }
}

/// The computer's language, from the usual variables (`LC_ALL`, `LC_MESSAGES`, `LANG`): French where it
/// says so, English otherwise.
pub(crate) fn system_language() -> Language {
    let lang = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    if lang.starts_with("fr") {
        Language::Fr
    } else {
        Language::En
    }
}
