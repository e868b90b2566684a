//! Any bytes as a FIM (XDatenfelder) document: the import returns a draft
//! and a report, or an error that names its element; it never panics, and
//! a draft it returns can be checked and exported.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match amtsweg_forms::fim::import(data) {
        Ok(import) => {
            // The report's check result is the engine's verdict on the draft.
            let checked = amtsweg_forms::Form::from_definition(import.definition.clone());
            assert_eq!(checked.is_ok(), import.report.passes_check());
            let json = amtsweg_forms::json::export(&import.definition);
            assert!(json.ends_with('\n'));
            let _ = amtsweg_forms::quality::check(&import.definition);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
