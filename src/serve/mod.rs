//! `capsule serve`: builds the site, then previews it over HTTP (HTML, and the capsule as HTML) and over Gemini with TLS.

mod codes;
mod front;
mod gemini;
mod gemview;
pub(crate) mod http;
pub(crate) mod live;
mod notice;
mod paths;
mod tls;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use crate::build::BuildOptions;
use crate::config::Config;
use crate::error::Error;

/// How long the preview keeps a followed site's catalogue before asking the site again.
const FOLLOW_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(300);

pub(crate) struct ServeOptions {
    /// The site; `None` for the editor's welcome page, which opens one later.
    pub root: Option<PathBuf>,
    pub bind: IpAddr,
    pub http_port: u16,
    pub gemini_port: u16,
    pub gemini: bool,
    pub drafts: bool,
    /// Take a free port where the asked one is busy (the welcome page writes down where it listens).
    pub any_free_port: bool,
}

/// What the extension learns once both servers listen.
pub(crate) struct Ready {
    /// The HTTP port.
    pub port: u16,
    /// Asks for a stop, as Ctrl-C does: once a running build has ended, `run_with` returns.
    pub stop: std::sync::mpsc::Sender<()>,
}

/// Listens on `addr`, or on a free port of the same address where `any_free_port` and it is busy.
fn listen(addr: SocketAddr, any_free_port: bool) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).or_else(|e| {
        if any_free_port && e.kind() == std::io::ErrorKind::AddrInUse {
            TcpListener::bind(SocketAddr::new(addr.ip(), 0))
        } else {
            Err(e)
        }
    })
}

/// Serves until the process is stopped (Ctrl-C waits for a running build, then exits).
pub(crate) fn run(opts: ServeOptions) -> Result<(), Error> {
    run_with(opts, None, &|_| {})
}

/// The preview with more routes (`extension`); `ready` is called once both servers listen, before the
/// "press Ctrl-C" line.
pub(crate) fn run_with(
    opts: ServeOptions,
    extension: Option<Arc<dyn http::Extension>>,
    ready: &dyn Fn(Ready),
) -> Result<(), Error> {
    // Watch for Ctrl-C first: a stop asked for during the first build is honoured once it ends.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    let ctrl_c = stop_tx.clone();
    ctrlc::set_handler(move || {
        let _ = ctrl_c.send(());
    })
    .map_err(|e| Error::Usage(format!("cannot watch for Ctrl-C: {e}")))?;
    if let Some(root) = &opts.root {
        Config::load(root)?;
    }
    if !opts.bind.is_loopback() {
        crate::say::err(format_args!(
            "warning: serving on {}: other computers on your network can see this preview. Use the default (127.0.0.1) to keep it to yourself.",
            opts.bind
        ));
    }
    // Both ports first: a busy port is said at once, before a build that would be for nothing.
    let http_addr = SocketAddr::new(opts.bind, opts.http_port);
    let public = listen(http_addr, opts.any_free_port).map_err(|e| {
        Error::Usage(format!(
            "cannot listen on {http_addr}: {e}; choose another port with --http-port"
        ))
    })?;
    let http_port = public
        .local_addr()
        .map(|a| a.port())
        .unwrap_or(opts.http_port);
    let gemini_listener = if opts.gemini {
        Some(
            listen(
                SocketAddr::new(opts.bind, opts.gemini_port),
                opts.any_free_port,
            )
            .map_err(|e| {
                Error::Usage(format!(
                    "cannot listen on port {}: {e}; choose another port with --gemini-port",
                    opts.gemini_port
                ))
            })?,
        )
    } else {
        None
    };
    // tiny_http answers behind the front door (front.rs), on a loopback port of its own.
    let server = tiny_http::Server::http("127.0.0.1:0")
        .map_err(|e| Error::Usage(format!("cannot listen on a local port: {e}")))?;
    let inner = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Usage("the preview server has no local address".into()))?;
    let live = Arc::new(live::Live::start(
        opts.root.clone(),
        BuildOptions {
            root: PathBuf::new(),
            out: None,
            drafts: opts.drafts,
            // A photo or track that cannot be published is left out, and the pages say so (live.rs): the
            // rest of the site stays to be seen. Errors in the text still show on every page.
            keep_going: true,
            progress: true,
            // A preview over budget is still worth seeing; the report says so.
            allow_over_budget: true,
            fit: false,
            counter: None,
            // Each save rebuilds: the followed sites are asked at most every few minutes, and a site
            // that does not answer costs its wait once, not at every save.
            follow_fresh_for: Some(FOLLOW_FRESH_FOR),
        },
    ));

    let host = match opts.bind {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    crate::say::out(format_args!("HTML site:        http://{host}:{http_port}/"));
    crate::say::out(format_args!(
        "Capsule as HTML:  http://{host}:{http_port}{}",
        http::GEMINI_VIEW
    ));
    http::serve(Arc::new(server), live.clone(), 8, extension);
    front::start(public, inner);

    if let Some(listener) = gemini_listener {
        // The welcome page has no site yet: its certificate lives in the user's folder.
        let tls_dir = match &opts.root {
            Some(root) => Config::cache_dir(root).join("tls"),
            None => crate::userconf::dir()?.join("tls"),
        };
        let tls = tls::load_or_create(&tls_dir)?;
        let gemini_port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or(opts.gemini_port);
        let mut hosts = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        hosts.push(opts.bind.to_string());
        let gemini_host = if opts.bind.is_loopback() {
            "localhost".to_string()
        } else {
            host.clone()
        };
        crate::say::out(format_args!(
            "Gemini capsule:   gemini://{gemini_host}:{gemini_port}/"
        ));
        crate::say::out(format_args!(
            "  (self-signed certificate, SHA-256 {})",
            tls.fingerprint
        ));
        gemini::serve(
            listener,
            Arc::new(gemini::Gemini {
                live: live.clone(),
                tls: tls.config,
                hosts,
                port: gemini_port,
            }),
        );
    }
    ready(Ready {
        port: http_port,
        stop: stop_tx,
    });
    crate::say::out(format_args!(
        "Edit your files and reload: the site is rebuilt when they change. Press Ctrl-C to stop."
    ));

    // Rebuild in the background too, so a saved change is ready before the next request.
    loop {
        if stop_rx
            .recv_timeout(std::time::Duration::from_millis(300))
            .is_ok()
        {
            let _no_build_running = live.wait_for_build();
            crate::say::out(format_args!("Stopped."));
            return Ok(());
        }
        live.refresh();
    }
}
