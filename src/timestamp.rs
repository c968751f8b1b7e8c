//! RFC 3161 trusted timestamps: the request sent to a Time-Stamp Authority
//! (TSA), the reading of its answer, and the verification of a stored token.
//!
//! What a verified token proves: the TSA named in [`Stamp::tsa`], whose
//! certificate chains to one of the roots the operator trusts and is meant
//! for timestamping (extended key usage `id-kp-timeStamping`), signed the
//! statement "this SHA-256 digest existed at [`Stamp::gen_time`]". If the
//! digest is of a WARC file, the file existed, byte for byte, by then.
//!
//! What it cannot prove:
//! - That the time is right: the TSA's clock is trusted, not checked.
//! - That the TSA's certificate was not revoked: no CRL or OCSP is fetched
//!   (this module does no I/O). The chain is checked at `gen_time`, so a
//!   certificate that has expired since still verifies, as it should for a
//!   timestamp; a key compromised before `gen_time` would not be noticed.
//! - Anything about what the data means or where it came from.
//!
//! Supported signatures: RSA PKCS#1 v1.5 with SHA-256/384/512 (RSA keys of
//! 2048 bits or more) and ECDSA P-256/P-384 with SHA-256/384. RSA-PSS is not
//! supported ([`Error::UnsupportedAlgorithm`]). Imprints must be SHA-256.
//!
//! The structures are read with `der` as a tree of elements, keeping the
//! bytes as the TSA wrote them: the signature covers the signed attributes
//! exactly as encoded, and certificates are checked (by webpki) as sent. A
//! `genTime` with fractional seconds is accepted.
//!
//! Every function is pure: no network, no files, no clock.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use der::asn1::AnyRef;
use der::oid::ObjectIdentifier;
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use sha2::Digest;
use x509_cert::Certificate;
use x509_cert::name::Name;

/// A TimeStampReq for a SHA-256 digest: its DER bytes and the nonce in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub der: Vec<u8>,
    pub nonce: u64,
}

/// What a verified token says.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct Stamp {
    /// When the TSA says the digest existed (its clock); serialized as
    /// RFC 3339 in UTC ("2026-12-07T04:25:29Z", fractions if the TSA gave
    /// them).
    #[serde(serialize_with = "rfc3339")]
    pub gen_time: DateTime<Utc>,
    /// The TSTInfo serialNumber, hex (lowercase, no sign byte).
    pub serial: String,
    /// The TSA policy under which the token was issued, a dotted OID.
    pub policy: String,
    /// The signing certificate's subject, RFC 4514 style ("CN=...,O=...").
    pub tsa: String,
}

fn rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// Why a response or token was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(
        "not a readable RFC 3161 timestamp ({0}); the file may be damaged or not a timestamp token"
    )]
    Malformed(String),
    #[error("not a certificate ({0}); give the authority's root certificate, as PEM or DER")]
    NotCertificates(String),
    #[error(
        "the timestamp authority did not grant a timestamp (status {status}{}); check the TSA URL and ask again later",
        if text.is_empty() { String::new() } else { format!(": {text}") }
    )]
    NotGranted { status: u8, text: String },
    #[error(
        "the timestamp is for other data: the data was altered since it was stamped, or the token stamps another file"
    )]
    WrongImprint,
    #[error(
        "the timestamp answer does not carry the nonce of the request: it answers another request (a replay or a confused proxy); ask again"
    )]
    WrongNonce,
    #[error("unsupported algorithm in the timestamp: {0}")]
    UnsupportedAlgorithm(String),
    #[error(
        "the timestamp token does not include the certificate that signed it; ask the TSA again with certReq set (request() does)"
    )]
    NoSignerCertificate,
    #[error("the timestamp's signature does not verify: the token was altered or is forged")]
    BadSignature,
    #[error(
        "the timestamp's content does not match its signed digest: the token was altered after signing"
    )]
    ContentAltered,
    #[error(
        "the timestamp's signer is not trusted: {0}; add the TSA's root certificate to the trusted roots if you trust it"
    )]
    Untrusted(String),
    #[error(
        "the timestamp was signed with a certificate not meant for timestamping (no extended key usage timeStamping)"
    )]
    NotForTimestamping,
}

type Result<T> = std::result::Result<T, Error>;

// Object identifiers (`new_unwrap` is evaluated at compile time: a bad
// literal is a build error, never a runtime panic).
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");

/// id-kp-timeStamping (1.3.6.1.5.5.7.3.8), the OID's content bytes as
/// webpki compares them.
const EKU_TIMESTAMPING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08];

/// The DER AlgorithmIdentifier of SHA-256 with NULL parameters, as OpenSSL
/// and most TSAs write it.
const SHA256_ALGORITHM: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
];

/// A TimeStampReq (version 1, SHA-256 imprint, a random nonce, certReq
/// TRUE so the token carries the TSA's certificate, no policy).
pub fn request(digest: &[u8; 32]) -> Request {
    let nonce = random_nonce();
    let mut imprint = Vec::with_capacity(51);
    imprint.extend_from_slice(SHA256_ALGORITHM);
    imprint.extend_from_slice(&[0x04, 0x20]);
    imprint.extend_from_slice(digest);

    let mut body = vec![0x02, 0x01, 0x01]; // version v1
    push_tlv(&mut body, 0x30, &imprint);
    push_tlv(&mut body, 0x02, &integer_bytes(nonce));
    body.extend_from_slice(&[0x01, 0x01, 0xff]); // certReq TRUE
    let mut der = Vec::with_capacity(body.len() + 2);
    push_tlv(&mut der, 0x30, &body);
    Request { der, nonce }
}

fn random_nonce() -> u64 {
    // The nonce only has to be unpredictable enough to tie an answer to its
    // request; if the OS generator fails, fastrand's seed will do.
    getrandom::u64().unwrap_or_else(|_| fastrand::u64(..))
}

/// The content octets of a DER INTEGER holding `value` (non-negative).
fn integer_bytes(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut out = Vec::with_capacity(9);
    if bytes[first] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(&bytes[first..]);
    out
}

/// Appends a TLV with a short or long definite length (contents here are
/// always far below 64 KiB).
fn push_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
}

/// Reads a TimeStampResp: the status must be granted (0) or
/// grantedWithMods (1), the token's imprint `digest` (SHA-256) and its nonce
/// `nonce`. Returns the TimeStampToken's DER (a CMS ContentInfo), the thing
/// to store. The signature is not checked here: see [`verify`].
pub fn read_response(response: &[u8], digest: &[u8; 32], nonce: u64) -> Result<Vec<u8>> {
    let resp = single(response, "TimeStampResp")?;
    let parts = children(resp, Tag::Sequence, "TimeStampResp")?;
    let status_info = parts
        .first()
        .ok_or_else(|| malformed("empty TimeStampResp"))?;
    let status_parts = children(*status_info, Tag::Sequence, "PKIStatusInfo")?;
    let status_any = status_parts
        .first()
        .ok_or_else(|| malformed("empty PKIStatusInfo"))?;
    let status: u8 = status_any
        .decode_as()
        .map_err(|e| malformed(format!("PKIStatus: {e}")))?;
    if status > 1 {
        return Err(Error::NotGranted {
            status,
            text: status_text(status, &status_parts[1..]),
        });
    }
    let token = parts
        .get(1)
        .ok_or_else(|| malformed("the response is granted but carries no token"))?;
    let token_der = token
        .to_der()
        .map_err(|e| malformed(format!("token: {e}")))?;
    let parsed = Token::parse(&token_der)?;
    check_imprint(&parsed.tst, digest)?;
    if parsed.tst.nonce != Some(nonce) {
        return Err(Error::WrongNonce);
    }
    Ok(token_der)
}

/// The status name, statusString texts and failInfo bits of a refusal.
fn status_text(status: u8, rest: &[AnyRef<'_>]) -> String {
    let name = match status {
        2 => "rejection",
        3 => "waiting",
        4 => "revocationWarning",
        5 => "revocationNotification",
        _ => "unknown status",
    };
    let mut words = vec![name.to_string()];
    for part in rest {
        if part.tag() == Tag::Sequence {
            // PKIFreeText: SEQUENCE OF UTF8String
            for text in elements(part.value()).unwrap_or_default() {
                if let Ok(s) = std::str::from_utf8(text.value()) {
                    words.push(format!("\"{s}\""));
                }
            }
        } else if part.tag() == Tag::BitString {
            words.push(fail_info(part.value()));
        }
    }
    words.join(", ")
}

/// PKIFailureInfo bits by name (RFC 3161 section 2.4.2).
fn fail_info(value: &[u8]) -> String {
    const NAMES: &[(usize, &str)] = &[
        (0, "badAlg"),
        (2, "badRequest"),
        (5, "badDataFormat"),
        (14, "timeNotAvailable"),
        (15, "unacceptedPolicy"),
        (16, "unacceptedExtension"),
        (17, "addInfoNotAvailable"),
        (25, "systemFailure"),
    ];
    let bits = value.get(1..).unwrap_or_default();
    let set = |n: usize| bits.get(n / 8).is_some_and(|b| b & (0x80 >> (n % 8)) != 0);
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(n, _)| set(*n))
        .map(|(_, s)| *s)
        .collect();
    if names.is_empty() {
        "no failInfo".to_string()
    } else {
        format!("failInfo {}", names.join(" "))
    }
}

/// Verifies a stored token over `digest` against trusted root certificates
/// (DER): the imprint is `digest`, the content is a TSTInfo whose SHA digest
/// is the signed messageDigest, the CMS signature over the signed
/// attributes verifies with the signer's certificate (found in the token by
/// issuer and serial number or by subject key identifier), and that
/// certificate chains through the token's other certificates to one of
/// `roots`, valid at genTime, with extended key usage timeStamping.
pub fn verify(token: &[u8], digest: &[u8; 32], roots: &[Vec<u8>]) -> Result<Stamp> {
    let token = Token::parse(token)?;
    check_imprint(&token.tst, digest)?;
    let signer = &token.signer;

    // The signed attributes: content type and message digest.
    let mut content_type = None;
    let mut message_digest = None;
    for attr in elements(signer.signed_attrs.value())? {
        let parts = children(attr, Tag::Sequence, "Attribute")?;
        let (Some(oid), Some(values)) = (parts.first(), parts.get(1)) else {
            return Err(malformed("short signed attribute"));
        };
        let oid = object_id(*oid)?;
        let values = children(*values, Tag::Set, "attribute values")?;
        let [value] = values.as_slice() else {
            return Err(malformed("a signed attribute must have exactly one value"));
        };
        if oid == CONTENT_TYPE {
            content_type = Some(object_id(*value)?);
        } else if oid == MESSAGE_DIGEST {
            message_digest = Some(expect(*value, Tag::OctetString, "messageDigest")?.to_vec());
        }
    }
    if content_type != Some(TST_INFO) {
        return Err(malformed(
            "the signed content-type attribute is not id-ct-TSTInfo",
        ));
    }
    let message_digest = message_digest.ok_or_else(|| malformed("no messageDigest attribute"))?;
    if hash(signer.digest_algorithm, token.content)? != message_digest {
        return Err(Error::ContentAltered);
    }

    // The signer's certificate, then the signature.
    let certs: Vec<(Certificate, Vec<u8>)> = token
        .certificates
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok().map(|c| (c, der.clone())))
        .collect();
    let (signer_cert, signer_der) = certs
        .iter()
        .find(|(cert, _)| signer.sid.matches(cert))
        .ok_or(Error::NoSignerCertificate)?;
    if !for_timestamping(signer_cert) {
        return Err(Error::NotForTimestamping);
    }
    let ee_der = CertificateDer::from(signer_der.as_slice());
    let ee = webpki::EndEntityCert::try_from(&ee_der)
        .map_err(|e| Error::Untrusted(format!("the signer certificate is unusable ({e})")))?;
    let mut signed = Vec::with_capacity(signer.signed_attrs.value().len() + 4);
    push_tlv_any(&mut signed, 0x31, signer.signed_attrs.value());
    let candidates = signature_algorithms(signer.signature_algorithm, signer.digest_algorithm)?;
    let mut result = Err(Error::UnsupportedAlgorithm(
        "the signature algorithm does not fit the signer's key".into(),
    ));
    for alg in candidates {
        match ee.verify_signature(*alg, &signed, signer.signature) {
            Ok(()) => {
                result = Ok(());
                break;
            }
            Err(webpki::Error::InvalidSignatureForPublicKey) => result = Err(Error::BadSignature),
            Err(_) => {}
        }
    }
    result?;

    // The chain, at genTime. The signer's own extended key usage was
    // checked above; certificates above it may have none (any purpose), but
    // one that lists purposes must list timeStamping.
    let root_ders: Vec<CertificateDer<'_>> = roots
        .iter()
        .map(|r| CertificateDer::from(r.as_slice()))
        .collect();
    let anchors: Vec<TrustAnchor<'_>> = root_ders
        .iter()
        .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok())
        .collect();
    if anchors.is_empty() {
        return Err(Error::Untrusted(
            "no usable trusted root certificate was given".into(),
        ));
    }
    let intermediates: Vec<CertificateDer<'_>> = certs
        .iter()
        .filter(|(_, der)| der != signer_der)
        .map(|(_, der)| CertificateDer::from(der.as_slice()))
        .collect();
    let secs = u64::try_from(token.tst.gen_time.timestamp())
        .map_err(|_| malformed("genTime before 1970"))?;
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs));
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &intermediates,
        time,
        webpki::KeyUsage::required_if_present(EKU_TIMESTAMPING),
        None,
        None,
    )
    .map_err(chain_error)?;

    Ok(Stamp {
        gen_time: token.tst.gen_time,
        serial: token.tst.serial,
        policy: token.tst.policy,
        tsa: readable_name(signer_cert.tbs_certificate().subject()),
    })
}

/// The name of the token file of authority `tsa` for the file `name`, kept
/// beside it: `NAME.tsa-HOST.tsr`, with `-PORT` after the host when the URL
/// names a port and `_PATH` when it has a path or query (any character but
/// letters, digits, `.` and `-` as `_`), so that two authorities on one
/// host never share a file: `x.wacz.tsa-freetsa.org_tsr.tsr`.
pub fn token_file_name(name: &str, tsa: &str) -> String {
    let label = match url::Url::parse(tsa) {
        Ok(u) => {
            let mut label = u.host_str().unwrap_or("tsa").to_string();
            if let Some(port) = u.port() {
                label.push_str(&format!("-{port}"));
            }
            let mut rest = u.path().trim_matches('/').to_string();
            if let Some(query) = u.query() {
                rest.push('?');
                rest.push_str(query);
            }
            if !rest.is_empty() {
                label.push('_');
                label.push_str(&rest);
            }
            label
        }
        Err(_) => "tsa".into(),
    };
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(150)
        .collect();
    format!("{name}.tsa-{label}.tsr")
}

/// Whether `token` is a timestamp of `digest` (SHA-256), read without
/// checking who signed it: to tell a token left beside a file for other
/// data from this file's own. [`verify`] is the check.
pub fn stamps_digest(token: &[u8], digest: &[u8; 32]) -> bool {
    Token::parse(token).is_ok_and(|t| check_imprint(&t.tst, digest).is_ok())
}

/// What a token says (time, serial, policy, signer), read without checking
/// its signature or who signed it: for recording a token just received.
/// [`verify`] is the check.
pub fn inspect(token: &[u8]) -> Result<Stamp> {
    let token = Token::parse(token)?;
    let tsa = token
        .certificates
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .find(|cert| token.signer.sid.matches(cert))
        .map(|cert| readable_name(cert.tbs_certificate().subject()))
        .unwrap_or_default();
    Ok(Stamp {
        gen_time: token.tst.gen_time,
        serial: token.tst.serial,
        policy: token.tst.policy,
        tsa,
    })
}

/// Whether the certificate's extended key usage lists id-kp-timeStamping
/// (RFC 3161 wants it critical and alone; that is not insisted on here).
fn for_timestamping(cert: &Certificate) -> bool {
    let Some(extensions) = cert.tbs_certificate().extensions() else {
        return false;
    };
    extensions
        .iter()
        .filter(|ext| ext.extn_id == EXTENDED_KEY_USAGE)
        .any(|ext| {
            single(ext.extn_value.as_bytes(), "extKeyUsage")
                .and_then(|seq| children(seq, Tag::Sequence, "extKeyUsage"))
                .is_ok_and(|oids| {
                    oids.iter().any(|oid| {
                        oid.tag() == Tag::ObjectIdentifier && oid.value() == EKU_TIMESTAMPING
                    })
                })
        })
}

fn chain_error(e: webpki::Error) -> Error {
    use webpki::Error as W;
    match e {
        W::RequiredEkuNotFoundContext(_) => Error::NotForTimestamping,
        W::UnknownIssuer => Error::Untrusted(
            "its certificate does not lead to any of the trusted root certificates".into(),
        ),
        W::CertExpired { .. } => {
            Error::Untrusted("a certificate of its chain had expired at genTime".into())
        }
        W::CertNotValidYet { .. } => {
            Error::Untrusted("a certificate of its chain was not yet valid at genTime".into())
        }
        other => Error::Untrusted(format!("its certificate chain does not verify ({other})")),
    }
}

/// `name` as "CN=...,O=..." (RFC 4514 order), or its DER in hex if a value
/// cannot be shown.
fn readable_name(name: &Name) -> String {
    name.to_string()
}

/// Certificates from a PEM file's text (one or more "BEGIN CERTIFICATE"
/// blocks) or a DER file's bytes.
pub fn read_certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        let certs = CertificateDer::pem_slice_iter(bytes)
            .map(|c| c.map(|c| c.as_ref().to_vec()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| not_certificates(format!("PEM certificates: {e}")))?;
        for der in &certs {
            Certificate::from_der(der)
                .map_err(|e| not_certificates(format!("certificate: {e}")))?;
        }
        if certs.is_empty() {
            return Err(not_certificates("the PEM text holds no CERTIFICATE block"));
        }
        return Ok(certs);
    }
    Certificate::from_der(bytes)
        .map_err(|e| not_certificates(format!("neither PEM nor a DER certificate: {e}")))?;
    Ok(vec![bytes.to_vec()])
}

/// What a token holds, with the bytes that are signed or hashed kept as
/// they were written.
struct Token<'a> {
    /// The eContent octets: the DER of the TSTInfo, hashed for messageDigest.
    content: &'a [u8],
    tst: TstInfo,
    /// Each certificate's DER.
    certificates: Vec<Vec<u8>>,
    signer: SignerInfo<'a>,
}

struct TstInfo {
    imprint_algorithm: ObjectIdentifier,
    imprint: Vec<u8>,
    policy: String,
    serial: String,
    gen_time: DateTime<Utc>,
    nonce: Option<u64>,
}

struct SignerInfo<'a> {
    sid: SignerId,
    digest_algorithm: ObjectIdentifier,
    /// The [0] IMPLICIT signedAttrs element; signed as a SET.
    signed_attrs: AnyRef<'a>,
    signature_algorithm: ObjectIdentifier,
    signature: &'a [u8],
}

enum SignerId {
    IssuerSerial { issuer: Name, serial: Vec<u8> },
    KeyId(Vec<u8>),
}

impl SignerId {
    fn matches(&self, cert: &Certificate) -> bool {
        let tbs = cert.tbs_certificate();
        match self {
            SignerId::IssuerSerial { issuer, serial } => {
                tbs.issuer() == issuer && tbs.serial_number().as_bytes() == serial.as_slice()
            }
            SignerId::KeyId(id) => tbs.extensions().is_some_and(|exts| {
                exts.iter().any(|ext| {
                    ext.extn_id == SUBJECT_KEY_ID
                        && single(ext.extn_value.as_bytes(), "subjectKeyIdentifier")
                            .ok()
                            .filter(|k| k.tag() == Tag::OctetString)
                            .is_some_and(|k| k.value() == id.as_slice())
                })
            }),
        }
    }
}

impl<'a> Token<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Token<'a>> {
        // ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }
        let info = single(bytes, "ContentInfo")?;
        let parts = children(info, Tag::Sequence, "ContentInfo")?;
        let [content_type, content] = parts.as_slice() else {
            return Err(malformed("ContentInfo must have two parts"));
        };
        if object_id(*content_type)? != SIGNED_DATA {
            return Err(malformed("the token is not CMS SignedData"));
        }
        let content = children(*content, context(0, true), "ContentInfo content")?;
        let [signed_data] = content.as_slice() else {
            return Err(malformed("ContentInfo content must be one SignedData"));
        };

        // SignedData ::= SEQUENCE { version, digestAlgorithms SET,
        //   encapContentInfo, [0] certificates OPTIONAL, [1] crls OPTIONAL,
        //   signerInfos SET }
        let parts = children(*signed_data, Tag::Sequence, "SignedData")?;
        if parts.len() < 4 {
            return Err(malformed("SignedData is too short"));
        }
        let encap = children(parts[2], Tag::Sequence, "EncapsulatedContentInfo")?;
        let (Some(econtent_type), Some(econtent)) = (encap.first(), encap.get(1)) else {
            return Err(malformed("the SignedData has no encapsulated content"));
        };
        if object_id(*econtent_type)? != TST_INFO {
            return Err(malformed("the signed content is not a TSTInfo"));
        }
        let econtent = children(*econtent, context(0, true), "eContent")?;
        let [octets] = econtent.as_slice() else {
            return Err(malformed("eContent must be one OCTET STRING"));
        };
        let content = expect(*octets, Tag::OctetString, "eContent")?;
        let tst = TstInfo::parse(content)?;

        let mut certificates = Vec::new();
        for part in &parts[3..parts.len() - 1] {
            if part.tag() == context(0, true) {
                for cert in elements(part.value())? {
                    // Only plain certificates (CertificateChoices' first
                    // form) can be chain members; others are left out.
                    if cert.tag() == Tag::Sequence {
                        certificates.push(
                            cert.to_der()
                                .map_err(|e| malformed(format!("certificate: {e}")))?,
                        );
                    }
                }
            }
        }

        let signers = children(parts[parts.len() - 1], Tag::Set, "signerInfos")?;
        let [signer] = signers.as_slice() else {
            return Err(malformed("a timestamp token must have exactly one signer"));
        };
        let signer = SignerInfo::parse(*signer)?;
        Ok(Token {
            content,
            tst,
            certificates,
            signer,
        })
    }
}

impl<'a> SignerInfo<'a> {
    fn parse(any: AnyRef<'a>) -> Result<SignerInfo<'a>> {
        // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm,
        //   [0] signedAttrs OPTIONAL, signatureAlgorithm, signature,
        //   [1] unsignedAttrs OPTIONAL }
        let parts = children(any, Tag::Sequence, "SignerInfo")?;
        if parts.len() < 6 {
            return Err(malformed(
                "SignerInfo is too short (a timestamp's signer must have signed attributes)",
            ));
        }
        let sid = if parts[1].tag() == Tag::Sequence {
            let isn = children(parts[1], Tag::Sequence, "IssuerAndSerialNumber")?;
            let [issuer, serial] = isn.as_slice() else {
                return Err(malformed("IssuerAndSerialNumber must have two parts"));
            };
            let issuer_der = issuer
                .to_der()
                .map_err(|e| malformed(format!("issuer: {e}")))?;
            SignerId::IssuerSerial {
                issuer: Name::from_der(&issuer_der)
                    .map_err(|e| malformed(format!("issuer name: {e}")))?,
                serial: expect(*serial, Tag::Integer, "serialNumber")?.to_vec(),
            }
        } else if parts[1].tag() == context(0, false) {
            SignerId::KeyId(parts[1].value().to_vec())
        } else {
            return Err(malformed("unknown SignerIdentifier"));
        };
        let digest_algorithm = algorithm(parts[2])?;
        if parts[3].tag() != context(0, true) {
            return Err(malformed("the signer has no signed attributes"));
        }
        Ok(SignerInfo {
            sid,
            digest_algorithm,
            signed_attrs: parts[3],
            signature_algorithm: algorithm(parts[4])?,
            signature: expect(parts[5], Tag::OctetString, "signature")?,
        })
    }
}

impl TstInfo {
    fn parse(bytes: &[u8]) -> Result<TstInfo> {
        // TSTInfo ::= SEQUENCE { version, policy, messageImprint,
        //   serialNumber, genTime, accuracy OPTIONAL, ordering DEFAULT
        //   FALSE, nonce OPTIONAL, [0] tsa OPTIONAL, [1] extensions OPTIONAL }
        let info = single(bytes, "TSTInfo")?;
        let parts = children(info, Tag::Sequence, "TSTInfo")?;
        if parts.len() < 5 {
            return Err(malformed("TSTInfo is too short"));
        }
        let version: u8 = parts[0]
            .decode_as()
            .map_err(|e| malformed(format!("TSTInfo version: {e}")))?;
        if version != 1 {
            return Err(malformed(format!("TSTInfo version {version}")));
        }
        let policy = object_id(parts[1])?.to_string();
        let imprint = children(parts[2], Tag::Sequence, "MessageImprint")?;
        let [alg, hashed] = imprint.as_slice() else {
            return Err(malformed("MessageImprint must have two parts"));
        };
        let imprint_algorithm = algorithm(*alg)?;
        let imprint = expect(*hashed, Tag::OctetString, "hashedMessage")?.to_vec();
        let serial = expect(parts[3], Tag::Integer, "serialNumber")?;
        let serial = match serial {
            [0, rest @ ..] if !rest.is_empty() => hex::encode(rest),
            s => hex::encode(s),
        };
        let gen_time = generalized_time(expect(parts[4], Tag::GeneralizedTime, "genTime")?)?;
        let mut nonce = None;
        for part in &parts[5..] {
            if part.tag() == Tag::Integer {
                // A nonce wider than 64 bits is not one we sent: None.
                nonce = part.decode_as::<u64>().ok();
            }
        }
        Ok(TstInfo {
            imprint_algorithm,
            imprint,
            policy,
            serial,
            gen_time,
            nonce,
        })
    }
}

fn check_imprint(tst: &TstInfo, digest: &[u8; 32]) -> Result<()> {
    if tst.imprint_algorithm != SHA256 {
        return Err(Error::UnsupportedAlgorithm(format!(
            "the imprint is made with {}, not SHA-256",
            tst.imprint_algorithm
        )));
    }
    if tst.imprint != digest {
        return Err(Error::WrongImprint);
    }
    Ok(())
}

/// A GeneralizedTime's text, "YYYYMMDDHHMMSS[.f...]Z", in UTC. Fractions of
/// a second (which strict DER readers refuse) are kept.
fn generalized_time(value: &[u8]) -> Result<DateTime<Utc>> {
    let bad = || malformed("genTime is not YYYYMMDDHHMMSS[.fff]Z");
    let text = std::str::from_utf8(value).map_err(|_| bad())?;
    let text = text.strip_suffix('Z').ok_or_else(bad)?;
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || text.contains('.') && fraction.is_empty() {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| whole.get(r).and_then(|s| s.parse::<u32>().ok());
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) = (
        num(0..4),
        num(4..6),
        num(6..8),
        num(8..10),
        num(10..12),
        num(12..14),
    ) else {
        return Err(bad());
    };
    let mut nanos: u32 = 0;
    for (i, b) in fraction.bytes().take(9).enumerate() {
        nanos += u32::from(b - b'0') * 10u32.pow(8 - i as u32);
    }
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d).ok_or_else(bad)?;
    let time = NaiveTime::from_hms_nano_opt(h, mi, s, nanos).ok_or_else(bad)?;
    Ok(Utc.from_utc_datetime(&NaiveDateTime::new(date, time)))
}

/// The webpki algorithms that may verify a signature given the SignerInfo's
/// signatureAlgorithm and digestAlgorithm (the key decides among them).
fn signature_algorithms(
    signature: ObjectIdentifier,
    digest: ObjectIdentifier,
) -> Result<&'static [&'static dyn SignatureVerificationAlgorithm]> {
    use webpki::aws_lc_rs as a;
    const RSA256: &[&dyn SignatureVerificationAlgorithm] = &[a::RSA_PKCS1_2048_8192_SHA256];
    const RSA384: &[&dyn SignatureVerificationAlgorithm] = &[a::RSA_PKCS1_2048_8192_SHA384];
    const RSA512: &[&dyn SignatureVerificationAlgorithm] = &[a::RSA_PKCS1_2048_8192_SHA512];
    const EC256: &[&dyn SignatureVerificationAlgorithm] =
        &[a::ECDSA_P256_SHA256, a::ECDSA_P384_SHA256];
    const EC384: &[&dyn SignatureVerificationAlgorithm] =
        &[a::ECDSA_P384_SHA384, a::ECDSA_P256_SHA384];
    let by_digest = |rsa: bool| -> Result<&'static [&'static dyn SignatureVerificationAlgorithm]> {
        match (rsa, digest) {
            (true, d) if d == SHA256 => Ok(RSA256),
            (true, d) if d == SHA384 => Ok(RSA384),
            (true, d) if d == SHA512 => Ok(RSA512),
            (false, d) if d == SHA256 => Ok(EC256),
            (false, d) if d == SHA384 => Ok(EC384),
            (_, d) => Err(Error::UnsupportedAlgorithm(format!(
                "signature {signature} with digest {d}"
            ))),
        }
    };
    match signature {
        s if s == RSA => by_digest(true),
        s if s == EC_PUBLIC_KEY => by_digest(false),
        s if s == RSA_SHA256 => Ok(RSA256),
        s if s == RSA_SHA384 => Ok(RSA384),
        s if s == RSA_SHA512 => Ok(RSA512),
        s if s == ECDSA_SHA256 => Ok(EC256),
        s if s == ECDSA_SHA384 => Ok(EC384),
        s => Err(Error::UnsupportedAlgorithm(format!(
            "signature algorithm {s} (supported: RSA PKCS#1 v1.5 and ECDSA P-256/P-384 with SHA-2; not RSA-PSS)"
        ))),
    }
}

fn hash(algorithm: ObjectIdentifier, data: &[u8]) -> Result<Vec<u8>> {
    match algorithm {
        a if a == SHA256 => Ok(sha2::Sha256::digest(data).to_vec()),
        a if a == SHA384 => Ok(sha2::Sha384::digest(data).to_vec()),
        a if a == SHA512 => Ok(sha2::Sha512::digest(data).to_vec()),
        a => Err(Error::UnsupportedAlgorithm(format!("digest algorithm {a}"))),
    }
}

// DER reading: the structures as trees of elements over the input bytes.

fn not_certificates(what: impl Into<String>) -> Error {
    Error::NotCertificates(what.into())
}

fn malformed(what: impl Into<String>) -> Error {
    Error::Malformed(what.into())
}

fn context(number: u32, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number: TagNumber(number),
    }
}

/// The one element `bytes` holds (nothing may follow it).
fn single<'a>(bytes: &'a [u8], what: &str) -> Result<AnyRef<'a>> {
    AnyRef::from_der(bytes).map_err(|e| malformed(format!("{what}: {e}")))
}

/// The elements in a constructed element's contents.
fn elements(content: &[u8]) -> Result<Vec<AnyRef<'_>>> {
    let mut reader = SliceReader::new(content).map_err(|e| malformed(e.to_string()))?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(AnyRef::decode(&mut reader).map_err(|e| malformed(e.to_string()))?);
    }
    Ok(out)
}

/// The elements inside `any`, which must have tag `tag`.
fn children<'a>(any: AnyRef<'a>, tag: Tag, what: &str) -> Result<Vec<AnyRef<'a>>> {
    elements(expect(any, tag, what)?).map_err(|e| malformed(format!("{what}: {e}")))
}

/// The contents of `any`, which must have tag `tag`.
fn expect<'a>(any: AnyRef<'a>, tag: Tag, what: &str) -> Result<&'a [u8]> {
    if any.tag() == tag {
        Ok(any.value())
    } else {
        Err(malformed(format!(
            "{what}: expected {tag}, found {}",
            any.tag()
        )))
    }
}

fn object_id(any: AnyRef<'_>) -> Result<ObjectIdentifier> {
    ObjectIdentifier::try_from(any).map_err(|e| malformed(format!("object identifier: {e}")))
}

/// The OID of an AlgorithmIdentifier (parameters are not read).
fn algorithm(any: AnyRef<'_>) -> Result<ObjectIdentifier> {
    let parts = children(any, Tag::Sequence, "AlgorithmIdentifier")?;
    object_id(
        *parts
            .first()
            .ok_or_else(|| malformed("empty AlgorithmIdentifier"))?,
    )
}

/// `tag` and `content` as a TLV (any length).
fn push_tlv_any(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let first = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - first) as u8);
        out.extend_from_slice(&bytes[first..]);
    }
    out.extend_from_slice(content);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_shape() {
        let digest = [0xab; 32];
        let req = request(&digest);
        let top = single(&req.der, "req").unwrap();
        let parts = children(top, Tag::Sequence, "req").unwrap();
        assert_eq!(
            parts.len(),
            4,
            "version, imprint, nonce, certReq; no policy"
        );
        assert_eq!(parts[0].decode_as::<u8>().unwrap(), 1);
        let imprint = children(parts[1], Tag::Sequence, "imprint").unwrap();
        assert_eq!(algorithm(imprint[0]).unwrap(), SHA256);
        assert_eq!(imprint[1].value(), &digest);
        assert_eq!(parts[2].decode_as::<u64>().unwrap(), req.nonce);
        assert!(parts[3].decode_as::<bool>().unwrap(), "certReq TRUE");
        assert_ne!(request(&digest).nonce, req.nonce, "nonces are random");
    }

    #[test]
    fn nonce_integers_are_minimal_and_positive() {
        assert_eq!(integer_bytes(0), [0]);
        assert_eq!(integer_bytes(0x7f), [0x7f]);
        assert_eq!(integer_bytes(0x80), [0, 0x80]);
        assert_eq!(
            integer_bytes(u64::MAX),
            [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
        for n in [0u64, 1, 0x80, 0xffff, u64::MAX, 1 << 63] {
            let mut der = Vec::new();
            push_tlv(&mut der, 0x02, &integer_bytes(n));
            assert_eq!(u64::from_der(&der).unwrap(), n);
        }
    }

    #[test]
    fn generalized_times() {
        let t = generalized_time(b"20240229235959Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-02-29T23:59:59+00:00");
        let t = generalized_time(b"20240229235959.125Z").unwrap();
        assert_eq!(t.timestamp_subsec_millis(), 125);
        for bad in [
            &b"20240229235959"[..],
            b"2024022923595Z",
            b"20240230235959Z",
            b"20240229235959.Z",
            b"20240229235959.1aZ",
            b"2024+229235959Z",
            b"",
        ] {
            assert!(
                generalized_time(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn long_lengths() {
        let mut out = Vec::new();
        push_tlv_any(&mut out, 0x31, &[0; 300]);
        assert_eq!(&out[..4], &[0x31, 0x82, 0x01, 0x2c]);
        let mut out = Vec::new();
        push_tlv(&mut out, 0x30, &[0; 200]);
        assert_eq!(&out[..3], &[0x30, 0x81, 200]);
    }
}
