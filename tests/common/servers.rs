//! A running `capsule serve` on free ports, and small real clients for HTTP (raw TCP) and Gemini (rustls).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::Duration;

use super::capsule;

pub(crate) struct Serve {
    pub child: Child,
    pub http: u16,
    pub gemini: u16,
    pub root: PathBuf,
    pub output: Arc<std::sync::Mutex<String>>,
    /// The one-time login address that `capsule edit` prints.
    pub login: Option<String>,
}

impl Serve {
    /// Starts `capsule serve` for the site in `root` and waits until it prints its addresses.
    pub(crate) fn start(root: &Path, extra: &[&str]) -> Serve {
        Serve::start_command("serve", root, extra, &[])
    }

    /// Starts `capsule edit` (without opening a browser) and waits until it prints its addresses.
    pub(crate) fn start_edit(root: &Path, extra: &[&str]) -> Serve {
        Serve::start_edit_with_env(root, extra, &[])
    }

    /// `capsule edit` with more variables in its environment (publishing credentials).
    pub(crate) fn start_edit_with_env(root: &Path, extra: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut args = vec!["--no-browser"];
        args.extend_from_slice(extra);
        Serve::start_command("edit", root, &args, env)
    }

    fn start_command(command: &str, root: &Path, extra: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut command_line = capsule();
        command_line
            .envs(env.iter().copied())
            .args([
                command,
                "--root",
                root.to_str().unwrap(),
                "--http-port",
                "0",
                "--gemini-port",
                "0",
            ])
            .args(extra);
        Serve::spawn(command_line, root)
    }

    /// Starts `command` (a `capsule serve` or `capsule edit` of any kind) and waits until it prints its
    /// addresses; `root` is the site it serves, as the test knows it.
    pub(crate) fn spawn(mut command: std::process::Command, root: &Path) -> Serve {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let err_out = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                err_out.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut http, mut gemini, mut login) = (0, 0, None);
        for line in lines.by_ref() {
            let line = line.unwrap();
            output.lock().unwrap().push_str(&(line.clone() + "\n"));
            let port = |l: &str| {
                l.rsplit(':')
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .parse::<u16>()
                    .unwrap()
            };
            if line.starts_with("HTML site:") {
                http = port(&line);
            } else if line.starts_with("Gemini capsule:") {
                gemini = port(&line);
            } else if let Some(url) = line.strip_prefix("Editor:") {
                login = Some(url.trim().to_string());
            } else if line.starts_with("Edit your files") {
                break;
            }
        }
        let out = output.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                out.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        assert!(http > 0, "serve did not start:\n{}", output.lock().unwrap());
        Serve {
            child,
            http,
            gemini,
            root: root.to_path_buf(),
            output,
            login,
        }
    }

    pub(crate) fn get(&self, path: &str) -> HttpResponse {
        http_request(
            self.http,
            &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
        )
    }

    pub(crate) fn request(&self, raw: &str) -> HttpResponse {
        http_request(self.http, raw)
    }

    pub(crate) fn gemini(&self, url: &str) -> GeminiResponse {
        gemini_request(self.gemini, url, &self.cert(), None)
    }

    pub(crate) fn cert(&self) -> Vec<u8> {
        let pem = std::fs::read(self.root.join(".capsule-cache/tls/cert.pem")).unwrap();
        use rustls::pki_types::pem::PemObject;
        rustls::pki_types::CertificateDer::from_pem_slice(&pem)
            .unwrap()
            .to_vec()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `raw` as it is (no client-side path normalisation) and reads the response until the server closes.
pub(crate) fn http_request(port: u16, raw: &str) -> HttpResponse {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut data = Vec::new();
    stream.read_to_end(&mut data).unwrap();
    parse_http(&data)
}

pub(crate) fn parse_http(data: &[u8]) -> HttpResponse {
    let end = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&data[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    HttpResponse {
        status,
        headers,
        body: data[end + 4..].to_vec(),
    }
}

#[derive(Debug)]
pub(crate) struct GeminiResponse {
    pub header: String,
    pub body: Vec<u8>,
    /// The server ended the TLS stream with close_notify (a clean end of the response).
    pub clean_close: bool,
    pub version: Option<rustls::ProtocolVersion>,
}

impl GeminiResponse {
    pub(crate) fn status(&self) -> &str {
        &self.header[..2]
    }

    pub(crate) fn meta(&self) -> &str {
        self.header.get(3..).unwrap_or("")
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Trusts exactly one certificate: the one the preview server saved (as a Gemini client does after TOFU).
#[derive(Debug)]
struct Pinned {
    cert: Vec<u8>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_slice() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("not the pinned certificate".into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A real Gemini request over TLS (optionally forcing one TLS version), sending SNI "localhost".
pub(crate) fn gemini_request(
    port: u16,
    request_line: &str,
    cert: &[u8],
    version: Option<&'static rustls::SupportedProtocolVersion>,
) -> GeminiResponse {
    gemini_raw(
        port,
        format!("{request_line}\r\n").as_bytes(),
        cert,
        version,
    )
}

/// The same with `bytes` sent as they are, line end or not, for malformed requests.
pub(crate) fn gemini_raw(
    port: u16,
    bytes: &[u8],
    cert: &[u8],
    version: Option<&'static rustls::SupportedProtocolVersion>,
) -> GeminiResponse {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: Vec<&'static rustls::SupportedProtocolVersion> = match version {
        Some(v) => vec![v],
        None => vec![&rustls::version::TLS13, &rustls::version::TLS12],
    };
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            cert: cert.to_vec(),
            provider,
        }))
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    tls.write_all(bytes).unwrap();
    tls.flush().unwrap();
    let mut data = Vec::new();
    let clean_close = match tls.read_to_end(&mut data) {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => false,
        Err(e) => panic!("gemini read failed: {e}"),
    };
    let end = data
        .windows(2)
        .position(|w| w == b"\r\n")
        .expect("a status line");
    GeminiResponse {
        header: String::from_utf8_lossy(&data[..end]).into_owned(),
        body: data[end + 2..].to_vec(),
        clean_close,
        version: tls.conn.protocol_version(),
    }
}
