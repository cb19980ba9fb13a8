//! The timeline as an SVG picture, written by hand: a few rectangles, lines
//! and labels need no drawing library.
//!
//! Runs are stacked top to bottom on one shared time axis in units. Each
//! thread is a lane; each task a row on it: solid blue while polled, hatched
//! while waiting, teal while waiting on I/O (hover for what), its name on the bar. Log lines are dark diamonds (hover
//! for the message). A stall is a red band across its lane, labelled
//! `loop blocked 3.0 units by THREE`.

use super::{Picture, Row};
use axis::{draw_axis, draw_legend};
use std::fmt::Write as _;
use std::time::Duration;

mod axis;

/// The picture's width in pixels.
const WIDTH: f64 = 1100.0;
/// Room on the left for row names.
const LEFT: f64 = 120.0;
/// Room on the right, so the last tick label fits.
const RIGHT: f64 = 40.0;
/// A row's height.
const ROW: f64 = 18.0;
/// The gap under a row.
const GAP: f64 = 5.0;
/// A lane's header: the thread's name, and a stall's label.
const LANE_HEADER: f64 = 22.0;
/// A run's header: its title.
const RUN_HEADER: f64 = 30.0;
/// The blue of a running (polled) task.
const RUNNING: &str = "#1f6feb";
/// The teal of a wait on I/O.
const IO: &str = "#8fd3c8";
/// The red of a stall.
const STALL: &str = "#d1242f";

/// The SVG of `pictures`, stacked, with a time axis in units of `unit`.
pub fn render(pictures: &[Picture], unit: Duration) -> String {
    let longest = pictures.iter().map(|picture| picture.total).max();
    let units = longest.unwrap_or_default().as_secs_f64() / unit.as_secs_f64();
    let axis_units = units.ceil().max(1.0);
    let scale = Scale {
        unit: unit.as_secs_f64(),
        per_unit: (WIDTH - LEFT - RIGHT) / axis_units,
    };
    let mut body = String::new();
    let mut y = 10.0;
    for picture in pictures {
        y = draw_picture(&mut body, picture, &scale, y);
    }
    let axis_y = y + 6.0;
    let height = axis_y + 70.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <defs><pattern id=\"waiting\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#dbe9ff\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9cc0f5\" stroke-width=\"2\"/>\
         </pattern></defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    draw_axis(&mut svg, &scale, axis_units, axis_y, unit);
    svg += &body;
    draw_legend(&mut svg, axis_y + 48.0);
    svg += "</svg>\n";
    svg
}

/// Where a time goes on the x axis.
struct Scale {
    /// Seconds per unit.
    unit: f64,
    /// Pixels per unit.
    per_unit: f64,
}

impl Scale {
    /// The x of `at`.
    fn x(&self, at: Duration) -> f64 {
        LEFT + at.as_secs_f64() / self.unit * self.per_unit
    }

    /// `duration` in units.
    fn units(&self, duration: Duration) -> f64 {
        duration.as_secs_f64() / self.unit
    }
}

/// Draws one run from `y` down; returns the y below it.
fn draw_picture(svg: &mut String, picture: &Picture, scale: &Scale, mut y: f64) -> f64 {
    let total = scale.units(picture.total);
    let title = escape(&format!("{} — {total:.2} units", picture.title));
    let _ = writeln!(
        svg,
        "<text class=\"run\" x=\"8\" y=\"{:.1}\" font-size=\"15\" font-weight=\"bold\">{title}</text>",
        y + 18.0
    );
    y += RUN_HEADER;
    for lane in &picture.lanes {
        let top = y;
        let lane_height = LANE_HEADER + lane.rows.len() as f64 * (ROW + GAP);
        let _ = writeln!(
            svg,
            "<g class=\"lane\" data-thread=\"{thread}\"><rect x=\"4\" y=\"{top:.1}\" width=\"{w:.1}\" \
             height=\"{lane_height:.1}\" fill=\"#f6f8fa\" stroke=\"#d0d7de\"/>\
             <text x=\"10\" y=\"{:.1}\" font-weight=\"bold\" fill=\"#57606a\">thread {thread}</text>",
            top + 15.0,
            thread = escape(&lane.thread),
            w = WIDTH - 8.0,
        );
        y += LANE_HEADER;
        for row in &lane.rows {
            draw_row(svg, row, scale, y);
            y += ROW + GAP;
        }
        for stall in &lane.stalls {
            let (x0, x1) = (scale.x(stall.begin), scale.x(stall.end));
            let label = format!(
                "loop blocked {:.1} units by {}",
                scale.units(stall.held()),
                stall.task
            );
            let _ = writeln!(
                svg,
                "<rect class=\"stall\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
                 fill=\"{STALL}\" fill-opacity=\"0.16\" stroke=\"{STALL}\" stroke-width=\"2\"/>\
                 <text class=\"stall-label\" x=\"{:.1}\" y=\"{:.1}\" fill=\"{STALL}\" \
                 font-weight=\"bold\" text-anchor=\"middle\" stroke=\"white\" stroke-width=\"3\" \
                 paint-order=\"stroke\">{}</text>",
                top + 2.0,
                (x1 - x0).max(2.0),
                lane_height - 4.0,
                (x0 + x1) / 2.0,
                top + 15.0,
                escape(&label)
            );
        }
        svg.push_str("</g>\n");
        y += 6.0;
    }
    y + 4.0
}

/// Draws one row (a task) at `y`.
fn draw_row(svg: &mut String, row: &Row, scale: &Scale, y: f64) {
    let name = escape(&row.name);
    let _ = write!(
        svg,
        "<g class=\"row\" data-task=\"{name}\"><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{name}</text>",
        LEFT - 8.0,
        y + 13.0
    );
    for segment in &row.segments {
        let (x0, x1) = (scale.x(segment.begin), scale.x(segment.end));
        // A poll of a few microseconds is still drawn, one pixel wide.
        let width = (x1 - x0).max(if segment.running { 1.5 } else { 0.0 });
        if width <= 0.0 {
            continue;
        }
        let (class, fill) = match (segment.running, &segment.waits_on) {
            (true, _) => ("running", RUNNING),
            (false, Some(_)) => ("io", IO),
            (false, None) => ("waiting", "url(#waiting)"),
        };
        // Hovering an I/O wait says what it waited on.
        let title = segment
            .waits_on
            .as_deref()
            .map_or_else(String::new, |what| {
                format!("<title>waiting on {}</title>", escape(what))
            });
        let _ = write!(
            svg,
            "<rect class=\"{class}\" x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{ROW}\" \
             fill=\"{fill}\">{title}</rect>"
        );
    }
    let (begin, _) = row.extent();
    let _ = write!(
        svg,
        "<text class=\"task-name\" x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\" fill=\"#0b2f66\" \
         stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{name}</text>",
        scale.x(begin) + 4.0,
        y + 13.0
    );
    for (due, ran) in &row.late {
        // Where the sleep was due, and a bracket to when the task ran.
        let (x0, x1, middle) = (scale.x(*due), scale.x(*ran), y + ROW / 2.0);
        let late = format!("{:.1} late", scale.units(ran.saturating_sub(*due)));
        let _ = write!(
            svg,
            "<g class=\"late\"><line x1=\"{x0:.1}\" y1=\"{middle:.1}\" x2=\"{x1:.1}\" y2=\"{middle:.1}\" \
             stroke=\"#bc4c00\" stroke-width=\"2\"/><circle cx=\"{x0:.1}\" cy=\"{middle:.1}\" r=\"4\" \
             fill=\"white\" stroke=\"#bc4c00\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\" \
             fill=\"#bc4c00\" font-weight=\"bold\">due here; ran {late}</text></g>",
            x1 + 8.0,
            y + 13.0
        );
    }
    for (at, message) in &row.marks {
        let (x, middle) = (scale.x(*at), y + ROW / 2.0);
        let _ = write!(
            svg,
            "<path class=\"log\" d=\"M{x:.1} {:.1} l4 5 l-4 5 l-4 -5 z\" fill=\"#24292f\" \
             stroke=\"white\"><title>{}</title></path>",
            middle - 5.0,
            escape(message)
        );
    }
    svg.push_str("</g>\n");
}

/// Escapes text for XML.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            other => escaped.push(other),
        }
    }
    escaped
}
