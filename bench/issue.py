"""Benchmark issuing: signed credentials/s (JSON), signed PDFs/s, and memory of a whole run.

``python -m bench.issue`` measures, with fictional students from scripts.sample_data:

- credentials/s of the JSON path (build, Ed25519-sign and hash one batch, then its
  Merkle tree) in 1 and 2 worker processes (issuer.bulk.sign_class);
- rendered and PAdES-signed PDFs/s with one PKCS#12 signer and with three, in 2
  worker processes (issuer.bulk.render_pdf);
- the peak memory (PSS, main process plus workers) of a whole `issue_all` run
  with PDFs on the in-process EVM, sampled every 0.2 s, with the memory after each
  class to show whether it stays flat;
- the memory of the JSON path alone (main process and workers) after batches of
  1,000, 5,000 and 10,000 credentials in 2 workers;
- a cProfile of the JSON path in one process: a flame-style call tree
  (bench.profile_tree) and the functions with the most own time.

The JSON and PDF runs are repeated (``--repeat``, default 3) and the fastest run is
reported, because the machine may be shared. Keys and certificates are generated
fresh into a temporary folder. Results go to ``bench/results/issue.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.issue_setup import bench_school, make_pkcs12_signers, pss_bytes, school_network
from bench.profile_tree import call_tree, find_function
from issuer.bulk import gather_class, issue_all, open_pool, render_pdf, sign_class
from issuer.curriculum import load_curriculum
from issuer.issuance import credential_json_bytes, prepare_batch
from issuer.records import ClassRecords
from scripts.sample_data import generate_school

__all__ = ["main", "measure_json", "measure_json_memory", "measure_pdfs", "measure_run"]

RESULTS = Path(__file__).resolve().parent / "results" / "issue.json"
VERIFY_ORIGIN = "https://verify.hocba.vn"


def big_class(size: int, seed: int = 2026) -> ClassRecords:
    """Return one class of ``size`` students made by repeating the sample school's students."""
    classes = generate_school(seed)
    pool = [student for item in classes for student in item.students]
    grade_six = [student for student in pool if student.class_name == classes[0].class_name]
    students = [replace(grade_six[index % len(grade_six)], row_number=index + 1)
                for index in range(size)]
    return replace(classes[0], students=students)


def _cpu_seconds() -> tuple[float, float]:
    """Return the CPU seconds (user + system) of this process and of its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _cpu_fields(count: int, before: tuple[float, float], after: tuple[float, float]
                ) -> dict[str, Any]:
    """CPU time of a run: on a shared machine it shows the cost that wall time hides."""
    main_cpu, worker_cpu = after[0] - before[0], after[1] - before[1]
    return {"mainCpuSeconds": round(main_cpu, 2), "workerCpuSeconds": round(worker_cpu, 2),
            "cpuMsEach": round((main_cpu + worker_cpu) / count * 1000, 3)}


def measure_json(size: int, workers: int) -> dict[str, Any]:
    """Sign one batch of ``size`` credentials; the pool is started and warmed up untimed.

    The CPU time includes the warm-up of 20 credentials and the pool start.
    """
    signer = bench_school()
    records = big_class(size)
    before = _cpu_seconds()
    pool = open_pool(workers, signer, ())
    try:
        gather_class(records, sign_class(pool, replace(records, students=records.students[:20]),
                                         workers))
        started = time.perf_counter()
        prepared = gather_class(records, sign_class(pool, records, workers))
        seconds = time.perf_counter() - started
    finally:
        pool.shutdown(wait=True)
    return {"workers": workers, "credentials": len(prepared.credentials),
            "seconds": round(seconds, 3), "perSecond": round(size / seconds, 1),
            **_cpu_fields(size, before, _cpu_seconds())}


def measure_pdfs(count: int, signer_count: int, workers: int, folder: Path) -> dict[str, Any]:
    """Render and sign ``count`` PDFs; the credentials are prepared beforehand (untimed)."""
    signer = bench_school()
    specs = make_pkcs12_signers(folder / f"pki-{signer_count}", signer_count)
    prepared = prepare_batch(big_class(count), signer, curriculum=load_curriculum())
    out = folder / f"pdf-{signer_count}"
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(item.credential_id, credential_json_bytes(item.credential).decode("utf-8"),
             item.digest, VERIFY_ORIGIN, datetime.now(UTC).date(), str(out / f"{index}.pdf"))
            for index, item in enumerate(prepared.credentials)]
    before = _cpu_seconds()
    pool = open_pool(workers, signer, tuple(specs))
    try:
        pool.submit(render_pdf, (*jobs[0][:5], str(out / "warm-up.pdf"))).result()
        started = time.perf_counter()
        for future in [pool.submit(render_pdf, job) for job in jobs]:
            future.result()
        seconds = time.perf_counter() - started
    finally:
        pool.shutdown(wait=True)
    size = sum(Path(job[5]).stat().st_size for job in jobs) // len(jobs)
    return {"signers": signer_count, "workers": workers, "pdfs": count,
            "seconds": round(seconds, 3), "perSecond": round(count / seconds, 2),
            **_cpu_fields(count, before, _cpu_seconds()), "meanBytes": size}


class _MemoryProgress:
    """Record the memory (PSS) of this process and its workers after each class and PDF."""

    def __init__(self) -> None:
        self.after_class: list[int] = []
        self.pdf_samples: list[int] = []
        self._pdfs = 0

    def start(self, stage: str, total: int) -> None:
        return None

    def advance(self, stage: str, amount: int = 1) -> None:
        if stage == "anchor":
            self.after_class.append(pss_bytes())
        elif stage == "pdf":
            self._pdfs += amount
            if self._pdfs % 50 == 0:
                self.pdf_samples.append(pss_bytes())


def measure_run(classes: int, class_size: int, workers: int, folder: Path) -> dict[str, Any]:
    """Issue ``classes`` classes with PDFs (three signers) and sample the memory every 0.2 s."""
    network = school_network(folder / "home")
    specs = make_pkcs12_signers(folder / "pki-run", 3)
    base = big_class(class_size)
    records = [replace(base, class_name=f"6A{number}",
                       students=[replace(student, class_name=f"6A{number}")
                                 for student in base.students])
               for number in range(1, classes + 1)]
    peak = [pss_bytes()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], pss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    progress = _MemoryProgress()
    started = time.perf_counter()
    try:
        result = issue_all(records, network.school, registry=network.registry,
                           engine=network.engine, out_dir=folder / "out",
                           verify_base_url=VERIFY_ORIGIN, specs=specs, workers=workers,
                           progress=progress)
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    mib = 1024 * 1024
    return {"classes": classes, "classSize": class_size, "workers": workers, "signers": 3,
            "credentials": result.credentials_signed, "pdfs": result.pdfs_written,
            "seconds": round(seconds, 1),
            "peakPssMiB": round(peak[0] / mib, 1),
            "pssAfterEachClassMiB": [round(value / mib, 1) for value in progress.after_class],
            "pssEvery50PdfsMiB": [round(value / mib, 1) for value in progress.pdf_samples]}


def _status_mib(name: str) -> float:
    """Return a memory figure of this process from /proc/self/status (VmRSS, VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith(name + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure_json_memory(sizes: list[int], workers: int) -> list[dict[str, Any]]:
    """Sign one batch of each size in a fresh Python process and record its memory.

    Each size runs in its own process (``--memory-child``), so no figure includes
    what an earlier batch left behind.
    """
    rows = []
    for size in sizes:
        output = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [sys.executable, "-m", "bench.issue", "--memory-child", str(size),
             "--memory-workers", str(workers)],
            check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        rows.append(json.loads(output.stdout.strip().splitlines()[-1]))
    return rows


def _memory_child(size: int, workers: int) -> dict[str, Any]:
    """Sign one batch of ``size`` credentials and return the memory while it is held."""
    signer = bench_school()
    pool = open_pool(workers, signer, ())
    try:
        records = big_class(size)
        prepared = gather_class(records, sign_class(pool, records, workers))
        workers_pss = pss_bytes() - _own_pss()
        return {"credentials": len(prepared.credentials),
                "mainRssMiB": _status_mib("VmRSS"),
                "mainPeakRssMiB": _status_mib("VmHWM"),
                "workersPssMiB": round(workers_pss / 1024 / 1024, 1)}
    finally:
        pool.shutdown(wait=True)


def _own_pss() -> int:
    for line in Path("/proc/self/smaps_rollup").read_text(encoding="ascii").splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def profile_json(size: int) -> dict[str, str]:
    """Profile ``prepare_batch`` for ``size`` credentials: call tree and top own times."""
    signer = bench_school()
    records = big_class(size)
    curriculum = load_curriculum()
    profiler = cProfile.Profile()
    profiler.enable()
    prepare_batch(records, signer, curriculum=curriculum)
    profiler.disable()
    stats = pstats.Stats(profiler)
    root = find_function(stats, "prepare_batch")
    tree = call_tree(stats, root, depth=4, min_share=0.02) if root else ""
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("tottime").print_stats(15)
    return {"callTree": tree, "ownTime": text.getvalue().split("\n", 4)[-1].strip("\n")}


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the fastest of repeated runs, with every run's rate beside it."""
    best = max(runs, key=lambda run: run["perSecond"])
    return {**best, "runs": len(runs), "allPerSecond": [run["perSecond"] for run in runs]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.issue", description=__doc__)
    parser.add_argument("--json-count", type=int, default=10_000, help="credentials per batch")
    parser.add_argument("--pdf-count", type=int, default=100, help="PDFs per PDF run")
    parser.add_argument("--run-classes", type=int, default=10, help="classes in the memory run")
    parser.add_argument("--class-size", type=int, default=40, help="students per class there")
    parser.add_argument("--stages", default="json,memory,pdf,run",
                        help="comma-separated subset of json, memory, pdf, run; the other "
                             "results already in the results file are kept")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each JSON and PDF measurement; the fastest is reported")
    parser.add_argument("--memory-sizes", default="1000,5000,10000",
                        help="comma-separated batch sizes of the memory stage")
    parser.add_argument("--memory-child", type=int, default=0,
                        help="internal: sign one batch of this size, print its memory, exit")
    parser.add_argument("--memory-workers", type=int, default=2,
                        help="worker processes of the memory stage")
    args = parser.parse_args(argv)
    if args.memory_child:
        print(json.dumps(_memory_child(args.memory_child, args.memory_workers)))
        return 0
    stages = set(args.stages.split(","))

    results: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8")) \
        if RESULTS.exists() and stages != {"json", "memory", "pdf", "run"} else {}
    results |= {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "processor": platform.processor() or platform.machine(),
                    "loadAverageAtStart": [round(value, 2) for value in os.getloadavg()]},
        "measuredAt": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with tempfile.TemporaryDirectory(prefix="hocba-bench-issue-") as temp:
        folder = Path(temp)
        if "json" in stages:
            results["json"] = [
                _best([measure_json(args.json_count, workers) for _ in range(args.repeat)])
                for workers in (1, 2)]
            results["profileJson"] = profile_json(min(args.json_count, 500))
            print(json.dumps(results["json"]))
        if "memory" in stages:
            sizes = [int(text) for text in args.memory_sizes.split(",")]
            results["jsonMemory"] = measure_json_memory(sizes, args.memory_workers)
            print(json.dumps(results["jsonMemory"]))
        if "pdf" in stages:
            results["pdf"] = [
                _best([measure_pdfs(args.pdf_count, signers, 2, folder / f"run-{index}")
                       for index in range(args.repeat)])
                for signers in (1, 3)]
            print(json.dumps(results["pdf"]))
        if "run" in stages:
            results["run"] = measure_run(args.run_classes, args.class_size, 2, folder)
            print(json.dumps(results["run"]))
    results["machine"]["loadAverageAtEnd"] = [round(value, 2) for value in os.getloadavg()]
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
