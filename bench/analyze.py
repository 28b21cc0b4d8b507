#!/usr/bin/python3
"""Turns bench/run.sh's raw measurements into RESULTS.md and results.png.

Usage: analyze.py OUT_DIR RESULTS_MD CHART_PNG
OUT_DIR holds samples.tsv (scenario, system, metric, value, unit), notes.txt, machine.txt and,
for the recovery scenario, timeline.tsv, the request and ping loops and wgsidecar's JSON log.
"""
import json
import statistics
import sys
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

NEVER = float("inf")


def read_samples(out):
    samples = defaultdict(list)  # (scenario, system, metric) -> [values]
    units = {}
    for line in (out / "samples.tsv").read_text().splitlines():
        scenario, system, metric, value, unit = line.split("\t")
        samples[(scenario, system, metric)].append(value)
        units[(scenario, metric)] = unit
    return samples, units


def read_loop(path):
    rows = []
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2:
                rows.append((float(parts[0]), parts[1]))
    return rows


def log_times(path, prefix):
    """Times of wgsidecar's warn lines starting with prefix (its log has millisecond stamps):
    a recovery step or failing gating checks, whichever says first that something is wrong."""
    times = []
    if not path.exists():
        return times
    for raw in path.read_text().splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if line.get("level") == "warn" and line.get("msg", "").startswith(prefix):
            stamp = datetime.strptime(line["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
            times.append(stamp.timestamp())
    return times


def heal_after(rows, ok, t0, t_from, t_end):
    """Seconds from t_from to the first good sample after the fault was seen (or t_from)."""
    window = [(t, v) for t, v in rows if t0 < t <= t_end]
    first_bad = next((t for t, v in window if not ok(v)), None)
    start = max(t_from, first_bad) if first_bad else t_from
    good = next((t for t, v in window if t > start and ok(v)), None)
    return NEVER if good is None else good - t_from


def recovery_samples(out, samples, units):
    timeline = out / "timeline.tsv"
    if not timeline.exists():
        return
    notices = log_times(out / "logs" / "recovery-wgsidecar.log", "")
    for line in timeline.read_text().splitlines():
        _, fault, t0, t1, t_end = line.split("\t")
        t0, t1, t_end = float(t0), float(t1), float(t_end)
        t_from = t1 if fault == "udp" else t0
        scenario = f"recovery:{fault}"
        for system in ("wgsidecar", "seed"):
            pings = read_loop(out / f"pings-{system}.txt")
            requests = read_loop(out / f"requests-{system}.txt")
            notice = NEVER
            if system == "wgsidecar":
                notice = next((t - t0 for t in notices if t0 - 0.001 <= t <= t_end), NEVER)
            waited = t_end - t_from
            values = {
                "notice": (notice, t_end - t0),
                "heal_tunnel": (heal_after(pings, lambda v: v == "1", t0, t_from, t_end), waited),
                "heal_app": (heal_after(requests, lambda v: v == "200", t0, t_from, t_end), waited),
            }
            for metric, (seconds, waited_s) in values.items():
                value = f"never:{waited_s:.1f}" if seconds == NEVER else f"{seconds * 1000:.0f}"
                samples[(scenario, system, metric)].append(value)
                units[(scenario, metric)] = "ms"
            failed = sum(1 for t, v in requests if t0 < t <= t_end and v != "200")
            total = sum(1 for t, v in requests if t0 < t <= t_end)
            samples[(scenario, system, "failed_requests")].append(f"{failed}/{total}")
            units[(scenario, "failed_requests")] = "failed/sent"


BASELINES = {"startup": ["seed"], "idle": ["tini", "previous"], "idle:rds-bundle": ["previous"],
             "check": ["pg_isready+psql"], "size": ["seed"], "move": ["seed", "reresolve30s"], "fleet": ["static"],
             "pagewalk": ["4k_pages"]}


def baselines_of(scenario):
    return BASELINES.get(scenario, BASELINES.get(scenario.split(":")[0], ["seed"]))


def numbers(values):
    out = []
    for v in values:
        if v.startswith("never:"):
            out.append(NEVER)
        elif "/" in v:
            out.append(float(v.split("/")[0]))
        else:
            out.append(float(v))
    return out


def fmt_one(v):
    if v == NEVER:
        return "never"
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.1f}".rstrip("0").rstrip(".") if v != int(v) else f"{v:.0f}"


def spread(values):
    if not values:
        return "–"
    nums = numbers(values)
    if any(n == NEVER for n in nums):
        waited = max(float(v.split(":")[1]) for v in values if v.startswith("never:"))
        finite = [n for n in nums if n != NEVER]
        healed = f"; healed {len(finite)}/{len(nums)}" if finite else ""
        return f"never in {len(nums) - len(finite)}/{len(nums)} (waited up to {waited:.0f} s){healed}"
    if "/" in values[0]:
        return ", ".join(values)
    if len(nums) == 1:
        return fmt_one(nums[0])
    return f"{fmt_one(min(nums))} / {fmt_one(statistics.median(nums))} / {fmt_one(max(nums))}"


def median(values):
    nums = numbers(values)
    if not nums:
        return None
    finite = sorted(nums)
    return statistics.median(finite) if NEVER not in finite else NEVER


def table(samples, units):
    rows = ["| scenario | measure | unit | wgsidecar | baseline | baseline: min / median / max | wgsidecar: min / median / max | ratio (medians) | n |",
            "|---|---|---|---|---|---|---|---|---|"]
    keys = sorted({(s, m) for s, sys_, m in samples if sys_ == "wgsidecar"}, key=order_key)
    for scenario, metric in keys:
        ours = samples[(scenario, "wgsidecar", metric)]
        bases = baselines_of(scenario)
        # A measure only some baselines have (a thread of wgsidecar's) is compared with those.
        having = [base for base in bases if samples.get((scenario, base, metric))] or bases[:1]
        for base in having:
            theirs = samples.get((scenario, base, metric), [])
            ratio = "–"
            a, b = median(ours), median(theirs) if theirs else None
            if a is not None and b not in (None, 0, NEVER) and a != NEVER:
                ratio = f"{a / b:.2f}"
            elif b == NEVER and a not in (None, NEVER):
                ratio = "heals vs never"
            med_a = fmt_one(a) if a is not None else "–"
            med_b = f"{base} {fmt_one(b)}" if theirs else "–"
            rows.append(f"| {scenario} | {metric} | {units.get((scenario, metric), '')} | {med_a} | {med_b} | "
                        f"{spread(theirs)} | {spread(ours)} | {ratio} | {len(ours)} |")
    return "\n".join(rows)


ORDER = ["startup", "startup:kernel", "recovery:route", "recovery:iface", "recovery:udp", "recovery:move", "move:hub_silent",
         "move:hub_sends", "idle", "idle:rds-bundle", "pagewalk", "size", "check", "fleet:2", "fleet:3", "fleet:start", "fleet:hub"]


def order_key(key):
    scenario, metric = key
    return (ORDER.index(scenario) if scenario in ORDER else 99, scenario, metric)


def chart(samples, png):
    import matplotlib  # only here: merging a partial run's rows needs no plotting

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    data = [numbers(samples.get(("startup", s, "app_start"), [])) for s in ("wgsidecar", "seed")]
    left.boxplot(data, labels=["wgsidecar run", "seed entrypoint.sh"], vert=False)
    for i, values in enumerate(data, start=1):
        left.scatter(values, [i] * len(values), s=12, alpha=0.6)
    left.set_xlim(left=0)
    left.set_xlabel("time to app start (ms)")
    left.set_title("Startup (userspace backend, ping+tcp+tls+auth)")
    faults = ["route", "iface", "udp", "move"]
    width = 0.38
    for j, system in enumerate(("wgsidecar", "seed")):
        for i, fault in enumerate(faults):
            values = samples.get((f"recovery:{fault}", system, "heal_app"), [])
            for v in values:
                x = i + (j - 0.5) * width
                if v.startswith("never:"):
                    waited = float(v.split(":")[1])
                    right.bar(x, waited, width, color="none", edgecolor="C%d" % j, hatch="//")
                    right.text(x, waited, "never", ha="center", va="bottom", fontsize=8)
                else:
                    right.scatter([x], [float(v) / 1000], color="C%d" % j, zorder=3)
        right.scatter([], [], color="C%d" % j, label=system)
    right.set_xticks(range(len(faults)), ["route deleted", "interface deleted", "hub UDP blocked", "hub moved"])
    right.set_ylabel("app healthy again after the fault (s)")
    right.set_title("Recovery (hatched: never healed, bar = time waited)")
    right.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def family(scenario):
    return scenario.split(":")[0]


def families_of(line):
    """The scenario families a line of RESULTS.md is about: a partial run's machine line ("Rows
    of idle, pagewalk from a later run: ...") or a note ("- [idle] ..."); None for the machine
    line of the last full run."""
    for start, end in (("Rows of ", " from a later run"), ("- [", "] ")):
        if line.startswith(start) and end in line:
            return set(line[len(start):line.index(end)].split(", "))
    return None


def replaced(line, measured):
    """Whether a later run (one that measured `measured`) has measured all of the families a
    machine line or a note is about; never for the last full run's machine line."""
    families = families_of(line)
    return families is not None and families <= measured


def tagged(note):
    """A line of notes.txt ("FAMILY<tab>TEXT", bench/lib.sh's note) as RESULTS.md shows it."""
    family, _, text = note.partition("\t")
    return f"- [{family}] {text}"


def previous(results, measured):
    """What a partial run (BENCH_ONLY) keeps of the last RESULTS.md: the rows of the scenario
    families it did not measure, and the machine lines and notes of the runs those rows came
    from. A machine line or a note goes once a later run has measured all of its families again."""
    if not results.exists():
        return [], [], []
    rows, machines, notes = [], [], []
    section = None
    for line in results.read_text().splitlines():
        if line.startswith("## "):
            section = line
        elif line.startswith("| ") and not line.startswith("| scenario") and section is None:
            if family(line.split("|")[1].strip()) not in measured:
                rows.append(line)
        elif (line.startswith("Machine:") or line.startswith("Rows of ")) and not replaced(line, measured):
            machines.append(line)
        elif section == "## Notes" and line.startswith("- ") and not replaced(line, measured):
            notes.append(line)
    return rows, machines, notes


def merged(rows, kept):
    """This run's table with the kept rows put back in the usual order."""
    head, body = rows[:2], rows[2:] + kept
    body.sort(key=lambda row: order_key((row.split("|")[1].strip(), row.split("|")[2].strip())))
    return head + body


def main():
    out, results, png = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    samples, units = read_samples(out)
    recovery_samples(out, samples, units)
    measured = {family(s) for s, _, _ in samples}
    partial = not {"startup", "recovery"} <= measured
    kept, machines, old_notes = previous(results, measured) if partial else ([], [], [])
    if not partial or not png.exists():
        chart(samples, png)
    machine = (out / "machine.txt").read_text().strip()
    if partial and machines:
        machine = "\n\n".join(machines + [f"Rows of {', '.join(sorted(measured))} from a later run: {machine}"])
    notes = (out / "notes.txt").read_text().strip() if (out / "notes.txt").exists() else ""
    new_notes = [tagged(line) for line in notes.splitlines()]
    text = ["# Benchmarks", "", "Produced by `bench/run.sh`; do not edit by hand.", "", machine, "",
            "\n".join(merged(table(samples, units).splitlines(), kept)), "", f"![startup and recovery]({png.name})", ""]
    all_notes = [n for n in old_notes if n not in new_notes] + new_notes
    if all_notes:
        text += ["## Notes", ""] + all_notes + [""]
    results.write_text("\n".join(text))


if __name__ == "__main__":
    main()
