//! `concur timeline`: run a scenario and draw who ran when, as SVG or as a
//! Unicode Gantt chart in the terminal (the default).

use super::args::{parse_backend, parse_scenario};
use super::commands::{
    available, check_output_path, check_python_sort, chosen_backends, io_sizes, sort_options,
};
use super::interrupt::{Interrupt, OnSignal};
use super::CommonArgs;
use crate::output::console::say;
use crate::scenario::{self, Scenario};
use crate::sort;
use crate::timeline::{svg, text, Picture};
use crate::units::{parse_stall_threshold, parse_unit};
use clap::Args;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

/// `concur timeline`.
#[derive(Debug, Args)]
pub(super) struct TimelineArgs {
    /// The scenario (see `concur list`).
    #[arg(value_parser = parse_scenario)]
    scenario: &'static dyn Scenario,
    /// Draw this backend (repeatable; stacked on one time axis); default:
    /// every one the scenario applies to.
    #[arg(long = "backend", short, value_name = "BACKEND", value_parser = parse_backend)]
    backends: Vec<&'static str>,
    /// How long the article's one second lasts (1ms..10s).
    #[arg(long, value_name = "DURATION", default_value = "100ms", value_parser = parse_unit)]
    unit: Duration,
    /// Write an SVG picture to this file.
    #[arg(long, value_name = "PATH", conflicts_with = "text")]
    svg: Option<PathBuf>,
    /// Print a Unicode Gantt chart (the default when no file is named).
    #[arg(long)]
    text: bool,
    /// Draw polls this long or longer as stalls [default: 100ms, at most half a unit].
    #[arg(long, value_name = "DURATION", value_parser = parse_stall_threshold)]
    stall_threshold: Option<Duration>,
    /// Common options.
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs the scenario on each chosen backend, then draws them all.
pub(super) fn timeline(args: &TimelineArgs) -> anyhow::Result<()> {
    let backends = chosen_backends(args.scenario, &args.backends, &args.common)?;
    if let Some(path) = &args.svg {
        check_output_path("--svg", path)?;
    }
    let sort = sort_options(&args.common, sort::DEFAULT_LISTS, sort::DEFAULT_LEN)?;
    check_python_sort(args.scenario, &backends, &sort)?;
    let backends = available(backends);
    let options = scenario::Options {
        unit: args.unit,
        echo: false,
        sort,
        io: io_sizes(&args.common),
    };
    // Nothing to keep from half the runs: a signal kills the children (A3's
    // watchdog child) and ends the command.
    let interrupt = Interrupt::watch(OnSignal::Exit);
    let mut pictures = Vec::new();
    for backend in &backends {
        // A run whose child the signal killed fails; the signal is the
        // cause, and it still ends the command with 128 + its number.
        let run =
            scenario::run(args.scenario, backend, &options).map_err(|error| {
                match interrupt.error("nothing was drawn") {
                    Some(stopped) => anyhow::Error::from(stopped),
                    None => error,
                }
            })?;
        pictures.push(Picture::of(&run, args.stall_threshold));
    }
    match &args.svg {
        Some(path) => {
            crate::output::write(path, svg::render(&pictures, args.unit).as_bytes())?;
            // Progress, not output: stdout stays empty when a file is named.
            let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
            Ok(())
        }
        None => say(text::render(&pictures, args.unit).trim_end()),
    }
}
