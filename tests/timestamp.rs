//! RFC 3161 timestamps against a real TSA: OpenSSL's `ts` command with a
//! test CA made in a temporary directory (tests/common/tsa.rs). OpenSSL
//! also reads our requests and checks our tokens, so both directions are
//! checked by an independent implementation. Nothing touches the network.

mod common;

use common::{TestTsa, TsaKind, openssl};
use der::asn1::AnyRef;
use der::{Decode, Reader, SliceReader, Tagged};
use embarc::timestamp::{self, Error};
use sha2::{Digest, Sha256};

fn digest_of(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A token for `data` from `tsa`, through request() and read_response().
fn token_for(tsa: &TestTsa, data: &[u8]) -> Vec<u8> {
    let digest = digest_of(data);
    let req = timestamp::request(&digest);
    let resp = tsa.reply(&req.der);
    timestamp::read_response(&resp, &digest, req.nonce).expect("read_response")
}

// DER walking for the tamper tests: elements and their offsets in the token.

fn elements(content: &[u8]) -> Vec<AnyRef<'_>> {
    let mut r = SliceReader::new(content).unwrap();
    let mut out = Vec::new();
    while !r.is_finished() {
        out.push(AnyRef::decode(&mut r).unwrap());
    }
    out
}

/// Where `inner` (a sub-slice) starts in `outer`.
fn offset(outer: &[u8], inner: &[u8]) -> usize {
    inner.as_ptr() as usize - outer.as_ptr() as usize
}

/// The SignedData's parts: ContentInfo → [0] → SignedData.
fn signed_data(token: &[u8]) -> Vec<AnyRef<'_>> {
    let info = AnyRef::from_der(token).unwrap();
    let content = elements(info.value())[1];
    elements(elements(content.value())[0].value())
}

/// The signature OCTET STRING's contents in the token.
fn signature_range(token: &[u8]) -> std::ops::Range<usize> {
    let sd = signed_data(token);
    let signer = elements(sd.last().unwrap().value())[0];
    let sig = elements(signer.value())[5];
    assert_eq!(sig.tag(), der::Tag::OctetString, "SignerInfo.signature");
    let at = offset(token, sig.value());
    at..at + sig.value().len()
}

/// The TSTInfo serialNumber's contents in the token.
fn serial_range(token: &[u8]) -> std::ops::Range<usize> {
    let sd = signed_data(token);
    let encap = elements(sd[2].value());
    let octets = elements(encap[1].value())[0];
    let tst = AnyRef::from_der(octets.value()).unwrap();
    let serial = elements(tst.value())[3];
    assert_eq!(serial.tag(), der::Tag::Integer, "TSTInfo.serialNumber");
    let at = offset(token, serial.value());
    at..at + serial.value().len()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn openssl_reads_our_request() {
    if !common::have_openssl("openssl_reads_our_request") {
        return;
    }
    let tsa = TestTsa::new(TsaKind::Ec);
    let digest = digest_of(b"a WARC file");
    let req = timestamp::request(&digest);
    let path = tsa.path("req.tsq");
    std::fs::write(&path, &req.der).unwrap();
    let out = openssl(
        tsa.dir(),
        &["ts", "-query", "-in", &path.to_string_lossy(), "-text"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Hash Algorithm: sha256"), "{text}");
    // OpenSSL prints the imprint as "xx xx xx ..." with dashes in the middle.
    let printed: String = text
        .split("Message data:")
        .nth(1)
        .unwrap()
        .split("Policy OID")
        .next()
        .unwrap()
        .lines()
        .flat_map(|l| l.split_whitespace().skip(1).take(16))
        .collect::<Vec<_>>()
        .join("")
        .replace('-', "");
    assert_eq!(printed, hex::encode(digest), "{text}");
    let nonce_line = text.lines().find(|l| l.contains("Nonce:")).unwrap();
    assert!(
        nonce_line.to_lowercase().contains(&format!("{:x}", req.nonce)) // hex form "0x..."
            || nonce_line.contains(&req.nonce.to_string()),
        "nonce {} (0x{:x}) not in {nonce_line:?}",
        req.nonce,
        req.nonce
    );
    assert!(text.contains("Certificate required: yes"), "{text}");
    assert!(text.contains("Policy OID: unspecified"), "{text}");
}

#[test]
fn tokens_from_a_real_tsa_verify_rsa_and_ec() {
    if !common::have_openssl("tokens_from_a_real_tsa_verify_rsa_and_ec") {
        return;
    }
    for kind in [TsaKind::Rsa, TsaKind::Ec] {
        let tsa = TestTsa::new(kind);
        let data = b"the bytes of a WARC file";
        let token = token_for(&tsa, data);
        let stamp = timestamp::verify(
            &token,
            &digest_of(data),
            std::slice::from_ref(&tsa.root_der),
        )
        .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let age = chrono::Utc::now() - stamp.gen_time;
        assert!(
            age.num_seconds().abs() < 60,
            "{kind:?}: gen_time {}",
            stamp.gen_time
        );
        assert_eq!(stamp.policy, "1.2.3.4.1");
        assert!(
            stamp.tsa.contains(&format!("CN={}", tsa.tsa_cn)),
            "{}",
            stamp.tsa
        );
        assert!(!stamp.serial.is_empty() && hex::decode(&stamp.serial).is_ok());
        // A second token has the next serial (OpenSSL counts), so serial is read.
        let second = timestamp::verify(
            &token_for(&tsa, data),
            &digest_of(data),
            std::slice::from_ref(&tsa.root_der),
        )
        .unwrap();
        assert_ne!(second.serial, stamp.serial);
        let json = serde_json::to_value(&stamp).unwrap();
        assert!(json["gen_time"].as_str().unwrap().ends_with('Z'), "{json}");
    }
}

#[test]
fn roots_from_pem_and_der() {
    if !common::have_openssl("roots_from_pem_and_der") {
        return;
    }
    let tsa = TestTsa::new(TsaKind::Ec);
    let pem = std::fs::read(&tsa.root_pem).unwrap();
    assert_eq!(
        timestamp::read_certificates(&pem).unwrap(),
        vec![tsa.root_der.clone()]
    );
    assert_eq!(
        timestamp::read_certificates(&tsa.root_der).unwrap(),
        vec![tsa.root_der.clone()]
    );
    let chain = std::fs::read(tsa.dir().join("chain.pem")).unwrap();
    let mut two = pem.clone();
    two.extend_from_slice(&std::fs::read(tsa.dir().join("tsa.pem")).unwrap());
    assert_eq!(timestamp::read_certificates(&two).unwrap().len(), 2);
    assert_eq!(timestamp::read_certificates(&chain).unwrap().len(), 1);
    assert!(matches!(
        timestamp::read_certificates(b"not a certificate"),
        Err(Error::NotCertificates(_))
    ));
    assert!(matches!(
        timestamp::read_certificates(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        ),
        Err(Error::NotCertificates(_))
    ));
}

#[test]
fn altered_data_is_a_wrong_imprint() {
    if !common::have_openssl("altered_data_is_a_wrong_imprint") {
        return;
    }
    let tsa = TestTsa::new(TsaKind::Ec);
    let token = token_for(&tsa, b"original");
    let err = timestamp::verify(
        &token,
        &digest_of(b"0riginal"),
        std::slice::from_ref(&tsa.root_der),
    )
    .unwrap_err();
    assert!(matches!(err, Error::WrongImprint), "{err}");
}

#[test]
fn another_root_is_untrusted() {
    if !common::have_openssl("another_root_is_untrusted") {
        return;
    }
    let tsa = TestTsa::new(TsaKind::Rsa);
    let other = TestTsa::named(TsaKind::Rsa, "someone else");
    let token = token_for(&tsa, b"data");
    let err = timestamp::verify(
        &token,
        &digest_of(b"data"),
        std::slice::from_ref(&other.root_der),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Untrusted(_)), "{err}");
    let err = timestamp::verify(&token, &digest_of(b"data"), &[]).unwrap_err();
    assert!(matches!(err, Error::Untrusted(_)), "{err}");
    // Trusting both works.
    timestamp::verify(
        &token,
        &digest_of(b"data"),
        &[other.root_der.clone(), tsa.root_der.clone()],
    )
    .unwrap();
}

#[test]
fn tampered_tokens_are_rejected() {
    if !common::have_openssl("tampered_tokens_are_rejected") {
        return;
    }
    for kind in [TsaKind::Rsa, TsaKind::Ec] {
        let tsa = TestTsa::new(kind);
        let digest = digest_of(b"data");
        let roots = [tsa.root_der.clone()];
        let token = token_for(&tsa, b"data");
        timestamp::verify(&token, &digest, &roots).unwrap();

        let sig = signature_range(&token);
        let mut bad = token.clone();
        bad[sig.start + sig.len() / 2] ^= 0x01;
        let err = timestamp::verify(&bad, &digest, &roots).unwrap_err();
        assert!(matches!(err, Error::BadSignature), "{kind:?}: {err}");

        let serial = serial_range(&token);
        let mut bad = token.clone();
        bad[serial.end - 1] ^= 0x01;
        let err = timestamp::verify(&bad, &digest, &roots).unwrap_err();
        assert!(matches!(err, Error::ContentAltered), "{kind:?}: {err}");
    }
}

#[test]
fn a_certificate_not_for_timestamping_is_refused() {
    if !common::have_openssl("a_certificate_not_for_timestamping_is_refused") {
        return;
    }
    let tsa = TestTsa::new(TsaKind::Rsa);
    let digest = digest_of(b"data");
    let token = token_for(&tsa, b"data");
    let twin = tsa.twin_der.as_ref().unwrap();
    let at = find(&token, &tsa.tsa_der).expect("the token carries the TSA certificate");
    let mut swapped = token.clone();
    swapped[at..at + twin.len()].copy_from_slice(twin);
    let err =
        timestamp::verify(&swapped, &digest, std::slice::from_ref(&tsa.root_der)).unwrap_err();
    assert!(matches!(err, Error::NotForTimestamping), "{err}");
}

#[test]
fn read_response_refusals() {
    if !common::have_openssl("read_response_refusals") {
        return;
    }
    let tsa = TestTsa::new(TsaKind::Ec);
    // A SHA-1 query: the TSA accepts only SHA-2, so it answers "rejection".
    let data = tsa.path("data");
    std::fs::write(&data, b"data").unwrap();
    let query = tsa.path("sha1.tsq");
    openssl(
        tsa.dir(),
        &[
            "ts",
            "-query",
            "-data",
            &data.to_string_lossy(),
            "-sha1",
            "-cert",
            "-out",
            &query.to_string_lossy(),
        ],
    );
    let resp = tsa.reply(&std::fs::read(&query).unwrap());
    let err = timestamp::read_response(&resp, &digest_of(b"data"), 1).unwrap_err();
    match &err {
        Error::NotGranted { status, text } => {
            assert_eq!(*status, 2);
            assert!(
                text.contains("rejection") && text.contains("badAlg"),
                "{text}"
            );
        }
        other => panic!("{other}"),
    }

    for garbage in [
        &b""[..],
        b"hello",
        &[0x30, 0x03, 0x02, 0x01, 0x00],
        &[0x30, 0x80, 0, 0],
    ] {
        let err = timestamp::read_response(garbage, &digest_of(b"data"), 1).unwrap_err();
        assert!(matches!(err, Error::Malformed(_)), "{err}");
    }

    let digest = digest_of(b"data");
    let req = timestamp::request(&digest);
    let resp = tsa.reply(&req.der);
    let err = timestamp::read_response(&resp, &digest, req.nonce.wrapping_add(1)).unwrap_err();
    assert!(matches!(err, Error::WrongNonce), "{err}");
    let err = timestamp::read_response(&resp, &digest_of(b"other"), req.nonce).unwrap_err();
    assert!(matches!(err, Error::WrongImprint), "{err}");
    let token = timestamp::read_response(&resp, &digest, req.nonce).unwrap();
    assert!(
        find(&resp, &token).is_some(),
        "the token is stored as the TSA wrote it"
    );
}

#[test]
fn openssl_verifies_our_tokens() {
    if !common::have_openssl("openssl_verifies_our_tokens") {
        return;
    }
    for kind in [TsaKind::Rsa, TsaKind::Ec] {
        let tsa = TestTsa::new(kind);
        let data = b"a WARC file, byte for byte";
        let token = token_for(&tsa, data);
        let data_path = tsa.path("data");
        let token_path = tsa.path("token.der");
        std::fs::write(&data_path, data).unwrap();
        std::fs::write(&token_path, &token).unwrap();
        let out = openssl(
            tsa.dir(),
            &[
                "ts",
                "-verify",
                "-data",
                &data_path.to_string_lossy(),
                "-in",
                &token_path.to_string_lossy(),
                "-token_in",
                "-CAfile",
                &tsa.root_pem.to_string_lossy(),
            ],
        );
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("Verification: OK"), "{kind:?}: {said}");
    }
}

#[test]
fn hostile_tokens_give_errors_not_panics() {
    if !common::have_openssl("hostile_tokens_give_errors_not_panics") {
        return;
    }
    let tsa = TestTsa::new(TsaKind::Ec);
    let digest = digest_of(b"data");
    let roots = [tsa.root_der.clone()];
    let token = token_for(&tsa, b"data");
    for len in 0..token.len() {
        let err = timestamp::verify(&token[..len], &digest, &roots).unwrap_err();
        assert!(
            matches!(err, Error::Malformed(_)),
            "truncated at {len}: {err}"
        );
    }
    let mut rng = fastrand::Rng::with_seed(3161);
    for _ in 0..2000 {
        let mut bad = token.clone();
        for _ in 0..rng.usize(1..4) {
            let i = rng.usize(..bad.len());
            bad[i] = rng.u8(..);
        }
        if bad != token {
            let _ = timestamp::verify(&bad, &digest, &roots);
            let _ = timestamp::read_response(&bad, &digest, 1);
        }
    }
    for junk in [
        &[][..],
        &[0x30],
        &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        &[0xff; 64],
    ] {
        assert!(matches!(
            timestamp::verify(junk, &digest, &roots),
            Err(Error::Malformed(_))
        ));
    }
}

#[test]
fn fractional_gen_time_is_read() {
    if !common::have_openssl("fractional_gen_time_is_read") {
        return;
    }
    // A TSA configured with clock precision writes fractions of a second
    // ("...SS.fffZ"), which strict DER readers refuse.
    let tsa = TestTsa::new(TsaKind::Ec);
    let config = tsa.dir().join("ts.cnf");
    let text = std::fs::read_to_string(&config).unwrap();
    let precise = tsa.dir().join("ts-precise.cnf");
    std::fs::write(&precise, format!("{text}clock_precision_digits = 3\n")).unwrap();
    let digest = digest_of(b"data");
    let req = timestamp::request(&digest);
    let query = tsa.path("q.tsq");
    let reply = tsa.path("r.tsr");
    std::fs::write(&query, &req.der).unwrap();
    openssl(
        tsa.dir(),
        &[
            "ts",
            "-reply",
            "-config",
            &precise.to_string_lossy(),
            "-queryfile",
            &query.to_string_lossy(),
            "-out",
            &reply.to_string_lossy(),
        ],
    );
    let resp = std::fs::read(&reply).unwrap();
    let token = timestamp::read_response(&resp, &digest, req.nonce).unwrap();
    let stamp = timestamp::verify(&token, &digest, std::slice::from_ref(&tsa.root_der)).unwrap();
    assert!((chrono::Utc::now() - stamp.gen_time).num_seconds().abs() < 60);
    // The GeneralizedTime in the token: tag 0x18, then its length.
    let at = (0..token.len() - 2)
        .find(|&i| {
            let len = token[i + 1] as usize;
            token[i] == 0x18
                && (15..=24).contains(&len)
                && token.get(i + 2 + len - 1) == Some(&b'Z')
                && token[i + 2..i + 4] == *b"20"
        })
        .expect("genTime in the token");
    let time = &token[at + 2..][..token[at + 1] as usize];
    let has_fraction = time.contains(&b'.');
    assert_eq!(
        has_fraction,
        stamp.gen_time.timestamp_subsec_nanos() != 0,
        "{} read as {}",
        String::from_utf8_lossy(time),
        stamp.gen_time
    );
}
