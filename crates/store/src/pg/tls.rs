//! TLS to PostgreSQL: libpq's `sslmode` and `sslrootcert` connection parameters, with rustls
//! (ring provider).
//!
//! rust-postgres only knows `sslmode=disable|prefer|require` and refuses parameters it does not
//! know, so [`split`] takes `sslmode` and `sslrootcert` out of the connection string (a
//! `postgres://` URL or a `key=value` string) and leaves the rest, byte for byte, to
//! rust-postgres. [`Tls::connector`] then builds the rustls client whose certificate verifier
//! implements the mode:
//!
//! | sslmode | TLS | certificate checked |
//! |---|---|---|
//! | `disable` | never | – |
//! | `prefer` (default) | if the server accepts it; plain when it refuses TLS, and one plain retry when the TLS attempt fails (as libpq) | chain only when `sslrootcert` is given |
//! | `require` | always | chain only when `sslrootcert` is given (as libpq) |
//! | `verify-ca` | always | chain against `sslrootcert`, else the system roots; no hostname check |
//! | `verify-full` | always | chain and hostname (`host`, also when `hostaddr` gives the address) |
//!
//! `sslrootcert=system` (as in libpq 16) means the system roots and makes `verify-full` the
//! default, and the only mode allowed. Unlike libpq, a `sslrootcert` file that is missing or
//! holds no certificate is an error in every mode that may use TLS (libpq ignores a missing file
//! under `prefer`/`require`, so a typo would silently drop verification), and there is no
//! implicit `~/.postgresql/root.crt`.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use postgres::config::SslMode;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::StoreError;

/// libpq's `sslmode` values that privzone supports (`allow` is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl Mode {
    fn parse(value: &str) -> Result<Mode, StoreError> {
        Ok(match value {
            "disable" => Mode::Disable,
            "prefer" => Mode::Prefer,
            "require" => Mode::Require,
            "verify-ca" => Mode::VerifyCa,
            "verify-full" => Mode::VerifyFull,
            other => {
                return Err(url_error(format!(
                    "sslmode={other:?} is not supported (disable, prefer, require, verify-ca or \
                     verify-full)"
                )))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Disable => "disable",
            Mode::Prefer => "prefer",
            Mode::Require => "require",
            Mode::VerifyCa => "verify-ca",
            Mode::VerifyFull => "verify-full",
        }
    }

    /// What rust-postgres is told: it only decides whether TLS is optional; verification is the
    /// rustls verifier's job.
    pub fn ssl_mode(self) -> SslMode {
        match self {
            Mode::Disable => SslMode::Disable,
            Mode::Prefer => SslMode::Prefer,
            Mode::Require | Mode::VerifyCa | Mode::VerifyFull => SslMode::Require,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    /// A PEM file of CA certificates.
    File(PathBuf),
    /// `sslrootcert=system`: the operating system's trusted roots.
    System,
}

/// The TLS settings of one connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub mode: Mode,
    pub rootcert: Option<RootCert>,
}

fn url_error(msg: String) -> StoreError {
    StoreError::Unavailable(format!("PostgreSQL URL: {msg}"))
}

fn tls_error(settings: &Tls, msg: impl fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("PostgreSQL TLS ({settings}): {msg}"))
}

impl fmt::Display for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sslmode={}", self.mode.name())?;
        match &self.rootcert {
            Some(RootCert::File(p)) => write!(f, ", sslrootcert={}", p.display()),
            Some(RootCert::System) => write!(f, ", sslrootcert=system"),
            None => Ok(()),
        }
    }
}

/// Takes `sslmode` and `sslrootcert` out of a connection string; returns what is left for
/// rust-postgres and the TLS settings. Error messages never quote the string (it may hold a
/// password).
pub fn split(conninfo: &str) -> Result<(String, Tls), StoreError> {
    let (rest, mode, rootcert) = match url_body(conninfo) {
        Some(body) => split_url(conninfo, body)?,
        None => split_key_values(conninfo)?,
    };
    let rootcert = rootcert.map(|r| {
        if r == "system" {
            RootCert::System
        } else {
            RootCert::File(PathBuf::from(r))
        }
    });
    let mode = match (mode.as_deref().map(Mode::parse).transpose()?, &rootcert) {
        (None, Some(RootCert::System)) => Mode::VerifyFull,
        (Some(m), Some(RootCert::System)) if m != Mode::VerifyFull => {
            return Err(url_error(format!(
                "sslmode={} may not be used with sslrootcert=system (use verify-full)",
                m.name()
            )))
        }
        (Some(m), _) => m,
        (None, _) => Mode::Prefer,
    };
    Ok((rest, Tls { mode, rootcert }))
}

/// The part after `postgres://` or `postgresql://`, if this is a URL.
fn url_body(s: &str) -> Option<&str> {
    s.strip_prefix("postgres://")
        .or_else(|| s.strip_prefix("postgresql://"))
}

type Split = (String, Option<String>, Option<String>);

/// URL form: the query starts at the first `?` after the credentials (which end at the first
/// `@`), as rust-postgres's own parser reads it; the other parameters are kept as written.
fn split_url(whole: &str, body: &str) -> Result<Split, StoreError> {
    let creds_end = body.find('@').map_or(0, |i| i + 1);
    let Some(q) = body[creds_end..].find('?') else {
        return Ok((whole.to_owned(), None, None));
    };
    let query_at = whole.len() - body.len() + creds_end + q;
    let (head, query) = (&whole[..query_at], &whole[query_at + 1..]);
    let (mut mode, mut rootcert) = (None, None);
    let mut kept = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match percent_decode(key)?.as_str() {
            "sslmode" => mode = Some(percent_decode(value)?),
            "sslrootcert" => rootcert = Some(percent_decode(value)?),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        head.to_owned()
    } else {
        format!("{head}?{}", kept.join("&"))
    };
    Ok((rest, mode, rootcert))
}

fn percent_decode(s: &str) -> Result<String, StoreError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| url_error("bad percent-encoding in a parameter".into()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| url_error("a parameter is not UTF-8".into()))
}

/// `key=value` form (`host=db sslmode=verify-full …`): values may be single-quoted, with
/// backslash escapes. The pairs other than ours are kept as written.
fn split_key_values(s: &str) -> Result<Split, StoreError> {
    let bytes = s.as_bytes();
    let mut rest = String::with_capacity(s.len());
    let (mut mode, mut rootcert) = (None, None);
    let mut i = 0;
    let skip_ws = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    loop {
        i = skip_ws(i);
        if i >= bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &s[start..i];
        i = skip_ws(i);
        if bytes.get(i) != Some(&b'=') {
            // Not ours to judge: rust-postgres reports the malformed string.
            return Ok((s.to_owned(), None, None));
        }
        i = skip_ws(i + 1);
        let mut value = Vec::new();
        let quoted = bytes.get(i) == Some(&b'\'');
        if quoted {
            i += 1;
        }
        loop {
            match bytes.get(i) {
                None if quoted => return Ok((s.to_owned(), None, None)),
                None => break,
                Some(b'\'') if quoted => {
                    i += 1;
                    break;
                }
                Some(c) if !quoted && c.is_ascii_whitespace() => break,
                Some(b'\\') => {
                    if let Some(&c) = bytes.get(i + 1) {
                        value.push(c);
                    }
                    i += 2;
                }
                Some(&c) => {
                    value.push(c);
                    i += 1;
                }
            }
        }
        let i_end = i.min(bytes.len());
        let value =
            String::from_utf8(value).map_err(|_| url_error("a parameter is not UTF-8".into()))?;
        match key {
            "sslmode" => mode = Some(value),
            "sslrootcert" => rootcert = Some(value),
            _ => {
                if !rest.is_empty() {
                    rest.push(' ');
                }
                rest.push_str(&s[start..i_end]);
            }
        }
        i = i_end;
    }
    Ok((rest, mode, rootcert))
}

impl Tls {
    /// The rustls connector for these settings. Reads `sslrootcert` (or the system store)
    /// each time, so a replaced CA file is picked up on the next reconnect.
    pub fn connector(&self) -> Result<MakeRustlsConnect, StoreError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match (self.mode, &self.rootcert) {
            (Mode::Disable, _) | (Mode::Prefer | Mode::Require, None) => {
                Arc::new(NoVerification(provider.signature_verification_algorithms))
            }
            (Mode::VerifyFull, _) => self.webpki(&provider)?,
            (Mode::Prefer | Mode::Require | Mode::VerifyCa, _) => {
                Arc::new(ChainOnly(self.webpki(&provider)?))
            }
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(self, e))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }

    fn webpki(
        &self,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Arc<WebPkiServerVerifier>, StoreError> {
        let mut roots = RootCertStore::empty();
        match &self.rootcert {
            Some(RootCert::File(path)) => {
                let shown = path.display();
                let pem = std::fs::read(path).map_err(|e| {
                    tls_error(self, format!("cannot read sslrootcert {shown}: {e}"))
                })?;
                for cert in CertificateDer::pem_slice_iter(&pem) {
                    let cert = cert.map_err(|e| {
                        tls_error(self, format!("sslrootcert {shown} is not valid PEM: {e}"))
                    })?;
                    roots.add(cert).map_err(|e| {
                        tls_error(
                            self,
                            format!("sslrootcert {shown} holds a bad CA certificate: {e}"),
                        )
                    })?;
                }
                if roots.is_empty() {
                    return Err(tls_error(
                        self,
                        format!("sslrootcert {shown} holds no PEM certificate"),
                    ));
                }
            }
            Some(RootCert::System) | None => {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
                if roots.is_empty() {
                    let why = found
                        .errors
                        .first()
                        .map_or_else(String::new, |e| format!(" ({e})"));
                    return Err(tls_error(
                        self,
                        format!("no trusted CA certificate in the system store{why}; give sslrootcert=<PEM file>"),
                    ));
                }
            }
        }
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| tls_error(self, e))
    }
}

/// `prefer`/`require` without `sslrootcert`: encrypted, but any certificate is accepted (the
/// handshake's signatures are still checked, so the peer does hold the certificate's key).
#[derive(Debug)]
struct NoVerification(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// `verify-ca` (and `require`/`prefer` with `sslrootcert`): the chain must lead to a trusted
/// root, whatever names the certificate holds. rustls's verifier checks the chain first and the
/// name last, so a name mismatch is only reported for a chain that verified.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> (String, Tls) {
        split(s).expect("splits")
    }

    #[test]
    fn url_parameters_are_taken_out_and_the_rest_kept() {
        let (rest, tls) = ok("postgres://u:p%3Fw@db:5432/z?application_name=a&sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&connect_timeout=3");
        assert_eq!(
            rest,
            "postgres://u:p%3Fw@db:5432/z?application_name=a&connect_timeout=3"
        );
        assert_eq!(tls.mode, Mode::VerifyFull);
        assert_eq!(tls.rootcert, Some(RootCert::File("/etc/ca.pem".into())));

        let (rest, tls) = ok("postgresql://u@db/z?sslmode=require");
        assert_eq!(rest, "postgresql://u@db/z");
        assert_eq!((tls.mode, tls.rootcert), (Mode::Require, None));

        // A `?` inside the credentials is not the query (rust-postgres reads it the same way).
        let (rest, tls) = ok("postgres://u:a?b@db/z");
        assert_eq!(rest, "postgres://u:a?b@db/z");
        assert_eq!(tls.mode, Mode::Prefer, "libpq's default");
    }

    #[test]
    fn key_value_parameters_are_taken_out_and_the_rest_kept() {
        let (rest, tls) = ok(
            "host=db  user=u password='a b\\'c' sslmode = verify-ca sslrootcert='/x y/ca.pem' dbname=z",
        );
        assert_eq!(rest, "host=db user=u password='a b\\'c' dbname=z");
        assert_eq!(tls.mode, Mode::VerifyCa);
        assert_eq!(tls.rootcert, Some(RootCert::File("/x y/ca.pem".into())));
    }

    #[test]
    fn sslrootcert_system_means_verify_full_only() {
        let (_, tls) = ok("postgres://db/z?sslrootcert=system");
        assert_eq!(
            (tls.mode, tls.rootcert),
            (Mode::VerifyFull, Some(RootCert::System))
        );
        let e = split("postgres://db/z?sslrootcert=system&sslmode=require").expect_err("weak");
        assert!(e.to_string().contains("verify-full"), "{e}");
    }

    #[test]
    fn unknown_modes_are_refused_without_quoting_the_url() {
        let e = split("postgres://u:secret@db/z?sslmode=allow").expect_err("allow");
        let msg = e.to_string();
        assert!(msg.contains("sslmode=\"allow\" is not supported"), "{msg}");
        assert!(!msg.contains("secret"), "{msg}");
    }

    #[test]
    fn a_missing_or_empty_root_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("nope.pem");
        for mode in ["prefer", "require", "verify-ca", "verify-full"] {
            let tls = Tls {
                mode: Mode::parse(mode).expect("mode"),
                rootcert: Some(RootCert::File(missing.clone())),
            };
            let e = tls.connector().err().expect("missing file");
            assert!(matches!(e, StoreError::Unavailable(_)));
            assert!(e.to_string().contains("cannot read sslrootcert"), "{e}");
        }
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let tls = Tls {
            mode: Mode::VerifyFull,
            rootcert: Some(RootCert::File(empty)),
        };
        let e = tls.connector().err().expect("no certificate");
        assert!(e.to_string().contains("holds no PEM certificate"), "{e}");
        // `disable` never reads it.
        let tls = Tls {
            mode: Mode::Disable,
            rootcert: Some(RootCert::File(missing)),
        };
        assert!(tls.connector().is_ok());
    }
}
