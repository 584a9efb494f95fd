//! The plan of the house, checked: every `crate::…` path in `src` (a `use` or a path
//! in code; comments aside) must be an arrow that the table of `docs/ARCHITECTURE.md`
//! allows, and the arrows found must form no circle. A module the table does not name
//! fails too, so a new module gets its row before it gets its imports.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use crate::{api_test, house::rust_files};

/// The binary's modules: `crate::` in them names the binary crate, which reaches the
/// library as `socialgate::`.
const BINARY: [&str; 5] = ["main", "cli", "commands", "telemetry", "otlp"];

/// `module → the modules it may import`, read from the table under the heading
/// "What may import what".
fn table(doc: &str) -> BTreeMap<String, BTreeSet<String>> {
    let section = doc
        .split("## What may import what")
        .nth(1)
        .expect("docs/ARCHITECTURE.md has the section \"What may import what\"");
    let mut allowed = BTreeMap::new();
    for row in section.lines().take_while(|l| !l.starts_with("## ")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells.len() < 4 || !cells[1].starts_with('`') {
            continue;
        }
        let module = cells[1].trim_matches('`').to_owned();
        let targets = cells[3]
            .split(',')
            .map(|t| t.trim().trim_matches('`').to_owned())
            .filter(|t| !t.is_empty() && t != "nothing")
            .collect();
        allowed.insert(module, targets);
    }
    allowed
}

/// The root's private parts: `Socialgate`'s builder and its serving, one module with
/// `lib.rs` as far as the plan is concerned.
const ROOT: [&str; 3] = ["lib", "builder", "serving"];

/// The top-level module a file of `src` belongs to (`lib` for the root's files).
fn module_of(relative: &Path) -> String {
    let first = relative
        .components()
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .unwrap_or_default();
    let module = first.strip_suffix(".rs").unwrap_or(first);
    match ROOT.contains(&module) {
        true => "lib".to_owned(),
        false => module.to_owned(),
    }
}

/// Every module a source text names after `crate::`, with its line. Names that are
/// not lower case (`crate::Socialgate`, `crate::AppResult`) are the root's items.
fn arrows(text: &str) -> Vec<(usize, String)> {
    let code: String = text
        .lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "\n".to_owned(),
            false => format!("{l}\n"),
        })
        .collect();
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[at + "crate::".len()..];
        let names = match rest.strip_prefix('{') {
            Some(tree) => first_segments(tree),
            None => vec![identifier(rest)],
        };
        for name in names.into_iter().filter(|n| !n.is_empty()) {
            let root_item = !name.starts_with(|c: char| c.is_ascii_lowercase());
            found.push((line, if root_item { "lib".into() } else { name }));
        }
    }
    found
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The first segment of each path of a use tree's braces (`{a::b, c::{d, e}}` → a, c).
fn first_segments(tree: &str) -> Vec<String> {
    let (mut depth, mut expecting, mut names) = (1usize, true, Vec::new());
    let mut chars = tree.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => break,
            '}' => depth -= 1,
            ',' if depth == 1 => expecting = true,
            c if depth == 1 && expecting && (c.is_alphanumeric() || c == '_') => {
                let name = identifier(&tree[i..]);
                for _ in 1..name.chars().count() {
                    chars.next();
                }
                names.push(name);
                expecting = false;
            }
            _ => {}
        }
    }
    names
}

/// A circle among `edges`, if any, as the modules along it.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        at: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == at) {
            let mut found = path[start..].to_vec();
            found.push(at.to_owned());
            return Some(found);
        }
        if !done.insert(at.to_owned()) {
            return None;
        }
        path.push(at.to_owned());
        for next in edges.get(at).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|m| visit(m, edges, &mut Vec::new(), &mut done))
}

api_test!(sync imports_follow_the_table_and_form_no_circle);
fn imports_follow_the_table_and_form_no_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).expect("doc");
    let allowed = table(&doc);
    assert!(allowed.len() > 15, "the table was read: {allowed:?}");
    assert_eq!(circle(&allowed), None, "the table itself has a circle");
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let (mut refused, mut edges) = (Vec::new(), BTreeMap::<String, BTreeSet<String>>::new());
    for path in &files {
        let relative = path.strip_prefix(root.join("src")).expect("under src");
        let from = module_of(relative);
        let Some(may) = allowed.get(&from) else {
            refused.push(format!(
                "src/{}: module `{from}` has no row",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(path).expect("source");
        for (line, to) in arrows(&text) {
            if to == from || (BINARY.contains(&from.as_str()) != BINARY.contains(&to.as_str())) {
                continue;
            }
            if !may.contains(&to) {
                refused.push(format!(
                    "src/{}:{line}: `{from}` → `{to}`",
                    relative.display()
                ));
            }
            edges.entry(from.clone()).or_default().insert(to);
        }
    }
    assert!(edges.len() > 15, "the walk found the imports: {edges:?}");
    assert!(
        refused.is_empty(),
        "arrows the table does not allow:\n{}",
        refused.join("\n")
    );
    assert_eq!(circle(&edges), None, "the imports form a circle");
}

api_test!(sync the_reader_finds_use_trees_paths_and_circles);
fn the_reader_finds_use_trees_paths_and_circles() {
    let text = "use crate::{\n    a::b,\n    c::{d, e::{f}},\n    Root,\n};\n// crate::hidden\nfn x() { crate::g::h(); }\n";
    let found: Vec<(usize, String)> = arrows(text);
    let expected: Vec<(usize, String)> = [(1, "a"), (1, "c"), (1, "lib"), (7, "g")]
        .into_iter()
        .map(|(l, m)| (l, m.to_owned()))
        .collect();
    assert_eq!(found, expected);
    let edges: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(f, t)| (f.to_owned(), BTreeSet::from([t.to_owned()])))
        .collect();
    assert_eq!(
        circle(&edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
