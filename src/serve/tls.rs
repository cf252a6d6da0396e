//! The preview's TLS certificate: self-signed for `localhost`, made once and kept in the cache folder,
//! so a Gemini client that trusted it once keeps trusting it.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use crate::error::Error;

pub(super) struct Tls {
    pub config: Arc<ServerConfig>,
    /// SHA-256 of the certificate, as Gemini clients show it.
    pub fingerprint: String,
}

pub(super) fn load_or_create(dir: &Path) -> Result<Tls, Error> {
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    if !cert_path.is_file() || !key_path.is_file() {
        std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
        let names = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        let made = rcgen::generate_simple_self_signed(names)
            .map_err(Error::internal("make a TLS certificate"))?;
        write_private(&key_path, made.signing_key.serialize_pem().as_bytes())?;
        std::fs::write(&cert_path, made.cert.pem()).map_err(Error::io("write", &cert_path))?;
    }
    let bad = |what: &str, path: &Path| {
        Error::Usage(format!(
            "the {what} in {} cannot be read; delete that folder and start again to make a new one",
            path.display()
        ))
    };
    let cert = CertificateDer::from_pem_file(&cert_path).map_err(|_| bad("certificate", dir))?;
    let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|_| bad("key", dir))?;
    let fingerprint = ring::digest::digest(&ring::digest::SHA256, cert.as_ref())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .and_then(|b| b.with_no_client_auth().with_single_cert(vec![cert], key))
        .map_err(Error::internal("set up TLS"))?;
    Ok(Tls {
        config: Arc::new(config),
        fingerprint,
    })
}

/// Writes the private key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(Error::io("write", path))?;
    file.write_all(bytes).map_err(Error::io("write", path))
}
