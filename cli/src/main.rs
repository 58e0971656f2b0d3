//! `kehu`: Kehu's customer analytics on CSV and JSON files.
fn main() {
    eprintln!("kehu: no commands yet");
    std::process::exit(2);
}
