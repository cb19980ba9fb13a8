//! Timelines: the SVG is well-formed XML with a lane per thread, a row per
//! task, running segments, and the stall labelled; the text chart too.

use super::support::run;
use concur::timeline::{svg, text, Picture};
use std::time::Duration;

/// The article's unit: on the virtual clock it costs nothing.
const UNIT: Duration = Duration::from_secs(1);

/// One element of the SVG: its name, attributes and first text.
#[derive(Debug)]
struct Element {
    /// The tag name.
    name: String,
    /// `name="value"` pairs, in order.
    attributes: Vec<(String, String)>,
    /// The text right after the opening tag.
    text: String,
}

impl Element {
    /// The value of attribute `key`, if set.
    fn get(&self, key: &str) -> Option<&str> {
        let found = self.attributes.iter().find(|(name, _)| name == key);
        found.map(|(_, value)| value.as_str())
    }
}

/// A tiny XML reader, enough for our own SVG: checks that every tag is
/// closed in order and every attribute quoted, and lists the elements.
fn parse(xml: &str) -> Vec<Element> {
    let (mut open, mut elements) = (Vec::<String>::new(), Vec::new());
    let mut rest = xml.trim();
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        assert!(!text.contains('>'), "stray '>' in text {text:?}");
        let end = rest[start..].find('>').expect("every tag ends") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop().as_deref(), Some(name), "closing tags nest");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attributes_text) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut attributes = Vec::new();
        while let Some((key, after)) = attributes_text.split_once("=\"") {
            let (value, after) = after.split_once('"').expect("attribute values are quoted");
            attributes.push((key.trim().to_string(), value.to_string()));
            attributes_text = after;
        }
        assert!(
            attributes_text.trim().is_empty(),
            "unquoted attribute in <{tag}>"
        );
        let text = rest[..rest.find('<').unwrap_or(rest.len())].to_string();
        elements.push(Element {
            name: name.to_string(),
            attributes,
            text,
        });
        if !self_closing {
            open.push(name.to_string());
        }
    }
    assert!(open.is_empty(), "unclosed tags: {open:?}");
    elements
}

#[test]
fn the_blocking_svg_shows_lanes_tasks_and_the_stall() {
    let run = run("blocking", "minirt", UNIT, true);
    let svg = svg::render(&[Picture::of(&run, None)], UNIT);
    let elements = parse(&svg);
    assert_eq!(elements[0].name, "svg");
    let with_class = |class: &str| {
        let mut found = elements.iter().filter(|e| e.get("class") == Some(class));
        found.by_ref().count()
    };
    let lanes: Vec<&str> = elements
        .iter()
        .filter_map(|e| e.get("data-thread"))
        .collect();
    assert_eq!(lanes, ["MainThread"], "one thread: one lane");
    let tasks: Vec<&str> = elements.iter().filter_map(|e| e.get("data-task")).collect();
    assert_eq!(tasks, ["main", "ONE", "TWO", "THREE", "FOUR", "FIVE"]);
    assert!(with_class("running") >= 6, "every task was polled");
    assert!(with_class("waiting") >= 5, "and waited");
    let names: Vec<&str> = (elements.iter())
        .filter(|e| e.get("class") == Some("task-name"))
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(names, tasks, "task names are written on their bars");
    let label = elements
        .iter()
        .find(|e| e.get("class") == Some("stall-label"));
    let label = label.expect("the stall is labelled");
    assert_eq!(label.text, "loop blocked 3.0 units by THREE");
    assert_eq!(with_class("log"), 13, "one mark per log line");
    let ticks: Vec<&str> = (elements.iter())
        .filter(|e| e.get("class") == Some("tick"))
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(ticks, ["0", "1", "2", "3", "4", "5", "6", "7", "8"]);
    assert!(svg.contains("time in units (1 unit = 1s"));
}

#[test]
fn backends_stack_on_one_axis_and_threads_get_lanes() {
    let unit = Duration::from_millis(10);
    let threads = run("threads", "threads", unit, false);
    let gather = run("gather", "minirt", UNIT / 100, true);
    let pictures = [Picture::of(&threads, None), Picture::of(&gather, None)];
    let elements = parse(&svg::render(&pictures, unit));
    let lanes: Vec<&str> = elements
        .iter()
        .filter_map(|e| e.get("data-thread"))
        .collect();
    let mut lanes = lanes;
    // The two threads start together: either may log first.
    lanes[1..3].sort_unstable();
    assert_eq!(lanes, ["MainThread", "Thread-1", "Thread-2", "MainThread"]);
    let runs = elements
        .iter()
        .filter(|e| e.get("class") == Some("run"))
        .count();
    assert_eq!(runs, 2);
}

#[test]
fn the_text_chart_names_the_stall() {
    let run = run("blocking", "minirt", UNIT, true);
    let chart = text::render(&[Picture::of(&run, None)], UNIT);
    assert!(chart.contains("loop blocked 3.0 units by THREE"), "{chart}");
    let three = chart
        .lines()
        .find(|line| line.trim_start().starts_with("THREE"));
    let three = three.expect("a row for THREE");
    // Polled for 3 of 8 units: about three eighths of the bar is solid.
    let solid = three.chars().filter(|c| *c == '█').count();
    assert!((20..=26).contains(&solid), "{three}");
}

#[test]
fn concur_timeline_draws_svg_or_text() {
    let concur = || std::process::Command::new(env!("CARGO_BIN_EXE_concur"));
    let args = ["timeline", "blocking", "--backend", "minirt", "--virtual"];
    let output = concur().args(args).output().expect("concur starts");
    assert!(output.status.success());
    let chart = String::from_utf8_lossy(&output.stdout);
    assert!(chart.contains("loop blocked 3.0 units by THREE"), "{chart}");
    let path = std::env::temp_dir().join(format!("concur-{}.svg", std::process::id()));
    let mut command = concur();
    command.args(args).arg("--svg").arg(&path);
    let status = command.stderr(std::process::Stdio::null()).status();
    assert!(status.expect("concur starts").success());
    let svg = std::fs::read_to_string(&path).expect("the SVG file");
    assert_eq!(parse(&svg)[0].name, "svg");
    std::fs::remove_file(path).expect("cleaned up");
}

#[test]
fn a_requests_timeline_says_who_waited_on_what() {
    // On a loop, each request's task waits on its response between polls;
    // on threads, each thread waits in its blocking call. Both are drawn
    // as waits on I/O, with what they waited on; main's wait is not I/O.
    for backend in ["minirt", "threads"] {
        let run = run("requests", backend, UNIT / 10, backend == "minirt");
        let picture = Picture::of(&run, None);
        let rows = picture.lanes.iter().flat_map(|lane| &lane.rows);
        let waits: Vec<&str> = rows
            .flat_map(|row| &row.segments)
            .filter_map(|segment| segment.waits_on.as_deref())
            .collect();
        for k in 1..=10 {
            let get = format!("GET /{k}");
            assert!(
                waits.contains(&get.as_str()),
                "{backend}: {get} in {waits:?}"
            );
        }
        let main = picture.lanes[0].rows.first().expect("main's row");
        let main_io = main.segments.iter().any(|s| s.waits_on.is_some());
        assert!(!main_io, "{backend}: main waits on its tasks, not on I/O");
        let elements = parse(&svg::render(std::slice::from_ref(&picture), UNIT / 10));
        let io = elements.iter().filter(|e| e.get("class") == Some("io"));
        assert!(io.count() >= 10, "{backend}: an I/O wait per request");
        let chart = text::render(&[picture], UNIT / 10);
        let request = chart.lines().find(|line| line.contains('▒'));
        assert!(request.is_some(), "{backend}: {chart}");
    }
}
