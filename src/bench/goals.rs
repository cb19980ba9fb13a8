//! minirt's performance goals from issue 4, checked against a run's
//! medians: each goal is a ratio (or an absolute value) and a limit.
//!
//! `concur bench` prints these after the tables of the suites that ran, so
//! a reader sees "met" or "missed" with the number, not only the tables.

use super::report::SuiteReport;

/// One goal and what the run measured for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// What is compared, such as "timers 1M overhead, minirt ÷ smol".
    pub what: &'static str,
    /// The measured value; `None` if the run did not measure it.
    pub value: Option<f64>,
    /// The limit the value must not pass.
    pub limit: f64,
    /// True when larger values are better (a speedup), so the value must
    /// reach the limit instead of staying under it.
    pub at_least: bool,
}

impl Goal {
    /// Whether the goal is met; `None` if unmeasured.
    pub fn met(&self) -> Option<bool> {
        let value = self.value?;
        Some(if self.at_least {
            value >= self.limit
        } else {
            value <= self.limit
        })
    }
}

/// Every goal the `reports` can speak to.
pub fn check(reports: &[SuiteReport]) -> Vec<Goal> {
    let find = |suite: &str| reports.iter().find(|report| report.suite == suite);
    let ratio = |suite: &str, n: usize, metric: &str, other: &str| {
        let report = find(suite)?;
        let minirt = report.median("minirt", n, metric)?;
        let other = report.median(other, n, metric)?;
        (other > 0.0).then(|| minirt / other)
    };
    let value = |suite: &str, backend: &str, n: usize, metric: &str| {
        find(suite)?.median(backend, n, metric)
    };
    let speedup = |backend: &str| {
        let sort = find("sort")?;
        let n = sort.results.first()?.n;
        Some(sort.median("sync", n, "wall_ms")? / sort.median(backend, n, "wall_ms")?)
    };
    let goal = |what, value, limit| Goal {
        what,
        value,
        limit,
        at_least: false,
    };
    let mut goals = vec![
        goal(
            "timers 1M overhead, minirt ÷ smol",
            ratio("timers", 1_000_000, "overhead_ms", "smol"),
            0.4,
        ),
        goal(
            "timers 1M CPU, minirt ÷ smol",
            ratio("timers", 1_000_000, "cpu_ms", "smol"),
            0.6,
        ),
        goal(
            "timers 1M peak RSS, minirt ÷ smol",
            ratio("timers", 1_000_000, "rss_mib", "smol"),
            1.0,
        ),
        goal(
            "timers 100k CPU, minirt ÷ smol",
            ratio("timers", 100_000, "cpu_ms", "smol"),
            0.5,
        ),
        goal(
            "spawn 1M ns/task, minirt ÷ smol",
            ratio("spawn", 1_000_000, "ns_per_task", "smol"),
            0.8,
        ),
        goal(
            "pingpong 1M ns/round trip, minirt ÷ tokio",
            ratio("pingpong", 1_000_000, "ns_per_round_trip", "tokio"),
            1.0,
        ),
        goal(
            "precision 1 ms p50 (µs), minirt",
            value("precision", "minirt", 1000, "p50_us"),
            50.0,
        ),
        goal(
            "precision 1 ms p99 (µs), minirt",
            value("precision", "minirt", 1000, "p99_us"),
            150.0,
        ),
        goal(
            "precision CPU, minirt ÷ smol",
            ratio("precision", 1000, "cpu_ms", "smol"),
            1.0,
        ),
        goal(
            "memory 1M B/pending task, minirt ÷ smol",
            ratio("memory", 1_000_000, "bytes_per_pending_task", "smol"),
            1.0,
        ),
        goal(
            "memory 1M B/sleeping task, minirt ÷ smol",
            ratio("memory", 1_000_000, "bytes_per_sleeping_task", "smol"),
            0.9,
        ),
    ];
    for (what, backend) in [
        ("sort speedup, rayon ÷ sync", "rayon"),
        ("sort speedup, threads ÷ sync", "threads"),
    ] {
        goals.push(Goal {
            what,
            value: speedup(backend),
            limit: 1.85,
            at_least: true,
        });
    }
    goals.extend(net_goals(&ratio, &value));
    goals.retain(|goal| goal.value.is_some());
    goals
}

/// Issue 13's goals for suite 8, each against tokio's current-thread
/// runtime in the same run: at 100 and 1,000 connections, no more server
/// CPU per request, no fewer requests per second and no higher p99; no
/// more system calls per request; at most half the bytes per idle
/// connection; no error at 10,000 connections; and the 1 ms sleeps of a
/// loop serving 1,000 connections on time.
fn net_goals(
    ratio: &dyn Fn(&str, usize, &str, &str) -> Option<f64>,
    value: &dyn Fn(&str, &str, usize, &str) -> Option<f64>,
) -> Vec<Goal> {
    let tokio = |n, metric| ratio("net", n, metric, "tokio");
    let goal = |what, value, limit, at_least| Goal {
        what,
        value,
        limit,
        at_least,
    };
    vec![
        goal(
            "net 100 conns CPU/request, minirt ÷ tokio",
            tokio(100, "cpu_ns_per_request"),
            1.0,
            false,
        ),
        goal(
            "net 100 conns req/s, minirt ÷ tokio",
            tokio(100, "requests_per_s"),
            1.0,
            true,
        ),
        goal(
            "net 100 conns p99, minirt ÷ tokio",
            tokio(100, "p99_us"),
            1.0,
            false,
        ),
        goal(
            "net 1k conns CPU/request, minirt ÷ tokio",
            tokio(1_000, "cpu_ns_per_request"),
            1.0,
            false,
        ),
        goal(
            "net 1k conns req/s, minirt ÷ tokio",
            tokio(1_000, "requests_per_s"),
            1.0,
            true,
        ),
        goal(
            "net 1k conns p99, minirt ÷ tokio",
            tokio(1_000, "p99_us"),
            1.0,
            false,
        ),
        goal(
            "net syscalls/request, minirt ÷ tokio",
            tokio(100, "syscalls_per_request"),
            1.0,
            false,
        ),
        goal(
            "net 10k B/idle conn, minirt ÷ tokio",
            tokio(10_000, "bytes_per_idle_connection"),
            0.5,
            false,
        ),
        goal(
            "net 10k conns errors, minirt",
            value("net", "minirt", 10_000, "errors"),
            0.0,
            false,
        ),
        goal(
            "timers under load p50 (µs), minirt",
            value("net", "minirt", 1_000, "timer_p50_us"),
            50.0,
            false,
        ),
        goal(
            "timers under load p99 (µs), minirt",
            value("net", "minirt", 1_000, "timer_p99_us"),
            200.0,
            false,
        ),
    ]
}

/// The goals as lines: value, limit, met or missed.
pub fn render(goals: &[Goal]) -> String {
    let mut text = String::from("minirt's goals (issues 4 and 13), from this run's medians:\n");
    for goal in goals {
        let value = goal
            .value
            .map_or("-".to_string(), |value| format!("{value:.2}"));
        let sign = if goal.at_least { "≥" } else { "≤" };
        let verdict = match goal.met() {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "not measured",
        };
        text += &format!(
            "  {:<46} {value:>8}  (goal {sign} {})  {verdict}\n",
            goal.what, goal.limit
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{check, Goal};
    use crate::bench::report::SuiteReport;
    use crate::bench::runner::Row;

    /// Suite 8's goals divide minirt by tokio at the same size, and read
    /// minirt's own errors and timer lateness; unmeasured ones are left out.
    #[test]
    fn net_goals_are_ratios_against_tokio() {
        let row = |backend: &str, n, metric: &str, median| Row {
            backend: backend.into(),
            n,
            metric: metric.into(),
            median,
            min: median,
            max: median,
            unit: "",
        };
        let report = SuiteReport {
            suite: "net",
            results: vec![
                row("minirt", 100, "cpu_ns_per_request", 2.0),
                row("tokio", 100, "cpu_ns_per_request", 4.0),
                row("minirt", 100, "requests_per_s", 90.0),
                row("tokio", 100, "requests_per_s", 100.0),
                row("minirt", 10_000, "errors", 0.0),
                row("minirt", 1_000, "timer_p99_us", 250.0),
            ],
            notes: vec![],
        };
        let goals = check(&[report]);
        let find = |what: &str| goals.iter().find(|goal| goal.what == what).cloned();
        let cpu = find("net 100 conns CPU/request, minirt ÷ tokio").unwrap();
        assert_eq!((cpu.value, cpu.met()), (Some(0.5), Some(true)));
        let rate = find("net 100 conns req/s, minirt ÷ tokio").unwrap();
        assert_eq!((rate.value, rate.met()), (Some(0.9), Some(false)));
        assert_eq!(
            find("net 10k conns errors, minirt").unwrap().met(),
            Some(true)
        );
        let late = find("timers under load p99 (µs), minirt").unwrap();
        assert_eq!(late.met(), Some(false));
        assert!(
            find("net 1k conns p99, minirt ÷ tokio").is_none(),
            "not measured"
        );
    }

    /// A speedup must reach its limit; a cost must stay under it.
    #[test]
    fn met_depends_on_direction() {
        let cost = Goal {
            what: "x",
            value: Some(0.5),
            limit: 0.4,
            at_least: false,
        };
        let speed = Goal {
            what: "y",
            value: Some(1.9),
            limit: 1.85,
            at_least: true,
        };
        assert_eq!((cost.met(), speed.met()), (Some(false), Some(true)));
        assert_eq!(
            Goal {
                value: None,
                ..cost
            }
            .met(),
            None
        );
    }
}
