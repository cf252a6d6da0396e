//! The floors of `src/main.rs`'s module doc hold: no module uses (`crate::…`) a module of a higher floor.

use std::collections::BTreeMap;
use std::path::Path;

/// Module name → floor, read from the numbered list in `src/main.rs`'s `//!` lines.
fn floors(main: &str) -> BTreeMap<String, usize> {
    let mut floors = BTreeMap::new();
    for line in main.lines().filter_map(|l| l.strip_prefix("//! ")) {
        let Some((number, rest)) = line.split_once(". ") else {
            continue;
        };
        let Ok(floor) = number.trim().parse::<usize>() else {
            continue;
        };
        let names = rest.split(':').next().unwrap_or("");
        for name in names.split(',') {
            let name = name.trim().trim_matches('`');
            if !name.is_empty() {
                floors.insert(name.to_string(), floor);
            }
        }
    }
    floors
}

/// Each `crate::name` that `text` refers to.
fn uses(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(i, m)| {
            text[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn no_module_uses_a_higher_floor() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let main = std::fs::read_to_string(src.join("main.rs")).unwrap();
    let floors = floors(&main);
    assert!(floors.len() >= 15, "floors read from main.rs: {floors:?}");
    let mut problems = Vec::new();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path == src.join("main.rs") {
            continue;
        }
        files += 1;
        let rel = path.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        let Some(&own) = floors.get(&module) else {
            problems.push(format!(
                "src/{}: module {module} has no floor in main.rs",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        for used in uses(&text) {
            match floors.get(&used) {
                Some(&floor) if floor > own => problems.push(format!(
                    "src/{}: {module} (floor {own}) uses crate::{used} (floor {floor})",
                    rel.display()
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "src/{}: crate::{used} has no floor in main.rs",
                    rel.display()
                )),
            }
        }
    }
    assert!(files > 40, "only {files} source files read");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
