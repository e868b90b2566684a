//! Checks definition files without the server:
//! `cargo run -p amtsweg-forms --example check -- FILE...`.
//! (The server's `amtsweg check-definition` does the same.)

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for path in std::env::args().skip(1) {
        match std::fs::read_to_string(&path) {
            Err(e) => {
                eprintln!("{path}: cannot read: {e}");
                status = ExitCode::from(2);
            }
            Ok(text) => match amtsweg_forms::Form::load(&text) {
                Ok(form) => println!("{path}: ok ({} fields)", form.field_count()),
                Err(errors) => {
                    for e in errors.0 {
                        println!("{path}: {}: {}", e.path, e.message);
                    }
                    status = ExitCode::FAILURE;
                }
            },
        }
    }
    status
}
