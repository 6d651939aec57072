"""Load test: N simulated users ask different questions at once through gradio_client (not a timed test).

    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:7860/          # an app you started
    .venv/bin/python scripts/load_test.py --start --app-args "--backend extractive"

Each user is its own gradio_client.Client (its own session) and calls the streaming endpoint /ask_stream
with one question from eval/questions/seed.jsonl. Measured on the client, from submit():
  sources  — when the first output (stage "sources": the citations) arrives;
  first    — when the first output with answer text arrives (for the LLM the first token; for deterministic
             answers — facts, refusals, extractive quotes — the whole text, which comes at once);
  done     — when the final, verified answer arrives.
Outputs are polled every 50 ms (gradio_client's own iterator spins at 1 ms, which would steal CPU from the
model on a small machine), so client times are exact to about 50 ms. The server's own timings (Answer.timings,
which exclude queueing in gradio) are reported too. Peak memory is VmHWM of the app process (/proc/<pid>/status).
Only 127.0.0.1 / localhost is accepted. Everything is bounded: one question per user, a deadline for the run.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL_HOSTS = ("127.0.0.1", "localhost")


@dataclass
class UserRun:
    question: str
    sources_s: float | None = None
    first_s: float | None = None
    done_s: float | None = None
    error: str = ""
    status: str = ""
    backend: str = ""
    notes: list[str] = field(default_factory=list)
    server: dict = field(default_factory=dict)

    @property
    def generated(self) -> bool:
        """Did the language model write this answer (rather than facts, a refusal, or a fallback quote)?"""
        return self.server.get("first_token_ms") is not None


def questions(path: Path, n: int) -> list[str]:
    qs = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    unique = list(dict.fromkeys(qs))
    if len(unique) < n:
        raise SystemExit(f"{path} has {len(unique)} different questions, need {n}")
    step = len(unique) // n  # spread over the set: facts, measures, departments, unanswerable ones
    return [unique[i * step] for i in range(n)]


def run_user(url: str, question: str, deadline: float, out: UserRun, start_gate: threading.Barrier) -> None:
    from gradio_client import Client

    client = None
    try:
        client = Client(url, verbose=False)
    except Exception as e:  # noqa: BLE001 — reported as this user's error
        out.error = f"connect: {type(e).__name__}: {e}"
    try:
        start_gate.wait(timeout=120)  # everyone submits together, also when one could not connect
    except threading.BrokenBarrierError:
        pass
    if client is None:
        return
    try:
        t0 = time.monotonic()
        job = client.submit(question, api_name="/ask_stream")
        seen = 0
        while True:
            outputs = job.outputs()
            for o in outputs[seen:]:
                now = time.monotonic() - t0
                if o["stage"] == "sources" and out.sources_s is None:
                    out.sources_s = now
                if o.get("text") and out.first_s is None:
                    out.first_s = now
                if o["stage"] == "done":
                    out.done_s = now
                    out.status, out.backend = o["status"], o["backend"]
                    out.notes, out.server = o["notes"], o["timings"]
            seen = len(outputs)
            if job.done():
                if out.done_s is None:
                    job.result(timeout=5)  # raises the server's error, if that is why it ended
                    out.error = "stream ended without a final answer"
                return
            if time.monotonic() > deadline:
                job.cancel()
                out.error = "timed out"
                return
            time.sleep(0.05)
    except Exception as e:  # noqa: BLE001 — any failure of one user is a reported error, not a crash of the run
        out.error = f"{type(e).__name__}: {e}"


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def summary(label: str, values: list[float | None], unit: str = "s") -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return f"{label:<34} n=0"
    return (f"{label:<34} n={len(vals):<3} p50={percentile(vals, 50):8.2f}{unit}  p95={percentile(vals, 95):8.2f}{unit}"
            f"  max={max(vals):8.2f}{unit}")


def listening_pid(port: int) -> int | None:
    """The pid of the process listening on 127.0.0.1:<port>, found through /proc (no psutil needed)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:
            continue
    return None


def memory(pid: int) -> dict[str, str]:
    """VmHWM (peak resident memory) and VmRSS of a process, as the kernel reports them."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = value.strip()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(app_args: list[str], timeout: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = open(ROOT / "logs" / "load_test_app.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port), *app_args],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app exited with {proc.returncode}; see logs/load_test_app.log")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return proc, url
        except OSError:
            time.sleep(1)
    proc.terminate()
    raise SystemExit(f"app did not start in {timeout:g} s; see logs/load_test_app.log")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="并发用户压测 (gradio_client, 127.0.0.1 only)")
    p.add_argument("--url", default="http://127.0.0.1:7860/", help="a running app (default: %(default)s)")
    p.add_argument("--start", action="store_true", help="start app.py on a free port first, stop it afterwards")
    p.add_argument("--app-args", default="", help='arguments for app.py with --start, e.g. "--backend extractive"')
    p.add_argument("--users", type=int, default=20, help="concurrent users (default: %(default)s)")
    p.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions" / "seed.jsonl")
    p.add_argument("--timeout", type=float, default=1200, help="deadline for the whole run, s (default: %(default)s)")
    p.add_argument("--pid", type=int, default=0, help="app process id for memory (default: found by the port)")
    p.add_argument("--json", type=Path, help="also write every user's figures here")
    args = p.parse_args(argv)
    if not 1 <= args.users <= 200:
        raise SystemExit("--users must be between 1 and 200")

    proc = None
    if args.start:
        (ROOT / "logs").mkdir(exist_ok=True)
        print("starting app.py …", flush=True)
        t = time.monotonic()
        proc, url = start_app(shlex.split(args.app_args), timeout=900)
        print(f"app ready at {url} after {time.monotonic() - t:.0f} s", flush=True)
    else:
        url = args.url
    host = urllib.parse.urlparse(url).hostname
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"refusing to load-test {host}: only {', '.join(LOCAL_HOSTS)}")
    port = urllib.parse.urlparse(url).port or 80
    pid = args.pid or (proc.pid if proc else None) or listening_pid(port)

    try:
        runs = [UserRun(q) for q in questions(args.questions, args.users)]
        gate = threading.Barrier(len(runs))
        deadline = time.monotonic() + args.timeout
        threads = [threading.Thread(target=run_user, args=(url, r.question, deadline, r, gate), daemon=True)
                   for r in runs]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(1.0, deadline - time.monotonic() + 10))
        wall = time.monotonic() - t0
        mem = memory(pid) if pid and Path(f"/proc/{pid}").exists() else {}
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)

    errors = [r for r in runs if r.error]
    print(f"\n{len(runs)} users, one question each, against {url}; wall time {wall:.1f} s")
    print(f"errors: {len(errors)}")
    for r in errors:
        print(f"  {r.question[:30]}…: {r.error}")
    print("client-side (from submit, queueing included):")
    print("  " + summary("time to sources", [r.sources_s for r in runs]))
    print("  " + summary("time to first text (all answers)", [r.first_s for r in runs]))
    print("  " + summary("time to first token (LLM-written)", [r.first_s for r in runs if r.generated]))
    print("  " + summary("time to final answer", [r.done_s for r in runs]))
    print("server-side (Answer.timings, inside the assistant):")
    print("  " + summary("retrieval", [r.server.get("retrieval_ms") for r in runs], "ms"))
    print("  " + summary("first token (LLM-written)", [r.server.get("first_token_ms") for r in runs], "ms"))
    statuses: dict[str, int] = {}
    for r in runs:
        if not r.error:
            statuses[r.status] = statuses.get(r.status, 0) + 1
    print("answers by status: " + "，".join(f"{k} {v}" for k, v in sorted(statuses.items(), key=lambda kv: -kv[1])))
    fallback = [r for r in runs if any("模型不可用" in n for n in r.notes)]
    print(f"LLM-written answers: {sum(r.generated for r in runs)}; fell back to quotes (model busy/unavailable): "
          f"{len(fallback)}")
    print(f"app process {pid}: peak memory VmHWM {mem.get('VmHWM', 'unknown')}, now VmRSS {mem.get('VmRSS', 'unknown')}"
          if pid else "app process not found: pass --pid for memory figures")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ | {"generated": r.generated} for r in runs], ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
