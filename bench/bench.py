#!/usr/bin/env python3
"""spelunk's benchmark: one CloudTrail NDJSON file, every measure in one run.

Called by bench/run.sh (which builds spelunk, makes the file and the DuckDB venv); see
bench/README.md for what each row means. Prints a table and writes it as JSON.

    bench.py --spelunk BIN --data FILE --repo DIR --corpus DIR --work DIR --out results.json
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

# The three detections DuckDB runs a hand-written SQL equivalent of (bench/sql/).
QUERIES = [
    ("AWS Defense Evasion Delete Cloudtrail", "delete_cloudtrail.sql"),
    ("AWS Excessive Security Scanning", "excessive_security_scanning.sql"),
    ("AWS Multiple Users Failing To Authenticate From Ip", "multiple_users_failing_from_ip.sql"),
]

# The columns the SQL reads; DuckDB parses each line and keeps these.
DUCKDB_VIEW = """CREATE VIEW events AS SELECT * FROM read_ndjson('{file}', columns={{
  eventName: 'VARCHAR', eventSource: 'VARCHAR', eventTime: 'VARCHAR', awsRegion: 'VARCHAR',
  sourceIPAddress: 'VARCHAR', userAgent: 'VARCHAR', errorCode: 'VARCHAR',
  recipientAccountId: 'VARCHAR', userIdentity: 'JSON', requestParameters: 'JSON',
  responseElements: 'JSON'}}, maximum_object_size=16777216);"""


def measure(cmd, env=None):
    """Runs cmd; gives (seconds, peak RSS in MB, exit code, stderr's last line)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    err = p.stderr.read().decode(errors="replace").strip().splitlines()
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024.0, code, (err[-1] if err else "")


def reads_cloudtrail(text):
    """A corpus detection over CloudTrail: the `cloudtrail` macro, or a datamodel (tstats)
    search whose data source is AWS CloudTrail (as tests/corpus_detections.rs selects)."""
    if "`cloudtrail`" in text:
        return True
    return "tstats" in text and re.search(r"^data_source: *\n(?:- .*\n)*- AWS CloudTrail *\n", text, re.M) is not None


def content_dir(work, repo, corpus):
    """A content directory with the project's detections and the corpus's active
    CloudTrail ones (`reads_cloudtrail`), the corpus's macros and
    lookups; the project's macros are given with --macros."""
    root = os.path.join(work, "content")
    shutil.rmtree(root, ignore_errors=True)
    det = os.path.join(root, "detections")
    os.makedirs(det)
    count = {"project": 0, "corpus": 0}
    for base, _, files in os.walk(os.path.join(repo, "detections")):
        for f in sorted(files):
            if f.endswith(".yml"):
                os.symlink(os.path.join(base, f), os.path.join(det, "project_" + f))
                count["project"] += 1
    if corpus:
        cloud = os.path.join(corpus, "detections", "cloud")
        for f in sorted(os.listdir(cloud)):
            path = os.path.join(cloud, f)
            if not f.endswith(".yml"):
                continue
            text = open(path, encoding="utf-8").read()
            if "\nstatus: deprecated" in text or not reads_cloudtrail(text):
                continue
            os.symlink(path, os.path.join(det, "corpus_" + f))
            count["corpus"] += 1
        for d in ("macros", "lookups"):
            os.symlink(os.path.join(corpus, d), os.path.join(root, d))
    return root, count


def duckdb_time(python, file, sql_path):
    """Seconds DuckDB takes to read the file and run the query (a fresh process)."""
    script = (
        "import duckdb,sys,time\n"
        "c=duckdb.connect()\n"
        # DuckDB draws a progress bar on stdout once a query passes two seconds.
        "c.execute('SET enable_progress_bar=false')\n"
        f"c.execute({DUCKDB_VIEW.format(file=file)!r})\n"
        f"q=open({sql_path!r}).read()\n"
        "t=time.perf_counter(); rows=c.execute(q).fetchall(); t=time.perf_counter()-t\n"
        "print(t, len(rows))\n"
    )
    p = subprocess.Popen([python, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    if p.returncode != 0:
        raise SystemExit(f"duckdb failed on {sql_path}:\n{err.decode()}")
    t, rows = out.decode().strip().splitlines()[-1].split()
    return float(t), int(rows)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--spelunk", required=True)
    a.add_argument("--data", required=True)
    a.add_argument("--repo", required=True)
    a.add_argument("--corpus", default="")
    a.add_argument("--work", required=True)
    a.add_argument("--python", default="", help="a Python with duckdb installed")
    a.add_argument("--out", required=True)
    a.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "3")),
                   help="runs of each measure; the table gives the median time and the largest RSS")
    args = a.parse_args()
    repeat = max(1, args.repeat)

    size_mb = os.path.getsize(args.data) / 2**20
    content, count = content_dir(args.work, args.repo, args.corpus if os.path.isdir(args.corpus or "/-") else "")
    cache = os.path.join(args.work, "cache")
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, SPELUNK_CACHE_DIR=cache)
    base = [args.spelunk, "detect", "--content", content, "--macros", os.path.join(args.repo, "macros"),
            "--data", args.data, "--format", "csv"]
    rows = []

    def row(name, cmd, env=env, before=None):
        """`repeat` runs (each after `before`): the median time, the largest peak RSS."""
        runs = []
        for _ in range(repeat):
            if before:
                before()
            runs.append(measure(cmd, env))
        times = sorted(t for t, _, _, _ in runs)
        t = times[len(times) // 2]
        rss = max(m for _, m, _, _ in runs)
        code = next((c for _, _, c, _ in runs if c != 0), 0)
        last = runs[-1][3]
        r = {"measure": name, "seconds": round(t, 2), "peak_rss_mb": round(rss), "exit": code, "summary": last,
             "runs_seconds": [round(x, 2) for x, _, _, _ in runs]}
        rows.append(r)
        spread = ", ".join(f"{x:.2f}" for x, _, _, _ in runs)
        print(f"  {name}: {t:.2f} s (runs: {spread}), {rss:.0f} MB  ({last})", file=sys.stderr, flush=True)
        return r

    print(f"data: {args.data} ({size_mb:.0f} MB)", file=sys.stderr)
    # One detection, cold: load, extract, run (no cache read or written).
    single = []
    for name, sql in QUERIES:
        r = row(f"load + 1 detection, cold: {name}", base + ["--name", name, "--no-cache"])
        single.append((name, sql, r))
    # All selected detections: cold (cache emptied, then written), then warm (from it).
    label = f"all {count['project']} project + {count['corpus']} corpus CloudTrail detections"
    row(f"{label}, cold", base, before=lambda: shutil.rmtree(cache, ignore_errors=True))
    row(f"{label}, warm (column cache)", base)

    # DuckDB: the same file, hand-written SQL of the three detections.
    if args.python:
        for name, sql, r in single:
            path = os.path.join(args.repo, "bench", "sql", sql)
            runs = [duckdb_time(args.python, os.path.abspath(args.data), path) for _ in range(repeat)]
            t = sorted(x for x, _ in runs)[len(runs) // 2]
            n = runs[-1][1]
            r["duckdb_runs_seconds"] = [round(x, 2) for x, _ in runs]
            r["duckdb_seconds"] = round(t, 2)
            r["duckdb_rows"] = n
            r["spelunk_over_duckdb"] = round(r["seconds"] / t, 2) if t > 0 else None
            print(f"  duckdb {sql}: {t:.2f} s ({n} rows)", file=sys.stderr, flush=True)

    header = ["measure", "seconds", "peak RSS MB", "DuckDB s", "spelunk/DuckDB"]
    table = [header] + [
        [r["measure"], f"{r['seconds']:.2f}", str(r["peak_rss_mb"]),
         f"{r['duckdb_seconds']:.2f}" if "duckdb_seconds" in r else "",
         f"{r['spelunk_over_duckdb']:.2f}" if r.get("spelunk_over_duckdb") else ""]
        for r in rows
    ]
    widths = [max(len(line[k]) for line in table) for k in range(len(header))]
    print(f"\nspelunk benchmark: {args.data}, {size_mb:.0f} MB, {os.cpu_count()} cores, median of {repeat} runs")
    for k, line in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    with open(args.out, "w") as f:
        json.dump({"data": args.data, "size_mb": round(size_mb), "cores": os.cpu_count(), "repeat": repeat, "rows": rows},
                  f, indent=2)
    print(f"\nwritten: {args.out}")
    if any(r["exit"] != 0 for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
