//! Starts the Kehu app in the browser. The app itself lives in the library (`src/lib.rs`).
fn main() {
    kehu::start();
}
