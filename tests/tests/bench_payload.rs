//! The benchmark payload is the one `../shared/bench/PAYLOAD.md` defines: encoded by us and by
//! Apache it has the sizes measured there for every other Thrift stack, and the bytes match.

use thrift::protocol::{
    TBinaryOutputProtocol, TCompactOutputProtocol, TOutputProtocol, TSerializable,
};
use thrift_bidi::protocol::Protocol;
use thrift_bidi_tests::payload;

fn apache_bytes(compact: bool) -> Vec<u8> {
    let batch = payload::apache();
    let mut out = Vec::new();
    if compact {
        let mut p = TCompactOutputProtocol::new(&mut out);
        batch.write_to_out_protocol(&mut p).expect("encodes");
        p.flush().expect("flushes");
    } else {
        let mut p = TBinaryOutputProtocol::new(&mut out, true);
        batch.write_to_out_protocol(&mut p).expect("encodes");
        p.flush().expect("flushes");
    }
    out
}

#[test]
fn payload_sizes_match_payload_md() {
    let ours = payload::ours();
    let binary = Protocol::Binary.to_bytes(&ours);
    let compact = Protocol::Compact.to_bytes(&ours);
    assert_eq!(binary.len(), 26_359);
    assert_eq!(compact.len(), 17_413);
    assert_eq!(apache_bytes(false).len(), 26_359);
    assert_eq!(apache_bytes(true).len(), 17_413);
}

#[test]
fn payload_decodes_back() {
    let (ours, fast) = (payload::ours(), payload::fast());
    for protocol in [Protocol::Binary, Protocol::Compact] {
        let apache = bytes::Bytes::from(apache_bytes(protocol == Protocol::Compact));
        let decoded: thrift_bidi_tests::generated::default::bench::Batch = protocol
            .decode(apache.clone())
            .expect("ours decodes Apache's payload");
        assert_eq!(decoded, ours, "{protocol:?}");
        let decoded: thrift_bidi_tests::generated::fast::bench::Batch = protocol
            .decode(apache)
            .expect("the fast configuration decodes Apache's payload");
        assert_eq!(decoded, fast, "{protocol:?}");
    }
}
