//! Domain separation between what xhost signs itself and what it signs for plugins.
//!
//! The host signs one format of its own: DSSE envelopes (the provenance), whose
//! signature covers the pre-authentication encoding `DSSEv1 <len> <type> <len> <body>`.
//! Plugins sign files (cosign and minisign signatures are over the file's bytes), so a
//! plugin that could have those bytes signed would hold a valid attestation
//! signature. Every message that starts as a PAE does is therefore refused for
//! plugins, whatever the key; and `xhost verify` refuses a file signature over such
//! bytes. The provenance key itself is never granted to a stage (`config`, `plan`).

/// How every DSSE pre-authentication encoding starts.
pub const DSSE_PREFIX: &[u8] = b"DSSEv1 ";

/// Pre-Authentication Encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Why a plugin may not have `message` signed, if it may not.
pub fn reserved_for_host(message: &[u8]) -> Option<&'static str> {
    message.starts_with(DSSE_PREFIX).then_some(
        "the message is a DSSE pre-authentication encoding (an attestation envelope), which only xhost itself signs",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_specification_example() {
        // From the DSSE protocol description.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn every_envelope_is_reserved() {
        for kind in ["application/vnd.in-toto+json", "", "x"] {
            assert!(reserved_for_host(&pae(kind, b"{}")).is_some());
        }
        assert!(reserved_for_host(b"abc123  hello.tar.gz\n").is_none());
        assert!(reserved_for_host(b" DSSEv1 1 x 0 ").is_none());
    }
}
