//! The clinician's proof on Janus. VideoRoom shows whatever display name a join page sends,
//! so the clinician's join link carries a signature over who the clinician is, in which room,
//! under which participant id and until when; every join page checks it with the clinic's
//! public key (the "join page key", in the page's `visitdesk-join.json`). The key pair and the
//! clinician's participant id in each room are derived from the `token_auth_secret`, so nothing
//! more is stored. Key material never reaches `Debug` output or a log line.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use sha2::Sha256;
use visitdesk_janus::videoroom::MAX_ID;
use visitdesk_secrets::Sensitive;
use visitdesk_store::GuestRole;
use zeroize::Zeroizing;

/// HMAC-SHA256 keyed with the token secret's bytes.
pub(super) fn derive(token_secret: &Sensitive<String>, message: &str) -> Zeroizing<[u8; 32]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(token_secret.expose().as_bytes()).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// The clinic's ECDSA P-256 signing key: the scalar is HMAC-SHA256 over
/// `visitdesk clinician signing key v1`, or, in the unlikely case that is no valid scalar (zero
/// or at least the group order), over the same text followed by ` 1`, ` 2`, …
pub(crate) fn signing_key(token_secret: &Sensitive<String>) -> SigningKey {
    const LABEL: &str = "visitdesk clinician signing key v1";
    let mut attempt = 0u32;
    loop {
        let label = if attempt == 0 { LABEL.to_string() } else { format!("{LABEL} {attempt}") };
        if let Ok(key) = SigningKey::from_slice(derive(token_secret, &label).as_slice()) {
            return key;
        }
        attempt += 1;
    }
}

/// The public key join pages verify with: the uncompressed SEC1 point (65 bytes), base64url
/// without padding.
pub(crate) fn join_page_key(token_secret: &Sensitive<String>) -> String {
    URL_SAFE_NO_PAD.encode(signing_key(token_secret).verifying_key().to_sec1_point(false).as_bytes())
}

/// The participant id the clinician joins `room_id` under, 1 to [`MAX_ID`]: Janus refuses a
/// second participant with an id in use, so nobody can take it while the clinician is there.
pub(crate) fn clinician_participant_id(token_secret: &Sensitive<String>, room_id: u64) -> u64 {
    let digest = derive(token_secret, &format!("visitdesk clinician participant {room_id}"));
    let first: [u8; 8] = digest[..8].try_into().expect("8 of 32 bytes");
    u64::from_le_bytes(first) % MAX_ID + 1
}

/// What the proof signs: UTF-8 lines joined by `\n`, with no trailing newline.
pub(super) fn proof_message(room_id: u64, participant_id: u64, identity: &str, expires: u64) -> String {
    format!(
        "visitdesk clinician proof v1\nroom={room_id}\nparticipant={participant_id}\nidentity={identity}\nexpires={expires}"
    )
}

/// `<expires>.<signature>`: ECDSA P-256 with SHA-256 (deterministic, RFC 6979) over
/// [`proof_message`], the signature as the 64 bytes r‖s in base64url without padding.
pub(crate) fn clinician_proof(
    token_secret: &Sensitive<String>,
    room_id: u64,
    participant_id: u64,
    identity: &str,
    expires: u64,
) -> String {
    let message = proof_message(room_id, participant_id, identity, expires);
    let signature: Signature = signing_key(token_secret).sign(message.as_bytes());
    format!("{expires}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// The identity in a Janus display name: the clinician's page shows `"<identity> <proof>"`,
/// guests' pages the identity alone.
pub(super) fn identity_in(display: &str) -> &str {
    display.split_once(' ').map_or(display, |(identity, _)| identity)
}

/// The participant ids a clinician's display lets in: `<identity> <proof> admit:<id>,<id>`, as
/// `ui/src/video/janus/lobby.ts` writes it.
pub(super) fn admits_in(display: &str) -> Vec<String> {
    let Some(listed) = display.split(' ').nth(2).and_then(|part| part.strip_prefix("admit:")) else {
        return Vec::new();
    };
    let id = |part: &&str| !part.is_empty() && part.len() <= 16 && part.bytes().all(|b| b.is_ascii_digit());
    listed.split(',').filter(id).map(str::to_string).collect()
}

/// Who a Janus participant is for the monitor. An identity without a guest's role prefix
/// (`{role}-…`, as `monitor::state::role_of` reads it) claims to be the clinician: unless it
/// joined under the clinician's participant id for the room, it becomes `unverified {identity}`,
/// which is never the provider's identity.
pub(super) fn participant_identity(display: Option<&str>, janus_id: u64, clinician_id: u64) -> String {
    let identity = display.map_or_else(|| janus_id.to_string(), |display| identity_in(display).to_string());
    let guest = identity.split_once('-').and_then(|(prefix, _)| GuestRole::parse(prefix)).is_some();
    if guest || janus_id == clinician_id { identity } else { format!("unverified {identity}") }
}

#[cfg(test)]
mod tests {
    use p256::ecdsa::{VerifyingKey, signature::Verifier};
    use serde_json::json;

    use super::*;
    use crate::monitor::state::{Role, role_of};

    fn secret(text: &str) -> Sensitive<String> {
        Sensitive::new(text.to_string())
    }

    /// Checks `proof` as a join page does, against the given message fields.
    fn verifies(key: &str, proof: &str, room: u64, participant: u64, identity: &str, expires: u64) -> bool {
        let point = URL_SAFE_NO_PAD.decode(key).unwrap();
        let verifying = VerifyingKey::from_sec1_bytes(&point).unwrap();
        let (stated, signature) = proof.split_once('.').unwrap();
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
        stated == expires.to_string()
            && verifying.verify(proof_message(room, participant, identity, expires).as_bytes(), &signature).is_ok()
    }

    #[test]
    fn the_proof_verifies_over_exactly_the_signed_message() {
        let token_secret = secret("s3cret");
        let key = join_page_key(&token_secret);
        assert_eq!(URL_SAFE_NO_PAD.decode(&key).unwrap().len(), 65);
        assert!(key.starts_with('B'), "uncompressed SEC1 starts with 0x04: {key}");
        let proof = clinician_proof(&token_secret, 42, 777, "dr-ana", 1_900_000_000);
        assert_eq!(
            proof_message(42, 777, "dr-ana", 1_900_000_000),
            "visitdesk clinician proof v1\nroom=42\nparticipant=777\nidentity=dr-ana\nexpires=1900000000"
        );
        assert!(verifies(&key, &proof, 42, 777, "dr-ana", 1_900_000_000));
        assert!(!verifies(&key, &proof, 43, 777, "dr-ana", 1_900_000_000), "another room");
        assert!(!verifies(&key, &proof, 42, 778, "dr-ana", 1_900_000_000), "another participant id");
        assert!(!verifies(&key, &proof, 42, 777, "dr-ann", 1_900_000_000), "another identity");
        assert!(!verifies(&key, &proof, 42, 777, "dr-ana", 1_900_000_001), "another expiry");
        assert!(!verifies(&join_page_key(&secret("other")), &proof, 42, 777, "dr-ana", 1_900_000_000), "another key");
        // Deterministic: the same inputs sign the same proof.
        assert_eq!(proof, clinician_proof(&token_secret, 42, 777, "dr-ana", 1_900_000_000));
    }

    #[test]
    fn the_signing_key_stays_out_of_debug_output() {
        let key = signing_key(&secret("s3cret"));
        let scalar = hex::encode(key.to_bytes());
        assert!(!format!("{key:?}").contains(&scalar));
    }

    #[test]
    fn clinician_ids_are_stable_per_room_and_differ_per_room_and_secret() {
        let token_secret = secret("s3cret");
        let id = clinician_participant_id(&token_secret, 7);
        assert_eq!(id, clinician_participant_id(&token_secret, 7));
        assert_ne!(id, clinician_participant_id(&token_secret, 8));
        assert_ne!(id, clinician_participant_id(&secret("other"), 7));
        for room in 1..200 {
            assert!((1..=MAX_ID).contains(&clinician_participant_id(&token_secret, room)));
        }
    }

    /// The fixture the join page's own test verifies with WebCrypto.
    #[test]
    fn the_cross_language_fixture_matches() {
        let token_secret = secret("fixture-token-secret");
        let (room, identity, expires) = (1234, "dr-ana", 1_900_000_000);
        let participant = clinician_participant_id(&token_secret, room);
        let made = json!({
            "tokenSecret": token_secret.expose(),
            "room": room,
            "participant": participant,
            "identity": identity,
            "expires": expires,
            "joinPageKey": join_page_key(&token_secret),
            "proof": clinician_proof(&token_secret, room, participant, identity, expires),
        });
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/clinician_proof.json");
        let committed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or_default();
        assert_eq!(committed, made, "{path} differs from what the core makes:\n{made:#}");
    }

    #[test]
    fn the_clinicians_display_lists_whom_their_call_lets_in() {
        let proof = "1900000000.c2ln";
        assert_eq!(admits_in(&format!("dr-ana {proof} admit:7,12")), ["7", "12"]);
        assert_eq!(admits_in(&format!("dr-ana {proof} admit:")), Vec::<String>::new());
        assert_eq!(admits_in(&format!("dr-ana {proof}")), Vec::<String>::new(), "an older page lets nobody in");
        assert_eq!(admits_in("patient-abc"), Vec::<String>::new());
        // Only digits count, and only in the third part.
        assert_eq!(admits_in(&format!("dr-ana {proof} admit:7,x,,12345678901234567,8")), ["7", "8"]);
        assert_eq!(admits_in("dr-ana admit:7"), Vec::<String>::new());
        assert_eq!(participant_identity(Some(&format!("dr-ana {proof} admit:7")), 99, 99), "dr-ana");
    }

    #[test]
    fn only_the_clinicians_id_keeps_a_clinician_like_identity() {
        let clinician = 99;
        let proof = "1900000000.c2ln";
        assert_eq!(participant_identity(Some(&format!("dr-ana {proof}")), clinician, clinician), "dr-ana");
        assert_eq!(participant_identity(Some("dr-ana"), clinician, clinician), "dr-ana");
        assert_eq!(participant_identity(Some(&format!("dr-ana {proof}")), 5, clinician), "unverified dr-ana");
        assert_eq!(participant_identity(Some("dr-ana"), 5, clinician), "unverified dr-ana");
        assert_eq!(participant_identity(Some("patient-abc"), 5, clinician), "patient-abc");
        assert_eq!(participant_identity(Some("interpreter-xyz"), 6, clinician), "interpreter-xyz");
        assert_eq!(participant_identity(None, 5, clinician), "unverified 5");
        // The monitor reads an impostor as nobody's role, and guests as before.
        let impostor = participant_identity(Some("dr-ana"), 5, clinician);
        assert_eq!(role_of(&impostor, Some("dr-ana")), Role::Guest(None));
        assert_eq!(
            role_of(&participant_identity(Some("dr-ana x"), clinician, clinician), Some("dr-ana")),
            Role::Provider
        );
        assert_eq!(role_of(&participant_identity(Some("patient-abc"), 5, clinician), Some("dr-ana")), Role::Patient);
        // What is a guest here is what the monitor reads as one.
        for identity in ["patient-a", "family-b", "caregiver-c", "interpreter-d", "Patient-e", "patientcare-f", "dr"] {
            let guest = !matches!(role_of(identity, None), Role::Guest(None));
            assert_eq!(participant_identity(Some(identity), 5, clinician) == identity, guest, "{identity}");
        }
    }
}
