//! The frame around the timeline: the time axis in units, with grid lines,
//! and the key that says what solid, hatched, red and the marks mean.

use super::{escape, Scale, IO, LEFT, RUNNING, STALL};
use std::fmt::Write as _;
use std::time::Duration;

/// Draws the time axis at `y`, with grid lines up to the top.
pub(super) fn draw_axis(svg: &mut String, scale: &Scale, units: f64, y: f64, unit: Duration) {
    let step = if units > 20.0 { 5 } else { 1 };
    let last = units as u64;
    for tick in (0..=last).step_by(step) {
        let x = LEFT + tick as f64 * scale.per_unit;
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"6\" x2=\"{x:.1}\" y2=\"{y:.1}\" stroke=\"#d0d7de\" \
             stroke-dasharray=\"2 3\"/><text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" \
             text-anchor=\"middle\">{tick}</text>",
            y + 16.0
        );
    }
    let label = format!(
        "time in units (1 unit = {}; the article's second)",
        humantime::format_duration(unit)
    );
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#24292f\"/>\
         <text class=\"axis-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        LEFT + units * scale.per_unit,
        LEFT + units * scale.per_unit / 2.0,
        y + 34.0,
        escape(&label)
    );
}

/// Draws the key at `y`: what solid, hatched, red and a diamond mean.
pub(super) fn draw_legend(svg: &mut String, y: f64) {
    let _ = writeln!(
        svg,
        "<g class=\"legend\"><rect x=\"{LEFT}\" y=\"{y}\" width=\"24\" height=\"12\" fill=\"{RUNNING}\"/>\
         <text x=\"{}\" y=\"{}\">polled (running)</text>\
         <rect x=\"{}\" y=\"{y}\" width=\"24\" height=\"12\" fill=\"url(#waiting)\"/>\
         <text x=\"{}\" y=\"{}\">waiting (sleeping or ready)</text>\
         <rect x=\"{}\" y=\"{y}\" width=\"24\" height=\"12\" fill=\"{IO}\"/>\
         <text x=\"{}\" y=\"{}\">waiting on I/O</text>\
         <rect x=\"{}\" y=\"{y}\" width=\"24\" height=\"12\" fill=\"{STALL}\" fill-opacity=\"0.16\" \
         stroke=\"{STALL}\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">loop blocked</text>\
         <path d=\"M{} {y} l4 6 l-4 6 l-4 -6 z\" fill=\"#24292f\"/><text x=\"{}\" y=\"{}\">log line</text>\
         <circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"white\" stroke=\"#bc4c00\" stroke-width=\"2\"/>\
         <text x=\"{}\" y=\"{}\">sleep due, woke late</text></g>",
        LEFT + 30.0,
        y + 11.0,
        LEFT + 160.0,
        LEFT + 190.0,
        y + 11.0,
        LEFT + 370.0,
        LEFT + 400.0,
        y + 11.0,
        LEFT + 500.0,
        LEFT + 530.0,
        y + 11.0,
        LEFT + 640.0,
        LEFT + 650.0,
        y + 11.0,
        LEFT + 740.0,
        y + 6.0,
        LEFT + 750.0,
        y + 11.0,
    );
}
