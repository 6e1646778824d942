//! The custom_id parser (every button click and menu pick): anything parses to one of
//! ours or to nothing, and what it parses writes back to the same id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackpick::discord::custom_id::{ComponentId, Other};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(id) = ComponentId::parse(text) {
        assert_eq!(ComponentId::parse(&id.to_string()), Some(id));
    }
    if let Some(other) = Other::parse(text) {
        assert_eq!(Other::parse(&other.to_string()), Some(other));
    }
});
