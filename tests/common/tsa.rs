//! A local RFC 3161 Time-Stamp Authority for tests: a test CA made with the
//! `openssl` command in a temporary directory, and `openssl ts -reply`
//! answering requests. Nothing touches the network, and no system
//! openssl.cnf is read (every command gets the config written here).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use tempfile::TempDir;

/// Which chain the TSA signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsaKind {
    /// RSA 2048 root → RSA intermediate → RSA TSA certificate.
    Rsa,
    /// EC P-256 root → EC P-256 TSA certificate (no intermediate).
    Ec,
}

/// A test CA and TSA in a temporary directory (removed on drop).
pub struct TestTsa {
    dir: TempDir,
    pub kind: TsaKind,
    /// The root certificate, PEM (what `openssl ts -verify -CAfile` takes).
    pub root_pem: PathBuf,
    /// The root certificate, DER.
    pub root_der: Vec<u8>,
    /// The TSA's signing certificate, DER.
    pub tsa_der: Vec<u8>,
    /// The TSA's subject common name.
    pub tsa_cn: String,
    /// A twin of the TSA certificate (same key, issuer, serial, subject and
    /// length) whose extended key usage is codeSigning instead of
    /// timeStamping: swapped into a token, the signature still verifies
    /// but the certificate is not a TSA's. `openssl ts` refuses to sign
    /// with such a certificate, hence the twin.
    /// Only for [`TsaKind::Rsa`] (ECDSA signatures vary in length).
    pub twin_der: Option<Vec<u8>>,
    config: PathBuf,
    counter: AtomicUsize,
}

const CA_CONFIG: &str = r#"
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_tsa ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_twin ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"#;

/// Runs `openssl` with `args` in `dir`, failing the test (with what to do)
/// if the command is missing or fails.
pub fn openssl(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .env("OPENSSL_CONF", dir.join("ca.cnf"))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `openssl` ({e}): these tests need the OpenSSL command line \
                 (Debian/Ubuntu: apt-get install openssl)"
            )
        });
    assert!(
        out.status.success(),
        "openssl {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Whether the `openssl` command is here. Without it a test that needs
/// it fails in CI (`CI` set) and, elsewhere, says loudly that it did not
/// run and passes: a machine with only Rust still runs the rest.
pub fn have_openssl(test: &str) -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "the openssl command is required in CI (apt-get install openssl)"
        );
        eprintln!(
            "\n\n*** {test} NOT RUN: the openssl command is missing (apt-get install openssl) ***\n\n"
        );
    }
    found
}

impl TestTsa {
    /// Makes a CA and a TSA of `kind`; `name` tells test CAs apart (it is
    /// in every subject).
    pub fn new(kind: TsaKind) -> TestTsa {
        Self::named(kind, "embarc test")
    }

    pub fn named(kind: TsaKind, name: &str) -> TestTsa {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join("ca.cnf"), CA_CONFIG).expect("write ca.cnf");
        let newkey: &[&str] = match kind {
            TsaKind::Rsa => &["-newkey", "rsa:2048"],
            TsaKind::Ec => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        };
        let req = |key: &str, out: &str, subj: &str, x509: bool| {
            let mut args = vec!["req", "-new", "-nodes", "-config", "ca.cnf"];
            args.extend_from_slice(newkey);
            args.extend_from_slice(&["-keyout", key, "-out", out, "-subj", subj]);
            if x509 {
                args.extend_from_slice(&["-x509", "-days", "3650", "-extensions", "v3_ca"]);
            }
            openssl(d, &args);
        };
        let sign = |csr: &str, ca: &str, ca_key: &str, ext: &str, serial: &str, out: &str| {
            openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    csr,
                    "-CA",
                    ca,
                    "-CAkey",
                    ca_key,
                    "-set_serial",
                    serial,
                    "-days",
                    "3650",
                    "-extfile",
                    "ca.cnf",
                    "-extensions",
                    ext,
                    "-out",
                    out,
                ],
            );
        };
        let tsa_cn = format!("{name} TSA {kind:?}");
        req(
            "root.key",
            "root.pem",
            &format!("/CN={name} root {kind:?}/O=embarc tests"),
            true,
        );
        let (issuer, issuer_key, chain) = match kind {
            TsaKind::Rsa => {
                req(
                    "int.key",
                    "int.csr",
                    &format!("/CN={name} intermediate/O=embarc tests"),
                    false,
                );
                sign("int.csr", "root.pem", "root.key", "v3_int", "2", "int.pem");
                ("int.pem", "int.key", vec!["int.pem", "root.pem"])
            }
            TsaKind::Ec => ("root.pem", "root.key", vec!["root.pem"]),
        };
        req(
            "tsa.key",
            "tsa.csr",
            &format!("/CN={tsa_cn}/O=embarc tests"),
            false,
        );
        sign("tsa.csr", issuer, issuer_key, "v3_tsa", "4660", "tsa.pem");
        if kind == TsaKind::Rsa {
            sign("tsa.csr", issuer, issuer_key, "v3_twin", "4660", "twin.pem");
        }

        let mut chain_pem = String::new();
        for f in &chain {
            chain_pem.push_str(&std::fs::read_to_string(d.join(f)).expect("read chain"));
        }
        std::fs::write(d.join("chain.pem"), chain_pem).expect("write chain");
        std::fs::write(d.join("serial"), "01\n").expect("write serial");
        let config = d.join("ts.cnf");
        std::fs::write(
            &config,
            format!(
                "{CA_CONFIG}\n[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\n\
                 dir = {dir}\nserial = $dir/serial\ncrypto_device = builtin\n\
                 signer_cert = $dir/tsa.pem\nsigner_key = $dir/tsa.key\ncerts = $dir/chain.pem\n\
                 signer_digest = sha256\ndefault_policy = 1.2.3.4.1\n\
                 digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\n\
                 tsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n",
                dir = d.display()
            ),
        )
        .expect("write ts.cnf");

        let der = |pem: &str| openssl(d, &["x509", "-in", pem, "-outform", "DER"]).stdout;
        let tsa_der = der("tsa.pem");
        let twin_der = (kind == TsaKind::Rsa).then(|| der("twin.pem"));
        if let Some(twin) = &twin_der {
            assert_eq!(
                tsa_der.len(),
                twin.len(),
                "the twin certificate must have the TSA certificate's length"
            );
        }
        TestTsa {
            root_pem: d.join("root.pem"),
            root_der: der("root.pem"),
            tsa_der,
            twin_der,
            tsa_cn,
            kind,
            config,
            dir,
            counter: AtomicUsize::new(0),
        }
    }

    /// The directory holding the CA's files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A fresh file name in the directory.
    pub fn path(&self, what: &str) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.dir.path().join(format!("{what}-{n}"))
    }

    /// The TimeStampResp `openssl ts -reply` gives to `request_der` (a
    /// TimeStampReq), as a TSA would answer over HTTP.
    pub fn reply(&self, request_der: &[u8]) -> Vec<u8> {
        let query = self.path("query.tsq");
        let reply = self.path("reply.tsr");
        std::fs::write(&query, request_der).expect("write query");
        let config = self.config.to_string_lossy().to_string();
        openssl(
            self.dir(),
            &[
                "ts",
                "-reply",
                "-config",
                &config,
                "-queryfile",
                &query.to_string_lossy(),
                "-out",
                &reply.to_string_lossy(),
            ],
        );
        std::fs::read(&reply).expect("read reply")
    }
}
