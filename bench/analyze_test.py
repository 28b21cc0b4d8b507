#!/usr/bin/python3
"""bench/analyze.py merging a partial run (BENCH_ONLY) into the last RESULTS.md: the families it
measured again get this run's rows, machine line and notes, and nothing of the runs before;
every other family keeps its own. Run by ctest as `bench_results`."""
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import analyze  # noqa: E402

LAST = """# Benchmarks

Produced by `bench/run.sh`; do not edit by hand.

Machine: the full run's machine

Rows of fleet from a later run: Machine: the fleet run's machine

Rows of idle, pagewalk from a later run: Machine: the first idle run's machine

Rows of idle, pagewalk from a later run: Machine: the second idle run's machine

| scenario | measure | unit | wgsidecar | baseline | baseline: min / median / max | wgsidecar: min / median / max | ratio (medians) | n |
|---|---|---|---|---|---|---|---|---|
| fleet:2 | failed | requests | 0 | shared 8 | 8 | 0 | – | 1 |
| idle | cpu | ms per min | 9.9 | tini 4 | 4 | 9.9 | 2.48 | 1 |

![startup and recovery](results.png)

## Notes

- [fleet] Fleet: machines behind one NAT.
- [idle] Idle window: load average 9.99 at its start
- [pagewalk] Pagewalk: the first run's pages.
"""


class PartialRun(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        root = Path(self.dir.name)
        self.out, self.results, self.png = root / "out", root / "RESULTS.md", root / "results.png"
        self.out.mkdir()
        (self.out / "samples.tsv").write_text(
            "idle\twgsidecar\tcpu\t4.5\tms per min\n"
            "idle\ttini\tcpu\t4.0\tms per min\n"
            "pagewalk\twgsidecar\tcpu\t0.1\tms\n"
        )
        (self.out / "notes.txt").write_text("idle\tIdle window: load average 0.57 at its start\n"
                                            "pagewalk\tPagewalk: this run's pages.\n")
        (self.out / "machine.txt").write_text("Machine: this run's machine")
        self.results.write_text(LAST)
        self.png.write_bytes(b"a chart of the full run")
        sys.argv = ["analyze.py", str(self.out), str(self.results), str(self.png)]
        analyze.main()
        self.text = self.results.read_text()

    def tearDown(self):
        self.dir.cleanup()

    def test_the_measured_family_has_only_this_runs_lines(self):
        self.assertIn("| idle | cpu | ms per min | 4.5 | tini 4 |", self.text)
        self.assertNotIn("9.9", self.text)
        self.assertNotIn("first idle run", self.text)
        self.assertNotIn("second idle run", self.text)
        self.assertNotIn("load average 9.99", self.text)
        self.assertNotIn("the first run's pages", self.text)
        self.assertIn("Rows of idle, pagewalk from a later run: Machine: this run's machine", self.text)
        self.assertIn("- [idle] Idle window: load average 0.57 at its start", self.text)
        self.assertIn("- [pagewalk] Pagewalk: this run's pages.", self.text)

    def test_other_families_keep_their_rows_machine_and_notes(self):
        self.assertIn("| fleet:2 | failed | requests | 0 | shared 8 |", self.text)
        self.assertIn("Rows of fleet from a later run: Machine: the fleet run's machine", self.text)
        self.assertIn("- [fleet] Fleet: machines behind one NAT.", self.text)
        self.assertIn("Machine: the full run's machine", self.text)

    def test_the_chart_of_the_full_run_stays(self):
        self.assertEqual(self.png.read_bytes(), b"a chart of the full run")


if __name__ == "__main__":
    unittest.main()
