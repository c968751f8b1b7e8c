//! The architecture's invariants (ARCHITECTURE.md, "Invariants"), checked
//! by reading the source: each rule is a fact about which module may name
//! which, so breaking one fails here with the file and line that broke it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules by layer: a module may use its own layer and the
/// layers below it, never one above (imports run one way).
const LAYERS: &[&[&str]] = &[
    &["words", "detect", "duration", "timestamp"],
    &["queue", "config", "accounts", "policy", "liveness", "fetch"],
    &["capture", "store"],
    &["check", "archive", "report", "export", "notify", "verify"],
    &["watch"],
    &["serve"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `.rs` file under `src/`, by its top-level module (`lib.rs` and
/// `main.rs` are left out: they only declare and call).
fn sources() -> BTreeMap<String, Vec<(PathBuf, String)>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut by_module: BTreeMap<String, Vec<(PathBuf, String)>> = BTreeMap::new();
    for path in files {
        let rel = path.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        by_module.entry(module).or_default().push((path, text));
    }
    by_module
}

/// Code lines (comments dropped) with their numbers.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.starts_with("//"))
}

/// The crate's top-level modules a line names: `crate::x`, and the names
/// inside `crate::{x, y::z}`.
fn crate_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

/// Lines of `module`'s files that name an outside crate `name`: `name::`
/// in code, or a `use` of the crate itself (`use name;`, `use name as _;`).
fn uses_crate(files: &[(PathBuf, String)], name: &str) -> Vec<String> {
    let needle = format!("{name}::");
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    for (path, text) in files {
        for (n, line) in code_lines(text) {
            let path_hit = line.match_indices(&needle).any(|(at, _)| {
                at == 0 || {
                    let before = line.as_bytes()[at - 1];
                    !(ident(before) || before == b':')
                }
            });
            let used = line
                .split_once("use ")
                .filter(|(before, _)| {
                    before.is_empty()
                        || before.trim_end().ends_with("pub")
                        || before.ends_with(") ")
                })
                .and_then(|(_, path)| path.trim_start_matches(['{', ' ']).strip_prefix(name))
                .is_some_and(|rest| !rest.bytes().next().is_some_and(ident));
            let hit = path_hit || used;
            if hit {
                out.push(format!("{}:{n}: {line}", path.display()));
            }
        }
    }
    out
}

#[test]
fn every_module_has_a_layer() {
    for module in sources().keys() {
        assert!(
            layer(module).is_some(),
            "src/{module} is in no layer: add it to LAYERS here and to ARCHITECTURE.md"
        );
    }
}

#[test]
fn imports_run_one_way() {
    let mut broken = Vec::new();
    for (module, files) in sources() {
        let Some(mine) = layer(&module) else { continue };
        for (path, text) in &files {
            for (n, line) in code_lines(text) {
                for used in crate_modules(line) {
                    if used == module {
                        continue;
                    }
                    match layer(&used) {
                        Some(theirs) if theirs <= mine => {}
                        _ => broken.push(format!(
                            "{}:{n}: {module} uses {used}, a layer above it: {line}",
                            path.display()
                        )),
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn detect_is_pure() {
    let sources = sources();
    let detect = &sources["detect"];
    let mut broken = Vec::new();
    for (path, text) in detect {
        for (n, line) in code_lines(text) {
            let outside: Vec<_> = crate_modules(line)
                .into_iter()
                .filter(|m| m != "detect")
                .collect();
            let io = [
                "std::fs",
                "std::net",
                "std::env",
                "std::process",
                "tokio",
                "SystemTime",
                "Utc::now",
                "Local::now",
            ]
            .iter()
            .any(|w| line.contains(w));
            if !outside.is_empty() || io {
                broken.push(format!("{}:{n}: {line}", path.display()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "detect must use nothing outside itself and do no I/O or clock reads:\n{}",
        broken.join("\n")
    );
}

/// Probes see a neutral `PostRef`, never a store row: only the runs
/// (`check/run.rs`, `push.rs`, which records pushes, and `stamp.rs`, which
/// records timestamps), the dispatch
/// (`checker.rs`) and the article check read the store's types.
#[test]
fn probes_do_not_know_the_store() {
    let files = &sources()["check"];
    let mut hits = Vec::new();
    for (path, text) in files {
        let name = path.file_name().unwrap().to_string_lossy();
        if matches!(
            name.as_ref(),
            "run.rs" | "push.rs" | "stamp.rs" | "checker.rs" | "article.rs" | "mod.rs"
        ) {
            continue;
        }
        for (n, line) in code_lines(text) {
            if crate_modules(line).iter().any(|m| m == "store") {
                hits.push(format!("{}:{n}: {line}", path.display()));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "a probe reads the store:\n{}",
        hits.join("\n")
    );
    assert!(files.len() > 8, "the probes were not found");
}

#[test]
fn only_store_knows_sqlite() {
    for (module, files) in sources() {
        if module == "store" {
            continue;
        }
        for name in ["rusqlite", "r2d2", "r2d2_sqlite"] {
            let hits = uses_crate(&files, name);
            assert!(
                hits.is_empty(),
                "{name} outside src/store:\n{}",
                hits.join("\n")
            );
        }
    }
}

#[test]
fn only_fetch_speaks_http() {
    for (module, files) in sources() {
        if module == "fetch" {
            continue;
        }
        let hits = uses_crate(&files, "reqwest");
        assert!(
            hits.is_empty(),
            "reqwest outside src/fetch:\n{}",
            hits.join("\n")
        );
    }
}

#[test]
fn only_the_edges_build_a_runtime() {
    for (module, files) in sources() {
        if module == "cli" {
            continue;
        }
        for word in ["block_on(", "runtime::Builder", "Runtime::new"] {
            let hits: Vec<String> = files
                .iter()
                .flat_map(|(path, text)| {
                    code_lines(text)
                        .filter(|(_, l)| l.contains(word))
                        .map(|(n, l)| format!("{}:{n}: {l}", path.display()))
                        .collect::<Vec<_>>()
                })
                .collect();
            assert!(
                hits.is_empty(),
                "{word} outside src/cli:\n{}",
                hits.join("\n")
            );
        }
    }
}

#[test]
fn the_scanner_sees_what_it_checks() {
    // The rules above are only as good as the scanner: it must see grouped
    // and nested paths, and see past comments.
    assert_eq!(
        crate_modules("use crate::{store::Store, fetch};"),
        ["store", "fetch"]
    );
    assert_eq!(
        crate_modules("let x = crate::check::Outcome::Alive;"),
        ["check"]
    );
    assert!(code_lines("// use crate::store;").next().is_none());
    let files = vec![(
        PathBuf::from("x.rs"),
        "let s = reqwest::StatusCode::OK;".to_string(),
    )];
    assert_eq!(uses_crate(&files, "reqwest").len(), 1);
    let files = vec![(PathBuf::from("x.rs"), "let s = not_reqwest::X;".to_string())];
    assert!(uses_crate(&files, "reqwest").is_empty());
    for line in [
        "use reqwest;",
        "use reqwest as http;",
        "pub use reqwest as _;",
        "use {reqwest, url};",
    ] {
        let files = vec![(PathBuf::from("x.rs"), line.to_string())];
        assert_eq!(uses_crate(&files, "reqwest").len(), 1, "{line}");
    }
    for line in [
        "use reqwests;",
        "use crate::reqwest_like;",
        "// use reqwest;",
    ] {
        let files = vec![(PathBuf::from("x.rs"), line.to_string())];
        assert!(uses_crate(&files, "reqwest").is_empty(), "{line}");
    }
}
