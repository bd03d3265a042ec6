//! Whole builds of examples/hello-go: `xhost build` against `bench/baseline.sh`
//! (sequential and `xargs -P`), cold, unchanged and after editing one Go file, with
//! xhost's peak memory.
//!
//! Cold means nothing cached: a fresh xhost cache directory (Go's build cache lives in
//! it) and a fresh `GOCACHE` for the baseline. "Plugins compiled" is cold but for
//! xhost's compiled-plugin cache, as on any machine that has built once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use xhost::cache_layout::CacheLayout;

pub struct Setup {
    pub xhost: PathBuf,
    pub baseline: PathBuf,
    pub example: PathBuf,
    pub runs: usize,
    pub jobs: usize,
}

/// One measured row.
pub struct Row {
    pub name: &'static str,
    pub xhost: Duration,
    pub baseline_name: &'static str,
    pub baseline: Duration,
}

pub struct Results {
    pub rows: Vec<Row>,
    /// Where the first cold build's time went, from its trace.
    pub cold_trace: Vec<Spent>,
    pub peak_rss_cold: u64,
    pub peak_rss_warm: u64,
}

pub fn run(setup: &Setup) -> Result<Results> {
    let scratch = tempfile::tempdir()?;
    let project = scratch.path().join("project");
    copy_tree(&setup.example, &project)?;
    let _ = std::fs::remove_dir_all(project.join("dist"));
    let bench = Bench {
        setup,
        project: &project,
        scratch: scratch.path(),
    };

    let mut peak_cold = 0;
    let mut warm_cache = PathBuf::new();
    let trace = scratch.path().join("cold-trace.json");
    let cold = median(setup.runs, |n| {
        let cache = bench.fresh(&format!("cold-{n}"));
        let (time, rss) = bench.xhost_traced(&cache, (n == 0).then_some(trace.as_path()))?;
        peak_cold = peak_cold.max(rss);
        warm_cache = cache;
        Ok(time)
    })?;
    let compiled = median(setup.runs, |n| {
        let cache = bench.fresh(&format!("compiled-{n}"));
        copy_tree(
            &CacheLayout::at(&warm_cache).compiled(),
            &CacheLayout::at(&cache).compiled(),
        )?;
        Ok(bench.xhost(&cache)?.0)
    })?;
    let mut gocache = PathBuf::new();
    let sequential = median(setup.runs, |n| {
        gocache = bench.fresh(&format!("go-seq-{n}"));
        bench.baseline(&gocache, 1)
    })?;
    let parallel = median(setup.runs, |n| {
        bench.baseline(&bench.fresh(&format!("go-par-{n}")), setup.jobs)
    })?;

    // The cold builds above published with other caches: publish once with this one,
    // then build again as a user would, seconds later: past the 2-second window in
    // which fresh outputs' stamps are not trusted (within it they are read: see README).
    bench.xhost(&warm_cache)?;
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let mut peak_warm = 0;
    let quick_runs = setup.runs * 5;
    let unchanged = median(quick_runs, |_| {
        let (time, rss) = bench.xhost(&warm_cache)?;
        peak_warm = peak_warm.max(rss);
        Ok(time)
    })?;
    let baseline_unchanged = median(setup.runs, |_| bench.baseline(&gocache, 1))?;
    let edited = median(setup.runs, |n| {
        bench.edit(n)?;
        Ok(bench.xhost(&warm_cache)?.0)
    })?;
    let baseline_edited = median(setup.runs, |n| {
        bench.edit(100 + n)?;
        bench.baseline(&gocache, 1)
    })?;

    let cold_trace = where_the_time_goes(&trace)?;
    Ok(Results {
        cold_trace,
        rows: vec![
            Row {
                name: "cold build",
                xhost: cold,
                baseline_name: "baseline, sequential",
                baseline: sequential,
            },
            Row {
                name: "cold build",
                xhost: cold,
                baseline_name: "baseline, xargs -P",
                baseline: parallel,
            },
            Row {
                name: "cold, plugins compiled",
                xhost: compiled,
                baseline_name: "baseline, sequential",
                baseline: sequential,
            },
            Row {
                name: "no-change rebuild",
                xhost: unchanged,
                baseline_name: "baseline rebuild",
                baseline: baseline_unchanged,
            },
            Row {
                name: "one Go file edited",
                xhost: edited,
                baseline_name: "baseline rebuild",
                baseline: baseline_edited,
            },
        ],
        peak_rss_cold: peak_cold,
        peak_rss_warm: peak_warm,
    })
}

struct Bench<'a> {
    setup: &'a Setup,
    project: &'a Path,
    scratch: &'a Path,
}

impl Bench<'_> {
    fn fresh(&self, name: &str) -> PathBuf {
        self.scratch.join("caches").join(name)
    }

    /// One `xhost build` with cache directory `cache`: wall time and peak RSS (bytes).
    fn xhost(&self, cache: &Path) -> Result<(Duration, u64)> {
        self.xhost_traced(cache, None)
    }

    /// [`Self::xhost`], writing a trace to `trace` when given.
    fn xhost_traced(&self, cache: &Path, trace: Option<&Path>) -> Result<(Duration, u64)> {
        let mut command = Command::new(&self.setup.xhost);
        command.args(["build", "."]);
        if let Some(trace) = trace {
            command.arg("--trace").arg(trace);
        }
        command
            .arg("--dist")
            .arg(self.scratch.join("dist"))
            .current_dir(self.project)
            .env("XHOST_CACHE_DIR", cache)
            .env("XHOST_PLAIN", "1");
        run_measured(&mut command)
    }

    /// One baseline build with Go build cache `gocache`, `jobs` targets at once.
    fn baseline(&self, gocache: &Path, jobs: usize) -> Result<Duration> {
        let out = self.scratch.join("baseline-out");
        let _ = std::fs::remove_dir_all(&out);
        let mut command = Command::new("bash");
        command
            .arg(&self.setup.baseline)
            .arg(self.project)
            .arg(&out)
            .arg(jobs.to_string())
            .env("GOCACHE", gocache);
        Ok(run_measured(&mut command)?.0)
    }

    /// Changes one Go file (a new comment each time, so nothing can be reused).
    fn edit(&self, n: usize) -> Result<()> {
        let file = self.project.join("cmd/hello/main.go");
        let mut text = std::fs::read_to_string(&file)?;
        text.push_str(&format!("\n// edit {n}\n"));
        std::fs::write(&file, text)?;
        Ok(())
    }
}

/// Time spent on one kind of work in a traced build: a build phase, a stage (summed
/// over targets) or a program the stages ran.
pub struct Spent {
    pub what: String,
    pub count: usize,
    pub total: Duration,
}

/// The trace `xhost build --trace` wrote, summed: the build's phases in order, then
/// each stage and program by time spent (over all targets, so more than the wall
/// time when targets run at once).
fn where_the_time_goes(trace: &Path) -> Result<Vec<Spent>> {
    let text = std::fs::read(trace).with_context(|| format!("reading {}", trace.display()))?;
    let doc: Value = serde_json::from_slice(&text)?;
    let mut phases = Vec::new();
    let mut work: Vec<Spent> = Vec::new();
    for event in doc["traceEvents"].as_array().into_iter().flatten() {
        if event["ph"] != "X" {
            continue;
        }
        let dur = Duration::from_micros(event["dur"].as_u64().unwrap_or(0));
        let name = event["name"].as_str().unwrap_or("?");
        let what = match event["cat"].as_str().unwrap_or("?") {
            "build" => {
                phases.push(Spent {
                    what: format!("phase: {name}"),
                    count: 1,
                    total: dur,
                });
                continue;
            }
            // "compile linux/amd64" → the stage, over every target.
            "stage" => format!("stage {}", name.split(' ').next().unwrap_or(name)),
            "exec" => format!("program {name}"),
            other => format!("{other}: {}", name.split(' ').next().unwrap_or(name)),
        };
        match work.iter_mut().find(|s| s.what == what) {
            Some(spent) => {
                spent.count += 1;
                spent.total += dur;
            }
            None => work.push(Spent {
                what,
                count: 1,
                total: dur,
            }),
        }
    }
    work.sort_by_key(|spent| std::cmp::Reverse(spent.total));
    phases.extend(work);
    Ok(phases)
}

/// Runs `command`, returning its wall time and the peak RSS of its own process
/// (`VmHWM`, sampled until it exits; programs it starts are not counted).
pub fn run_measured(command: &mut Command) -> Result<(Duration, u64)> {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {command:?}"))?;
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Some(hwm) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| vm_hwm(&s))
        {
            peak = peak.max(hwm);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    if !status.success() {
        let mut stderr = String::new();
        use std::io::Read;
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        bail!("{command:?} failed ({status}):\n{stderr}");
    }
    Ok((elapsed, peak))
}

fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The median of `runs` measurements; `f` gets the run number.
pub fn median(runs: usize, mut f: impl FnMut(usize) -> Result<Duration>) -> Result<Duration> {
    let mut times = (0..runs.max(1)).map(&mut f).collect::<Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("{}", from.display()))? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

pub fn table(results: &Results) -> String {
    let mut out = format!(
        "{:<24} {:>10}   {:<22} {:>10} {:>9}\n",
        "build", "xhost", "against", "baseline", "ratio"
    );
    for row in &results.rows {
        out.push_str(&format!(
            "{:<24} {:>9.3}s   {:<22} {:>9.3}s {}\n",
            row.name,
            row.xhost.as_secs_f64(),
            row.baseline_name,
            row.baseline.as_secs_f64(),
            ratio(row.xhost.as_secs_f64() / row.baseline.as_secs_f64())
        ));
    }
    out.push_str(&format!(
        "peak RSS of xhost: {:.1} MiB cold, {:.1} MiB no-change\n",
        mib(results.peak_rss_cold),
        mib(results.peak_rss_warm)
    ));
    out.push_str("\nwhere the first cold build's time went (xhost build --trace):\n");
    for spent in &results.cold_trace {
        out.push_str(&format!(
            "  {:<34} {:>9.3}s  ({}x)\n",
            spent.what,
            spent.total.as_secs_f64(),
            spent.count
        ));
    }
    out
}

pub fn json(results: &Results) -> Value {
    json!({
        "rows": results.rows.iter().map(|r| json!({
            "build": r.name,
            "xhost_median_s": r.xhost.as_secs_f64(),
            "baseline": r.baseline_name,
            "baseline_median_s": r.baseline.as_secs_f64(),
            "time_ratio": r.xhost.as_secs_f64() / r.baseline.as_secs_f64(),
        })).collect::<Vec<_>>(),
        "peak_rss_mib": { "cold": mib(results.peak_rss_cold), "no_change": mib(results.peak_rss_warm) },
        "cold_trace": results.cold_trace.iter().map(|s| json!({
            "what": s.what,
            "count": s.count,
            "total_s": s.total.as_secs_f64(),
        })).collect::<Vec<_>>(),
    })
}

/// A time ratio; far below 1 also as "N× faster", which reads better than 0.002x.
pub fn ratio(ratio: f64) -> String {
    if ratio < 0.1 {
        format!("{ratio:>8.4}x ({:.0}x faster)", 1.0 / ratio)
    } else {
        format!("{ratio:>8.2}x")
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 20) as f64
}
