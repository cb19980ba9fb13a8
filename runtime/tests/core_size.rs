//! The core stays small enough to read in one sitting: this names its files,
//! in the reading order of `lib.rs`'s tour, and counts their lines (`wc -l`:
//! comments and docs included, tests excluded, as they live in their own
//! files).

/// The core's files, in reading order: each uses only those before it.
const CORE: [&str; 13] = [
    "clock.rs",
    "wheel.rs",
    "wheel/list.rs",
    "task.rs",
    "raw.rs",
    "raw/queue.rs",
    "registry.rs",
    "hooks.rs",
    "executor.rs",
    "context.rs",
    "time.rs",
    "join.rs",
    "runtime.rs",
];

/// The budget issue 11 sets is 1,500 lines. The core is not there yet: this
/// ceiling is today's count, so it can only shrink; lower it as it does.
const CEILING: usize = 2_624;

#[test]
fn the_core_fits_its_budget() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/");
    let lines: usize = CORE
        .iter()
        .map(|file| {
            std::fs::read_to_string(format!("{dir}{file}"))
                .expect(file)
                .lines()
                .count()
        })
        .sum();
    println!("core: {lines} lines in {} files", CORE.len());
    assert!(
        lines <= CEILING,
        "core: {lines} lines, past its ceiling of {CEILING}"
    );
}

#[test]
fn each_core_file_uses_only_those_before_it() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/");
    let modules: Vec<&str> = CORE
        .iter()
        .map(|file| file.trim_end_matches(".rs"))
        .collect();
    for (at, file) in CORE.iter().enumerate() {
        let text = std::fs::read_to_string(format!("{dir}{file}")).expect(file);
        for later in &modules[at + 1..] {
            let module = later.split('/').next().expect("a module name");
            let own = file.starts_with(module);
            let used = text.contains(&format!("crate::{module}::"))
                || text.contains(&format!("crate::{module};"));
            assert!(
                own || !used,
                "{file} uses {module}, which comes after it in the tour"
            );
        }
    }
}

#[test]
fn the_core_depends_on_one_crate_as_architecture_md_says() {
    // ARCHITECTURE.md: "Its core depends on one crate, crossbeam-queue";
    // the io layer's dependencies are optional, turned on by its feature.
    let manifest = include_str!("../Cargo.toml");
    let section = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] section");
    let required: Vec<&str> = section
        .lines()
        .filter(|line| !line.starts_with('#') && line.contains(" = "))
        .filter(|line| !line.contains("optional = true"))
        .map(|line| line.split(' ').next().expect("a name"))
        .collect();
    assert_eq!(required, ["crossbeam-queue"]);
    let architecture = include_str!("../../ARCHITECTURE.md");
    assert!(architecture.contains("Its core depends on one crate, crossbeam-queue"));
}
