//! The words of the Publishing page, in English and French, and what *Check* found, in plain words.

use serde::Serialize;

use crate::config::Language;
use crate::publish::check::{BucketCheck, TargetCheck};

#[derive(Debug, Serialize)]
pub(crate) struct PublishingWords {
    pub title: &'static str,
    pub intro: &'static str,
    pub html: &'static str,
    pub host: &'static str,
    pub deuxfleurs: &'static str,
    pub other: &'static str,
    pub endpoint: &'static str,
    pub endpoint_hint: &'static str,
    pub region: &'static str,
    pub bucket: &'static str,
    pub bucket_hint: &'static str,
    pub key_id: &'static str,
    pub secret: &'static str,
    pub key_hint: &'static str,
    pub key_saved: &'static str,
    pub key_replace: &'static str,
    pub gemini: &'static str,
    pub method: &'static str,
    pub tarball: &'static str,
    pub directory: &'static str,
    pub rsync: &'static str,
    pub target: &'static str,
    pub target_hint: &'static str,
    pub save: &'static str,
    pub check: &'static str,
    pub bucket_needed: &'static str,
    pub both_needed: &'static str,
    pub unreadable: &'static str,
    pub changed: &'static str,
    pub suggest_address: &'static str,
    works: &'static str,
    read_only: &'static str,
    unknown_key: &'static str,
    wrong_secret: &'static str,
    no_bucket: &'static str,
    unreachable: &'static str,
    refused: &'static str,
    target_tarball: &'static str,
    target_writable: &'static str,
    target_inside: &'static str,
    target_not_writable: &'static str,
    target_missing: &'static str,
    no_rsync: &'static str,
    rsync_works: &'static str,
    no_login: &'static str,
    host_unreachable: &'static str,
}

impl PublishingWords {
    /// What a check found, for the member: `{bucket}`, `{endpoint}` and `{why}` filled in.
    pub(crate) fn said(&self, found: &BucketCheck, bucket: &str, endpoint: &str) -> String {
        let (text, why) = match found {
            BucketCheck::Works => (self.works, ""),
            BucketCheck::ReadOnly => (self.read_only, ""),
            BucketCheck::UnknownKey => (self.unknown_key, ""),
            BucketCheck::WrongSecret => (self.wrong_secret, ""),
            BucketCheck::NoBucket => (self.no_bucket, ""),
            BucketCheck::Unreachable(why) => (self.unreachable, why.as_str()),
            BucketCheck::Refused(why) => (self.refused, why.as_str()),
        };
        text.replace("{bucket}", bucket)
            .replace("{endpoint}", endpoint)
            .replace("{why}", why)
    }

    /// What a check of the capsule's target found, for the member.
    pub(crate) fn said_target(&self, found: &TargetCheck) -> String {
        let (text, at, why) = match found {
            TargetCheck::Tarball(path) => (self.target_tarball, path.display().to_string(), ""),
            TargetCheck::Writable(path) => (self.target_writable, path.display().to_string(), ""),
            TargetCheck::InsideSite(path) => (self.target_inside, path.display().to_string(), ""),
            TargetCheck::NotWritable(path, why) => (
                self.target_not_writable,
                path.display().to_string(),
                why.as_str(),
            ),
            TargetCheck::NoTarget => (self.target_missing, String::new(), ""),
            TargetCheck::NoRsync => (self.no_rsync, String::new(), ""),
            TargetCheck::RsyncWorks(target) => (self.rsync_works, target.clone(), ""),
            TargetCheck::NoLogin(host, why) => (self.no_login, host.clone(), why.as_str()),
            TargetCheck::HostUnreachable(host, why) => {
                (self.host_unreachable, host.clone(), why.as_str())
            }
        };
        text.replace("{at}", &at).replace("{why}", why)
    }
}

static EN: PublishingWords = PublishingWords {
    title: "Publishing",
    intro: "Where Publish sends your sites. Your key is saved in your own configuration folder, outside the site folder, readable by you alone: a copy of the site never carries it.",
    html: "The website",
    host: "Host",
    deuxfleurs: "Deuxfleurs",
    other: "Another S3 host",
    endpoint: "Address of the S3 host",
    endpoint_hint: "For another host only, for example https://s3.example.org.",
    region: "Region",
    bucket: "Bucket",
    bucket_hint: "The name of your website's bucket, as your host gave it.",
    key_id: "Key id",
    secret: "Secret key",
    key_hint: "The access key your host gave you for this bucket.",
    key_saved: "A key is saved",
    key_replace: "To replace it, write another key id and its secret.",
    gemini: "The Gemini capsule",
    method: "How to send it",
    tarball: "Make a tarball to upload by hand",
    directory: "Copy into a folder",
    rsync: "Send with rsync",
    target: "Where",
    target_hint: "A folder for “Copy into a folder”; user@host:path/ for rsync; your capsule's domain for a tarball.",
    save: "Save",
    check: "Check",
    bucket_needed: "Write the bucket's name (and, for another host, its address).",
    both_needed: "Write both the key id and its secret (or neither, to keep the saved key).",
    unreadable: "capsule.toml cannot be read as TOML: fix it in a text editor first.",
    changed: "capsule.toml changed since this page was opened: nothing was saved. Open the page again.",
    suggest_address: "Your site's address is probably",
    works: "It works: the key may read and write the bucket “{bucket}”.",
    read_only: "The key may read the bucket “{bucket}” but not write to it: ask your host for a key that may write.",
    unknown_key: "{endpoint} knows no key with this key id: check the key id.",
    wrong_secret: "The secret key is wrong for this key id: copy it again from your host.",
    no_bucket: "There is no bucket “{bucket}” at {endpoint} (or this key may not see it): check its name.",
    unreachable: "{endpoint} cannot be reached: check the address and your connection. ({why})",
    refused: "The host refused: {why}",
    target_tarball: "The capsule will be written to {at}: upload that file to your Gemini host.",
    target_writable: "It works: capsule may write into {at}.",
    target_inside: "{at} is the site's own folder or inside it: choose your Gemini server's folder.",
    target_not_writable: "capsule cannot write into {at} ({why}): choose a folder you may write to.",
    target_missing: "Write where the capsule goes: a folder, or user@host:folder/ for rsync.",
    no_rsync: "rsync is not installed on this computer: install it (on Debian and Ubuntu, the package “rsync”), or choose another way to send the capsule.",
    rsync_works: "It works: rsync reached {at}.",
    no_login: "{at} answers, but rsync could not reach the folder ({why}). Over SSH, capsule needs a key that logs in without a password: ask your host, or see ssh-copy-id.",
    host_unreachable: "{at} cannot be reached: check its name and your connection. ({why})",
};

static FR: PublishingWords = PublishingWords {
    title: "Publication",
    intro: "Où « Publier » envoie vos sites. Votre clé est enregistrée dans votre dossier de configuration, hors du dossier du site, lisible par vous seul·e : une copie du site ne l’emporte jamais.",
    html: "Le site web",
    host: "Hébergeur",
    deuxfleurs: "Deuxfleurs",
    other: "Un autre hébergeur S3",
    endpoint: "Adresse de l’hébergeur S3",
    endpoint_hint: "Pour un autre hébergeur seulement, par exemple https://s3.example.org.",
    region: "Région",
    bucket: "Bucket",
    bucket_hint: "Le nom du bucket de votre site web, tel que votre hébergeur vous l’a donné.",
    key_id: "Identifiant de la clé",
    secret: "Clé secrète",
    key_hint: "La clé d’accès que votre hébergeur vous a donnée pour ce bucket.",
    key_saved: "Une clé est enregistrée",
    key_replace: "Pour la remplacer, écrivez un autre identifiant et sa clé secrète.",
    gemini: "La capsule Gemini",
    method: "Comment l’envoyer",
    tarball: "Faire une archive à envoyer à la main",
    directory: "Copier dans un dossier",
    rsync: "Envoyer avec rsync",
    target: "Où",
    target_hint: "Un dossier pour « Copier dans un dossier » ; utilisateur@hôte:chemin/ pour rsync ; le domaine de votre capsule pour une archive.",
    save: "Enregistrer",
    check: "Vérifier",
    bucket_needed: "Écrivez le nom du bucket (et, pour un autre hébergeur, son adresse).",
    both_needed: "Écrivez l’identifiant de la clé et sa clé secrète (ou aucun des deux, pour garder la clé enregistrée).",
    unreadable: "capsule.toml n’est pas du TOML lisible : corrigez-le d’abord dans un éditeur de texte.",
    changed: "capsule.toml a changé depuis l’ouverture de cette page : rien n’a été enregistré. Rouvrez la page.",
    suggest_address: "L’adresse de votre site est probablement",
    works: "Cela fonctionne : la clé peut lire et écrire dans le bucket « {bucket} ».",
    read_only: "La clé peut lire le bucket « {bucket} » mais pas y écrire : demandez à votre hébergeur une clé qui peut écrire.",
    unknown_key: "{endpoint} ne connaît aucune clé de cet identifiant : vérifiez l’identifiant.",
    wrong_secret: "La clé secrète ne correspond pas à cet identifiant : copiez-la à nouveau depuis votre hébergeur.",
    no_bucket: "Il n’y a pas de bucket « {bucket} » sur {endpoint} (ou cette clé ne peut pas le voir) : vérifiez son nom.",
    unreachable: "{endpoint} est injoignable : vérifiez l’adresse et votre connexion. ({why})",
    refused: "L’hébergeur a refusé : {why}",
    target_tarball: "La capsule sera écrite dans {at} : envoyez ce fichier à votre hébergeur Gemini.",
    target_writable: "Cela fonctionne : capsule peut écrire dans {at}.",
    target_inside: "{at} est le dossier du site ou se trouve dedans : choisissez le dossier de votre serveur Gemini.",
    target_not_writable: "capsule ne peut pas écrire dans {at} ({why}) : choisissez un dossier où vous pouvez écrire.",
    target_missing: "Écrivez où va la capsule : un dossier, ou utilisateur@hôte:dossier/ pour rsync.",
    no_rsync: "rsync n’est pas installé sur cet ordinateur : installez-le (sur Debian et Ubuntu, le paquet « rsync »), ou choisissez une autre façon d’envoyer la capsule.",
    rsync_works: "Cela fonctionne : rsync a atteint {at}.",
    no_login: "{at} répond, mais rsync n’a pas pu atteindre le dossier ({why}). Par SSH, capsule a besoin d’une clé qui se connecte sans mot de passe : demandez à votre hébergeur, ou voyez ssh-copy-id.",
    host_unreachable: "{at} est injoignable : vérifiez son nom et votre connexion. ({why})",
};

pub(crate) fn publishing_words(language: Language) -> &'static PublishingWords {
    match language {
        Language::En => &EN,
        Language::Fr => &FR,
    }
}
