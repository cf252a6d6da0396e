//! The music library's pages (front page, artists, albums, genres, curators), its M3U8 playlists and
//! podcast feeds, and the recommendations shown on playlist pages.

use serde::Serialize;

use super::catalogue::{self, CATALOGUE_PATH};
use super::context::{Ctx, PageCtx};
use super::i18n::{duration, fill, fill_x, MusicWords};
use super::links::{list_href, page_href, relative};
use super::{base_url, podcast, template, Emit};
use crate::content::{PageKind, MUSIC};
use crate::library::{Aspect, Group, Library, Reason, Rec};
use crate::media::TrackOutput;
use crate::output::{Format, Kind};
use crate::units::human_bytes;
use crate::units::human_hours;

/// An index with more entries than this is split into one page per initial.
pub(crate) const INDEX_LIMIT: usize = 100;
/// How many tracks the library's front page lists as new.
const NEWEST: usize = 10;
/// How long a radio plays, at most.
const RADIO_SECONDS: u64 = 3600;

/// What a music page shows besides its frame: lines of text, links to listen, and sections of links.
#[derive(Serialize, Default)]
pub(crate) struct MusicCtx {
    pub intro: Vec<String>,
    pub listen: Vec<LinkCtx>,
    pub sections: Vec<SectionCtx>,
}

#[derive(Serialize, Clone)]
pub(crate) struct LinkCtx {
    pub title: String,
    pub href: String,
}

#[derive(Serialize)]
pub(crate) struct SectionCtx {
    pub title: String,
    pub entries: Vec<EntryCtx>,
}

/// A link in a list of the library: to a track, an artist, a playlist…, with a note (why, where).
#[derive(Serialize, Clone)]
pub(crate) struct EntryCtx {
    pub title: String,
    pub href: String,
    /// `YYYY-MM-DD`, for Gemini's subscription convention.
    pub date: Option<String>,
    pub note: Option<String>,
}

/// The four kinds of groups, with their folders: the index (`music/artists`) and one page each
/// (`music/artist/<slug>`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum GroupKind {
    Artist,
    Album,
    Genre,
    Curator,
}

impl GroupKind {
    const ALL: [GroupKind; 4] = [
        GroupKind::Artist,
        GroupKind::Album,
        GroupKind::Genre,
        GroupKind::Curator,
    ];

    fn name(self) -> &'static str {
        match self {
            GroupKind::Artist => "artist",
            GroupKind::Album => "album",
            GroupKind::Genre => "genre",
            GroupKind::Curator => "curator",
        }
    }

    fn index_dir(self) -> String {
        format!("{MUSIC}/{}s", self.name())
    }

    fn dir(self, slug: &str) -> String {
        format!("{MUSIC}/{}/{slug}", self.name())
    }

    fn groups(self, lib: &Library) -> &[Group] {
        match self {
            GroupKind::Artist => &lib.artists,
            GroupKind::Album => &lib.albums,
            GroupKind::Genre => &lib.genres,
            GroupKind::Curator => &lib.curators,
        }
    }

    fn title(self, w: &MusicWords) -> &'static str {
        match self {
            GroupKind::Artist => w.artists,
            GroupKind::Album => w.albums,
            GroupKind::Genre => w.genres,
            GroupKind::Curator => w.curators,
        }
    }

    fn one(self, w: &MusicWords) -> &'static str {
        match self {
            GroupKind::Artist => w.artist,
            GroupKind::Album => w.album,
            GroupKind::Genre => w.genre,
            GroupKind::Curator => w.curator,
        }
    }
}

/// Every music page, M3U8 playlist and podcast feed of the format; nothing when the site has no music.
pub(super) fn music_files(ctx: &Ctx, templates: &crate::render::Templates, out: &mut Emit) {
    let lib = ctx.library;
    if lib.is_empty() {
        return;
    }
    let render = |page: PageCtx, dir: &str, out: &mut Emit| {
        out.push(
            ctx.format,
            ctx.format.page_file(dir),
            Kind::Pages,
            templates.render(&template(ctx.format, "music"), &page),
        );
    };
    render(front_page(ctx), MUSIC, out);
    for kind in GroupKind::ALL {
        for (dir, page) in index_pages(ctx, kind) {
            render(page, &dir, out);
        }
        for (g, group) in kind.groups(lib).iter().enumerate() {
            let dir = kind.dir(&group.slug);
            render(group_page(ctx, kind, g, &dir), &dir, out);
        }
    }
    let text = |out: &mut Emit, path: String, text: String| {
        out.push(ctx.format, path, Kind::Other, Ok(text));
    };
    // M3U8: the library, each playlist, and a radio per track, artist and genre.
    let all: Vec<usize> = sorted_recordings(lib, (0..lib.recordings.len()).collect());
    text(out, format!("{MUSIC}/library.m3u8"), m3u(ctx, MUSIC, &all));
    for (p, page) in ctx.site.playlists.iter().enumerate() {
        let list = lib.tracks_of(p);
        text(
            out,
            format!("{}/playlist.m3u8", page.dir),
            m3u(ctx, &page.dir, &list),
        );
        text(
            out,
            format!("{}/playlist.jspf", page.dir),
            catalogue::jspf(ctx, p, &page.dir, base_url(ctx)),
        );
    }
    // The catalogue other sites follow: HTML only, and only with absolute addresses.
    if let (Format::Html, Some(base)) = (ctx.format, base_url(ctx)) {
        text(out, CATALOGUE_PATH.into(), catalogue::catalogue(ctx, base));
    }
    for (r, rec) in lib.recordings.iter().enumerate() {
        if lib.next[r].is_empty() {
            continue;
        }
        let path = radio_path("track", &rec.slug);
        text(out, path, m3u(ctx, &radio_dir(), &radio(lib, &[r])));
    }
    for kind in [GroupKind::Artist, GroupKind::Genre] {
        for group in kind.groups(lib) {
            let seeds = sorted_recordings(lib, group.recordings.clone());
            let path = radio_path(kind.name(), &group.slug);
            text(out, path, m3u(ctx, &radio_dir(), &radio(lib, &seeds)));
        }
    }
    // Podcasts: HTML only, and only with absolute addresses.
    if let (Format::Html, Some(base)) = (ctx.format, base_url(ctx)) {
        for (p, page) in ctx.site.playlists.iter().enumerate() {
            let list = lib.tracks_of(p);
            let feed = podcast::context(
                ctx,
                base,
                &page.title,
                page.description.as_deref(),
                &page.dir,
                Some(p),
                &list,
            );
            let path = format!("{}/podcast.xml", page.dir);
            out.push(
                ctx.format,
                path,
                Kind::Other,
                templates.render("podcast.xml", &feed),
            );
        }
        for curator in lib.curators.iter().filter(|c| lib.is_local_curator(c)) {
            let dir = GroupKind::Curator.dir(&curator.slug);
            let list = curator_recordings(lib, curator);
            let title = format!("{} · {}", ctx.site.config.title, curator.name);
            let feed = podcast::context(
                ctx,
                base,
                &title,
                None,
                &dir,
                curator.playlists.first().copied(),
                &list,
            );
            let path = format!("{dir}/podcast.xml");
            out.push(
                ctx.format,
                path,
                Kind::Other,
                templates.render("podcast.xml", &feed),
            );
        }
    }
}

/// The folder of a curator's page.
pub(super) fn curator_dir(slug: &str) -> String {
    GroupKind::Curator.dir(slug)
}

fn radio_dir() -> String {
    format!("{MUSIC}/radio")
}

fn radio_path(kind: &str, slug: &str) -> String {
    format!("{MUSIC}/radio/{kind}-{slug}.m3u8")
}

/// A curator's recordings, newest playlist first (as the site lists them), each once.
fn curator_recordings(lib: &Library, curator: &Group) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for &p in &curator.playlists {
        for r in lib.tracks_of(p) {
            if seen.insert(r) {
                out.push(r);
            }
        }
    }
    out
}

/// Recordings by title, then slug.
fn sorted_recordings(lib: &Library, mut list: Vec<usize>) -> Vec<usize> {
    list.sort_by(|&a, &b| {
        let (a, b) = (&lib.recordings[a], &lib.recordings[b]);
        sort_key(&a.title)
            .cmp(&sort_key(&b.title))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    list
}

fn sort_key(name: &str) -> String {
    deunicode::deunicode(name).to_lowercase()
}

/// The seeds, then their recommendations, then theirs…, each once, for an hour at most.
pub(crate) fn radio(lib: &Library, seeds: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    let mut seconds = 0;
    let mut queue: std::collections::VecDeque<usize> = seeds.iter().copied().collect();
    while let Some(r) = queue.pop_front() {
        if out.contains(&r) {
            continue;
        }
        let len = lib.recordings[r].seconds;
        if !out.is_empty() && seconds + len > RADIO_SECONDS {
            break;
        }
        out.push(r);
        seconds += len;
        queue.extend(lib.next[r].iter().map(|rec| rec.item));
    }
    out
}

/// The file of a recording that players get in this format: the MP3 when there is one.
pub(super) fn file_of<'a>(ctx: &Ctx<'a>, r: usize) -> Option<&'a crate::media::AudioFile> {
    let out = output_of(ctx, r)?;
    Some(match ctx.format {
        Format::Gemini => &out.gemini,
        Format::Html => out
            .html
            .iter()
            .find(|f| f.mime == "audio/mpeg")
            .or(out.html.last())
            .unwrap_or(&out.gemini),
    })
}

pub(super) fn output_of<'a>(ctx: &Ctx<'a>, r: usize) -> Option<&'a TrackOutput> {
    let &(p, i) = ctx.library.recordings[r].uses.first()?;
    let page = ctx.site.playlists.get(p)?;
    ctx.media.get(&page.dir)?.tracks.get(i)?.as_ref()
}

/// `#EXTM3U` with one entry per recording: absolute addresses with a base URL, relative to `dir` otherwise.
fn m3u(ctx: &Ctx, dir: &str, list: &[usize]) -> String {
    let mut s = String::from("#EXTM3U\n");
    for &r in list {
        let rec = &ctx.library.recordings[r];
        let Some(href) = play_href(ctx, r, dir) else {
            continue;
        };
        let name = match &rec.artist {
            Some(a) => format!("{a} – {}", rec.title),
            None => rec.title.clone(),
        };
        let name: String = name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        s.push_str(&format!("#EXTINF:{},{name}\n", rec.seconds));
        s.push_str(&href);
        s.push('\n');
    }
    s
}

/// The address a list in `dir` gives players for a recording: its file here, or on the followed site
/// that publishes it (in Gemini its capsule's file when its catalogue gives one; the MP3 when there is one).
fn play_href(ctx: &Ctx, r: usize, dir: &str) -> Option<String> {
    if let Some((_, track)) = ctx.library.remote_track(r) {
        let gemini = track
            .gemini
            .clone()
            .filter(|_| ctx.format == Format::Gemini);
        let file = track
            .files
            .iter()
            .find(|(mime, _, _)| mime == "audio/mpeg")
            .or(track.files.first())
            .map(|(_, src, _)| src.clone());
        return gemini.or(file);
    }
    let file = file_of(ctx, r)?;
    Some(list_href(base_url(ctx), dir, &file.path))
}

/// A playlist of the library as a link from `from`: its title, address and date. The site's own link
/// to their pages; a followed site's to the member's page.
pub(super) fn playlist_entry(ctx: &Ctx, p: usize, from: &str) -> Option<EntryCtx> {
    if let Some((_, remote)) = ctx.library.remote_playlist(p) {
        return Some(EntryCtx {
            title: remote.title.clone(),
            href: remote.page.clone(),
            date: remote.date.clone(),
            note: None,
        });
    }
    let page = ctx.site.playlists.get(p)?;
    Some(EntryCtx {
        title: page.title.clone(),
        href: page_href(ctx.format, from, &page.dir),
        date: page.date.clone(),
        note: None,
    })
}

/// The id of a track's place on its playlist page, for links to it.
pub(super) fn track_id(slug: &str) -> String {
    format!("track-{slug}")
}

/// A link to a recording from the page in `from`: in HTML to its place on its (first) playlist's page,
/// in Gemini to its file, which clients play.
fn track_href(ctx: &Ctx, r: usize, from: &str) -> String {
    let rec = &ctx.library.recordings[r];
    if let Some((_, track)) = ctx.library.remote_track(r) {
        // A followed site's recording: its place on the member's page (in Gemini, the member's capsule
        // file when there is one).
        return match (ctx.format, &track.gemini) {
            (Format::Gemini, Some(g)) => g.clone(),
            _ => track.page.clone(),
        };
    }
    match ctx.format {
        Format::Gemini => file_of(ctx, r)
            .map(|f| relative(from, &f.path))
            .unwrap_or_default(),
        Format::Html => {
            let p = rec.uses.first().map(|u| u.0).unwrap_or(0);
            let dir = ctx
                .site
                .playlists
                .get(p)
                .map(|p| p.dir.as_str())
                .unwrap_or("");
            format!(
                "{}#{}",
                page_href(ctx.format, from, dir),
                track_id(&rec.slug)
            )
        }
    }
}

fn track_title(ctx: &Ctx, r: usize) -> String {
    let rec = &ctx.library.recordings[r];
    match rec.artist_group {
        Some(a) => format!("{} — {}", rec.title, ctx.library.artists[a].name),
        None => rec.title.clone(),
    }
}

/// The titles of the playlists that hold a recording: `in Singularity, Night music`.
fn playlists_note(ctx: &Ctx, r: usize) -> String {
    let mut names: Vec<String> = Vec::new();
    for &(p, _) in &ctx.library.recordings[r].uses {
        let Some(title) = playlist_entry(ctx, p, "").map(|e| e.title) else {
            continue;
        };
        if !names.contains(&title) {
            names.push(title);
        }
    }
    let mut note = fill_x(ctx.words.music.in_playlists, &names.join(", "));
    if let Some(site) = site_note(ctx, ctx.library.remote_track(r).map(|(f, _)| f)) {
        note = format!("{note} {site}");
    }
    note
}

/// Why a recommendation was made, and where it is when a followed site publishes it.
fn why_from(ctx: &Ctx, rec: &Rec, site: Option<&crate::library::follow::Followed>) -> String {
    match site_note(ctx, site) {
        Some(site) => format!("{} · {site}", why(ctx, rec)),
        None => why(ctx, rec),
    }
}

/// `on Alice's music`: where a followed site's recording or playlist is, for the notes beside it.
fn site_note(ctx: &Ctx, site: Option<&crate::library::follow::Followed>) -> Option<String> {
    Some(fill_x(ctx.words.music.on_site, &site?.name))
}

/// A track in a list: its title and artist, how long, where it is.
fn track_entry(ctx: &Ctx, r: usize, from: &str) -> EntryCtx {
    let rec = &ctx.library.recordings[r];
    EntryCtx {
        title: track_title(ctx, r),
        href: track_href(ctx, r, from),
        date: None,
        note: Some(format!(
            "{} · {}",
            duration(rec.seconds),
            playlists_note(ctx, r)
        )),
    }
}

/// Why a recommendation was made, in a few words.
pub(super) fn why(ctx: &Ctx, rec: &Rec) -> String {
    let w = &ctx.words.music;
    let mut parts: Vec<String> = Vec::new();
    if !rec.close() {
        parts.push(w.no_close_match.to_string());
    }
    // A few words: the three strongest reasons (they come strongest first).
    for reason in rec.reasons.iter().take(3) {
        parts.push(match reason {
            Reason::Genres(gs) => {
                let names: Vec<&str> = gs
                    .iter()
                    .map(|&g| ctx.library.genres[g].name.as_str())
                    .collect();
                let text = if names.len() == 1 {
                    w.same_genre
                } else {
                    w.same_genres
                };
                fill_x(text, &names.join(", "))
            }
            Reason::Playlists(1) => w.one_playlist.to_string(),
            Reason::Playlists(n) => fill(w.playlists_with, *n),
            Reason::Tracks(1) => w.one_track.to_string(),
            Reason::Tracks(n) => fill(w.tracks_in_common, *n),
            Reason::Artists(1) => w.one_artist.to_string(),
            Reason::Artists(n) => fill(w.artists_in_common, *n),
            Reason::SameArtist => w.same_artist.to_string(),
            Reason::SameAlbum => w.same_album.to_string(),
            Reason::SameCurator => w.same_curator.to_string(),
            Reason::Sounds(aspects) if aspects.is_empty() => w.sounds_close.to_string(),
            Reason::Sounds(aspects) => {
                let names: Vec<&str> = aspects
                    .iter()
                    .map(|a| match a {
                        Aspect::Tempo => w.similar_tempo,
                        Aspect::Timbre => w.similar_timbre,
                        Aspect::Loudness => w.as_loud,
                        Aspect::Harmony => w.similar_harmony,
                    })
                    .collect();
                fill_x(w.sounds_close_in, &names.join(", "))
            }
        });
    }
    parts.join(" · ")
}

/// "More like this" for the track at `position` of playlist `p`, as links from its page.
pub(super) fn more_like_this(ctx: &Ctx, p: usize, position: usize, from: &str) -> Vec<EntryCtx> {
    let Some(more) = ctx
        .library
        .playlists
        .get(p)
        .and_then(|e| e.more.get(position))
    else {
        return Vec::new();
    };
    more.iter()
        .map(|rec| {
            let remote = ctx.library.remote_track(rec.item).map(|(f, _)| f);
            EntryCtx {
                note: Some(why_from(ctx, rec, remote)),
                ..track_entry(ctx, rec.item, from)
            }
        })
        .collect()
}

/// The radio of the recording at `position` of playlist `p`, as a link from its page.
pub(super) fn radio_of(ctx: &Ctx, p: usize, position: usize, from: &str) -> Option<String> {
    let r = (*ctx.library.playlists.get(p)?.recordings.get(position)?)?;
    if ctx.library.next[r].is_empty() {
        return None;
    }
    Some(relative(
        from,
        &radio_path("track", &ctx.library.recordings[r].slug),
    ))
}

/// Related playlists of playlist `p`, as links from its page.
pub(super) fn related_playlists(ctx: &Ctx, p: usize, from: &str) -> Vec<EntryCtx> {
    let Some(entry) = ctx.library.playlists.get(p) else {
        return Vec::new();
    };
    entry
        .related
        .iter()
        .filter_map(|rec| {
            let remote = ctx.library.remote_playlist(rec.item).map(|(f, _)| f);
            Some(EntryCtx {
                date: None,
                note: Some(why_from(ctx, rec, remote)),
                ..playlist_entry(ctx, rec.item, from)?
            })
        })
        .collect()
}

/// The links a playlist page offers to listen elsewhere: its M3U8 and, with a base URL, its podcast.
pub(super) fn playlist_listen(ctx: &Ctx, dir: &str) -> Vec<LinkCtx> {
    let w = &ctx.words.music;
    let mut out = vec![LinkCtx {
        title: w.listen.into(),
        href: "playlist.m3u8".into(),
    }];
    if ctx.format == Format::Html && base_url(ctx).is_some() {
        out.push(LinkCtx {
            title: w.podcast.into(),
            href: "podcast.xml".into(),
        });
    }
    let _ = dir;
    out
}

/// A playlist's curator, linked to their page.
pub(super) fn curator_link(ctx: &Ctx, p: usize, from: &str) -> Option<LinkCtx> {
    let c = ctx.library.playlists.get(p)?.curator?;
    let group = &ctx.library.curators[c];
    Some(LinkCtx {
        title: group.name.clone(),
        href: page_href(ctx.format, from, &GroupKind::Curator.dir(&group.slug)),
    })
}

fn group_entry(ctx: &Ctx, kind: GroupKind, g: usize, from: &str, note: Option<String>) -> EntryCtx {
    let group = &kind.groups(ctx.library)[g];
    EntryCtx {
        title: group.name.clone(),
        href: page_href(ctx.format, from, &kind.dir(&group.slug)),
        date: None,
        note,
    }
}

fn count_note(ctx: &Ctx, group: &Group) -> String {
    let n = group.recordings.len();
    let t = ctx.words;
    format!(
        "{n} {} · {}",
        if n == 1 { t.track } else { t.tracks },
        human_hours(ctx.library.seconds_of(group) as f64 / 3600.0)
    )
}

fn frame<'a>(ctx: &Ctx<'a>, title: &str, dir: &str, music: MusicCtx) -> PageCtx<'a> {
    let mut page = ctx.frame(PageKind::Page, title, dir);
    page.music = Some(music);
    page
}

fn front_page<'a>(ctx: &Ctx<'a>) -> PageCtx<'a> {
    let lib = ctx.library;
    let w = &ctx.words.music;
    let n = lib.recordings.len();
    let counts = [
        format!(
            "{n} {}",
            if n == 1 {
                ctx.words.track
            } else {
                ctx.words.tracks
            }
        ),
        human_hours(lib.seconds() as f64 / 3600.0),
        fill(w.count_artists, lib.artists.len()),
        fill(w.count_albums, lib.albums.len()),
        fill(w.count_genres, lib.genres.len()),
        fill(w.count_playlists, lib.playlists.len()),
        fill(w.count_curators, lib.curators.len()),
    ];
    let mut newest: Vec<usize> = (0..n).collect();
    newest.sort_by(|&a, &b| {
        let (x, y) = (&lib.recordings[a], &lib.recordings[b]);
        y.date.cmp(&x.date).then_with(|| x.slug.cmp(&y.slug))
    });
    newest.truncate(NEWEST);
    let newest = newest
        .into_iter()
        .map(|r| EntryCtx {
            date: lib.recordings[r].date.clone(),
            ..track_entry(ctx, r, MUSIC)
        })
        .collect();
    let indexes = GroupKind::ALL
        .iter()
        .filter(|k| !k.groups(lib).is_empty())
        .map(|&k| EntryCtx {
            title: k.title(w).to_string(),
            href: page_href(ctx.format, MUSIC, &k.index_dir()),
            date: None,
            note: Some(k.groups(lib).len().to_string()),
        })
        .chain((!ctx.site.playlists.is_empty()).then(|| EntryCtx {
            title: ctx.words.playlists.to_string(),
            href: page_href(ctx.format, MUSIC, "playlists"),
            date: None,
            note: Some(ctx.site.playlists.len().to_string()),
        }))
        .collect();
    // The followed sites, each linked to its own library: their playlists' pages are theirs.
    let followed: Vec<EntryCtx> = lib
        .followed
        .iter()
        .map(|f| EntryCtx {
            title: f.name.clone(),
            href: match (ctx.format, &f.gemini) {
                (Format::Gemini, Some(g)) => g.clone(),
                _ => f.url.clone(),
            },
            date: None,
            note: Some(fill(w.followed_note, f.tracks.len())),
        })
        .collect();
    let mut music = MusicCtx {
        intro: vec![counts.join(" · ")],
        listen: vec![LinkCtx {
            title: w.library_m3u.into(),
            href: "library.m3u8".into(),
        }],
        sections: vec![
            SectionCtx {
                title: w.newest.into(),
                entries: newest,
            },
            SectionCtx {
                title: w.browse.into(),
                entries: indexes,
            },
        ],
    };
    if !followed.is_empty() {
        music.sections.push(SectionCtx {
            title: w.followed.into(),
            entries: followed,
        });
    }
    frame(ctx, w.title, MUSIC, music)
}

/// The initial a name is filed under: `a`…`z`, or `0` for anything else.
fn initial(name: &str) -> char {
    deunicode::deunicode(name)
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .filter(char::is_ascii_lowercase)
        .unwrap_or('0')
}

/// A kind's index: one page A–Z, or, past [`INDEX_LIMIT`] entries, a page of initials and one per initial.
fn index_pages<'a>(ctx: &Ctx<'a>, kind: GroupKind) -> Vec<(String, PageCtx<'a>)> {
    let lib = ctx.library;
    let groups = kind.groups(lib);
    if groups.is_empty() {
        return Vec::new();
    }
    let w = &ctx.words.music;
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| {
        sort_key(&groups[a].name)
            .cmp(&sort_key(&groups[b].name))
            .then_with(|| groups[a].slug.cmp(&groups[b].slug))
    });
    let index = kind.index_dir();
    let entries_from = |list: &[usize], from: &str| -> Vec<EntryCtx> {
        list.iter()
            .map(|&g| group_entry(ctx, kind, g, from, Some(count_note(ctx, &groups[g]))))
            .collect()
    };
    if groups.len() <= INDEX_LIMIT {
        let music = MusicCtx {
            sections: vec![SectionCtx {
                title: kind.title(w).into(),
                entries: entries_from(&order, &index),
            }],
            ..MusicCtx::default()
        };
        return vec![(index.clone(), frame(ctx, kind.title(w), &index, music))];
    }
    let mut by_initial: Vec<(char, Vec<usize>)> = Vec::new();
    for g in order {
        let c = initial(&groups[g].name);
        match by_initial.iter_mut().find(|(k, _)| *k == c) {
            Some((_, v)) => v.push(g),
            None => by_initial.push((c, vec![g])),
        }
    }
    by_initial.sort_by_key(|(c, _)| if *c == '0' { '{' } else { *c });
    let label = |c: char| {
        if c == '0' {
            w.other_initial.to_string()
        } else {
            c.to_ascii_uppercase().to_string()
        }
    };
    let initials = by_initial
        .iter()
        .map(|(c, v)| EntryCtx {
            title: label(*c),
            href: page_href(ctx.format, &index, &format!("{index}/{c}")),
            date: None,
            note: Some(v.len().to_string()),
        })
        .collect();
    let mut pages = vec![(
        index.clone(),
        frame(
            ctx,
            kind.title(w),
            &index,
            MusicCtx {
                sections: vec![SectionCtx {
                    title: w.by_initial.into(),
                    entries: initials,
                }],
                ..MusicCtx::default()
            },
        ),
    )];
    for (c, list) in &by_initial {
        let dir = format!("{index}/{c}");
        let title = format!("{} · {}", kind.title(w), label(*c));
        let music = MusicCtx {
            sections: vec![SectionCtx {
                title: label(*c),
                entries: entries_from(list, &dir),
            }],
            ..MusicCtx::default()
        };
        pages.push((dir.clone(), frame(ctx, &title, &dir, music)));
    }
    pages
}

/// The page of one artist, album, genre or curator.
fn group_page<'a>(ctx: &Ctx<'a>, kind: GroupKind, g: usize, dir: &str) -> PageCtx<'a> {
    let lib = ctx.library;
    let w = &ctx.words.music;
    let group = &kind.groups(lib)[g];
    let tracks = match kind {
        GroupKind::Album => group.recordings.clone(),
        GroupKind::Curator => curator_recordings(lib, group),
        _ => sorted_recordings(lib, group.recordings.clone()),
    };
    let mut intro = vec![format!("{} · {}", kind.one(w), count_note(ctx, group))];
    let mut listen = Vec::new();
    if matches!(kind, GroupKind::Artist | GroupKind::Genre) {
        listen.push(LinkCtx {
            title: w.radio.into(),
            href: relative(dir, &radio_path(kind.name(), &group.slug)),
        });
    }
    // A followed site's curator: their share and podcast are on their own site.
    if kind == GroupKind::Curator && lib.is_local_curator(group) {
        if let Some(share) = budget_share(ctx, &tracks) {
            intro.push(share);
        }
        if ctx.format == Format::Html && base_url(ctx).is_some() {
            listen.push(LinkCtx {
                title: w.podcast.into(),
                href: "podcast.xml".into(),
            });
        }
    }
    let mut sections = vec![SectionCtx {
        title: w.tracks.to_string(),
        entries: tracks.iter().map(|&r| track_entry(ctx, r, dir)).collect(),
    }];
    if kind == GroupKind::Artist {
        let mut albums: Vec<usize> = group
            .recordings
            .iter()
            .filter_map(|&r| lib.recordings[r].album_group)
            .collect();
        albums.sort_unstable();
        albums.dedup();
        if !albums.is_empty() {
            sections.push(SectionCtx {
                title: w.albums.into(),
                entries: albums
                    .into_iter()
                    .map(|a| group_entry(ctx, GroupKind::Album, a, dir, None))
                    .collect(),
            });
        }
    }
    if kind == GroupKind::Genre {
        let mut artists: Vec<usize> = group
            .recordings
            .iter()
            .filter_map(|&r| lib.recordings[r].artist_group)
            .collect();
        artists.sort_by_key(|&a| sort_key(&lib.artists[a].name));
        artists.dedup();
        if !artists.is_empty() {
            sections.push(SectionCtx {
                title: w.artists.into(),
                entries: artists
                    .into_iter()
                    .map(|a| group_entry(ctx, GroupKind::Artist, a, dir, None))
                    .collect(),
            });
        }
    }
    let playlists: Vec<EntryCtx> = group
        .playlists
        .iter()
        .filter_map(|&p| playlist_entry(ctx, p, dir))
        .collect();
    if !playlists.is_empty() {
        sections.push(SectionCtx {
            title: ctx.words.playlists.into(),
            entries: playlists,
        });
    }
    let related_kind = match kind {
        GroupKind::Artist => Some(w.related_artists),
        GroupKind::Genre => Some(w.related_genres),
        _ => None,
    };
    if let (Some(title), false) = (related_kind, group.related.is_empty()) {
        sections.push(SectionCtx {
            title: title.into(),
            entries: group
                .related
                .iter()
                .map(|rec| group_entry(ctx, kind, rec.item, dir, Some(why(ctx, rec))))
                .collect(),
        });
    }
    let music = MusicCtx {
        intro,
        listen,
        sections,
    };
    frame(ctx, &group.name, dir, music)
}

/// A curator's audio bytes against the audio budget, as a share (`12 %`), when there is a limit.
fn budget_share(ctx: &Ctx, tracks: &[usize]) -> Option<String> {
    let limit = ctx.site.config.budget.audio.0?;
    let counts_gemini = ctx.site.config.budget.audio_counts == crate::config::AudioCounts::Both;
    let w = &ctx.words.music;
    let what = if counts_gemini {
        w.audio_both
    } else {
        w.audio_html
    };
    let mut bytes = 0;
    for &r in tracks {
        if let Some(out) = output_of(ctx, r).filter(|o| !o.elsewhere) {
            bytes += out.html.iter().map(|f| f.bytes).sum::<u64>();
            if counts_gemini {
                bytes += out.gemini.bytes;
            }
        }
    }
    let share = bytes as f64 * 100.0 / limit.max(1) as f64;
    let share = if share < 0.1 {
        "< 0.1 %".to_string()
    } else {
        format!("{share:.1} %")
    };
    Some(format!(
        "{} ({what}, {})",
        fill_x(w.budget_share, &share),
        human_bytes(bytes)
    ))
}
