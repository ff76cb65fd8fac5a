//! Points the asset embedder at the built frontend (`dist/` at the workspace root), or at a
//! placeholder page when it has not been built, so `cargo build` works on a fresh clone.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = std::env::var_os("KTOP_WEB_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../dist"));
    println!("cargo:rerun-if-env-changed=KTOP_WEB_DIST");
    println!("cargo:rerun-if-changed={}", dist.display());
    println!(
        "cargo:rerun-if-changed={}",
        dist.join("index.html").display()
    );
    let folder = if dist.join("index.html").is_file() {
        dist
    } else {
        let out =
            PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("placeholder");
        let page = "<!doctype html><title>ktop-web</title><p>This ktop-web binary was built without its web UI. \
            Build it with <code>scripts/run</code>, which builds the frontend first.</p>";
        if std::fs::create_dir_all(&out)
            .and_then(|()| std::fs::write(out.join("index.html"), page))
            .is_err()
        {
            println!("cargo:warning=cannot write the placeholder page");
        }
        out
    };
    println!("cargo:rustc-env=KTOP_WEB_ASSETS={}", folder.display());
}
