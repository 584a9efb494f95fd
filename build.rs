//! Compiles the console's files into the binary: lists `assets/console` and writes a
//! table of `include_bytes!` entries, so a file added there is served without
//! touching Rust code, and the binary needs no folder beside it.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("assets/console");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let root = env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let mut table = String::from("&[\n");
    for name in &names {
        println!("cargo:rerun-if-changed={}/{name}", dir.display());
        table.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            Path::new(&root).join(dir).join(name).display().to_string()
        ));
    }
    table.push(']');
    let out = env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = fs::write(Path::new(&out).join("console_files.rs"), table) {
        panic!("cannot write the console table: {e}");
    }
}
