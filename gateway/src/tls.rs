//! HTTPS for the gateway itself: a rustls server configuration (TLS 1.2 and 1.3, the
//! `ring` provider) from `PARLEY_TLS_CERT` and `PARLEY_TLS_KEY`. actix offers `h2` and
//! `http/1.1` over ALPN, so browsers get HTTP/2 and all their tabs share one connection.

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use std::path::Path;
use std::sync::Arc;

/// The server configuration for the PEM certificate chain `cert` and its key `key`.
pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<ServerConfig> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("reading the certificates of {}", cert.display()))?;
    anyhow::ensure!(!chain.is_empty(), "{} holds no certificate", cert.display());
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("reading the private key of {}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the certificate and the key do not match")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_file_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("parley-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e:?}"));
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "").unwrap_or_else(|e| panic!("write: {e:?}"));
        let missing = dir.join("missing.pem");
        let Err(err) = server_config(&missing, &empty) else {
            panic!("no such file, yet a configuration");
        };
        assert!(format!("{err:#}").contains("missing.pem"), "{err:#}");
        let Err(err) = server_config(&empty, &empty) else {
            panic!("no certificate, yet a configuration");
        };
        assert!(
            format!("{err:#}").contains("holds no certificate"),
            "{err:#}"
        );
    }
}
