"""Load test: N clients at once, a mix of chat, search and match, through the HTTP API and through gradio_client.

    .venv/bin/python scripts/load_test.py --start --app-args "--backend extractive" --users 20,50
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:7860/ --via http      # an app you started

Both routes reach the same process (`python app.py` serves the API and the web app on one port). Each client
makes one request; clients are spread over the kinds: half chat, a quarter search, a quarter match.

  HTTP    chat   — POST /v1/chat/completions, stream=true (SSE, via httpx): first token = the first content
                   delta; references = the final chunk (the API sends them with the verified answer);
          search — POST /v1/search; match — POST /v1/match: references = the response.
  Gradio  chat   — /ask_stream: references = the "sources" stage (the web app shows them before the text);
                   first token = the first output with text; done = the "done" stage;
          search — gradio has no search endpoint: /ask_stream up to its "sources" stage (retrieval), then cancel;
          match  — /match.
Times are taken on the client from the request (queueing included). A 503 (model queue full or waited too long,
with Retry-After) is counted apart from errors. Gradio outputs are polled every 50 ms. Peak memory is VmHWM of
the app process (/proc/<pid>/status). Only 127.0.0.1 / localhost is accepted; every run has a deadline.
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL_HOSTS = ("127.0.0.1", "localhost")
KINDS = ("chat", "search", "chat", "match")  # half chat, a quarter each search and match
COMPANIES = ["我们是一家生鲜电商企业，线上销售蔬菜水果，自建冷链仓储和配送。", "在线教育平台，提供中小学课外辅导直播课程。",
             "做工业互联网平台，为制造企业提供设备联网和数据分析服务。", "社区无人便利店和智能售货机运营商。",
             "互联网医院，提供在线问诊和处方药配送。"]


@dataclass
class Run:
    """One client's request and what it saw."""

    kind: str
    text: str
    refs_s: float | None = None  # when the client first had references (citations, hits, matches)
    first_s: float | None = None  # chat: the first answer text
    done_s: float | None = None
    status: int = 0  # HTTP status (gradio: 200 when it answered)
    error: str = ""
    generated: bool = False  # chat: written by the language model (the server's first_token_ms is set)


def questions(path: Path, n: int) -> list[str]:
    qs = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    unique = list(dict.fromkeys(qs))
    step = max(1, len(unique) // n)  # spread over the set: facts, measures, departments, unanswerable ones
    return [unique[(i * step) % len(unique)] for i in range(n)]


def plan(n: int, qs: list[str]) -> list[Run]:
    """n requests: kinds in turn, a different question (or company) for each."""
    return [Run(KINDS[i % len(KINDS)], COMPANIES[i % len(COMPANIES)] if KINDS[i % len(KINDS)] == "match" else qs[i])
            for i in range(n)]


# ---------- the HTTP API ----------

def http_user(url: str, run: Run, headers: dict, deadline: float, gate: threading.Barrier) -> None:
    import httpx

    try:
        gate.wait(timeout=120)
    except threading.BrokenBarrierError:
        pass
    timeout = httpx.Timeout(max(1.0, deadline - time.monotonic()), connect=30)
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=timeout) as client:
            t0 = time.monotonic()
            if run.kind == "chat":
                http_chat(client, run, t0)
            else:
                body = ({"question": run.text, "k": 5} if run.kind == "search" else {"description": run.text, "k": 5})
                r = client.post(f"/v1/{run.kind}", json=body)
                run.status = r.status_code
                if r.status_code == 200:
                    run.refs_s = run.done_s = time.monotonic() - t0
                elif r.status_code != 503:
                    run.error = f"HTTP {r.status_code}: {r.text[:200]}"
    except Exception as e:  # noqa: BLE001 — any failure of one client is a reported error, not a crash of the run
        run.error = f"{type(e).__name__}: {e}"


def http_chat(client, run: Run, t0: float) -> None:
    body = {"model": "policy-qa", "messages": [{"role": "user", "content": run.text}], "stream": True}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        run.status = r.status_code
        if r.status_code != 200:
            r.read()
            if r.status_code != 503:
                run.error = f"HTTP {r.status_code}: {r.text[:200]}"
            return
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if "error" in chunk:
                run.error = f"stream error: {chunk['error']['message'][:200]}"
                return
            delta = chunk["choices"][0]["delta"]
            now = time.monotonic() - t0
            if delta.get("content") and run.first_s is None:
                run.first_s = now
            if "references" in delta:
                run.refs_s = run.done_s = now
                run.generated = delta["verification"]["backend"] not in ("extractive", "facts") and \
                    not delta["verification"]["refused"]
    if run.done_s is None:
        run.error = "stream ended without references"


# ---------- gradio ----------

def gradio_user(url: str, run: Run, deadline: float, gate: threading.Barrier) -> None:
    from gradio_client import Client

    client = None
    try:
        client = Client(url, verbose=False)
    except Exception as e:  # noqa: BLE001
        run.error = f"connect: {type(e).__name__}: {e}"
    try:
        gate.wait(timeout=120)
    except threading.BrokenBarrierError:
        pass
    if client is None:
        return
    try:
        t0 = time.monotonic()
        if run.kind == "match":
            client.predict(run.text, "", "", "", 5, api_name="/match")
            run.refs_s = run.done_s = time.monotonic() - t0
            run.status = 200
            return
        job = client.submit(run.text, api_name="/ask_stream")
        seen = 0
        while True:
            outputs = job.outputs()
            for o in outputs[seen:]:
                now = time.monotonic() - t0
                if o["stage"] == "sources" and run.refs_s is None:
                    run.refs_s = now
                    if run.kind == "search":
                        job.cancel()
                        run.done_s, run.status = now, 200
                        return
                if o.get("text") and run.first_s is None:
                    run.first_s = now
                if o["stage"] == "done":
                    run.done_s, run.status = now, 200
                    run.generated = o["timings"].get("first_token_ms") is not None
            seen = len(outputs)
            if job.done():
                if run.done_s is None:
                    job.result(timeout=5)  # raises the server's error, if that is why it ended
                    run.error = "stream ended without a final answer"
                return
            if time.monotonic() > deadline:
                job.cancel()
                run.error = "timed out"
                return
            time.sleep(0.05)
    except Exception as e:  # noqa: BLE001
        run.error = f"{type(e).__name__}: {e}"


# ---------- one round ----------

def round_of(via: str, url: str, n: int, qs: list[str], headers: dict, timeout: float) -> tuple[list[Run], float]:
    runs = plan(n, qs)
    gate = threading.Barrier(n)
    deadline = time.monotonic() + timeout
    if via == "http":
        targets = [(http_user, (url, r, headers, deadline, gate)) for r in runs]
    else:
        targets = [(gradio_user, (url, r, deadline, gate)) for r in runs]
    threads = [threading.Thread(target=f, args=a, daemon=True) for f, a in targets]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, deadline - time.monotonic() + 10))
    for r in runs:
        if not r.error and not r.status:
            r.error = "no answer before the deadline"
    return runs, time.monotonic() - t0


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def summary(label: str, values: list[float | None]) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return f"{label:<36} n=0"
    return f"{label:<36} n={len(vals):<3} p50={percentile(vals, 50):7.2f}s  p95={percentile(vals, 95):7.2f}s  max={max(vals):7.2f}s"


def report(via: str, n: int, runs: list[Run], wall: float) -> dict:
    """Print one round's figures; return them for --json."""
    errors = [r for r in runs if r.error]
    busy = [r for r in runs if r.status == 503]
    chat = [r for r in runs if r.kind == "chat"]
    print(f"\n== {via}: {n} clients ({sum(r.kind == 'chat' for r in runs)} chat, {sum(r.kind == 'search' for r in runs)} "
          f"search, {sum(r.kind == 'match' for r in runs)} match); wall {wall:.1f} s")
    print(f"  errors (not 503): {len(errors)};  503: {len(busy)} ({len(busy) / n:.0%})")
    for r in errors[:10]:
        print(f"    {r.kind} {r.text[:24]}…: {r.error}")
    print("  " + summary("time to references (all)", [r.refs_s for r in runs]))
    for kind in ("chat", "search", "match"):
        print("  " + summary(f"time to references ({kind})", [r.refs_s for r in runs if r.kind == kind]))
    print("  " + summary("time to first token (chat)", [r.first_s for r in chat]))
    print("  " + summary("time to first token (LLM-written)", [r.first_s for r in chat if r.generated]))
    print("  " + summary("time to final answer (chat)", [r.done_s for r in chat]))
    return {"via": via, "clients": n, "wall_s": round(wall, 2), "errors": len(errors), "status_503": len(busy),
            "runs": [r.__dict__ for r in runs]}


# ---------- the app ----------

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
    """A port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(app_args: list[str], timeout: float) -> tuple[subprocess.Popen, str]:
    """`python app.py` on a free port; returns when /readyz answers 200."""
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
            with urllib.request.urlopen(url + "readyz", timeout=2):
                return proc, url
        except OSError:
            time.sleep(1)
    proc.terminate()
    raise SystemExit(f"app did not start in {timeout:g} s; see logs/load_test_app.log")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="并发压测：HTTP 接口与 gradio_client，对话/检索/匹配混合 (127.0.0.1 only)")
    p.add_argument("--url", default="http://127.0.0.1:7860/", help="a running app (default: %(default)s)")
    p.add_argument("--start", action="store_true", help="start app.py on a free port first, stop it afterwards")
    p.add_argument("--app-args", default="", help='arguments for app.py with --start, e.g. "--backend extractive"')
    p.add_argument("--users", default="20", help="concurrent clients, one round per value, e.g. 20,50 (default: %(default)s)")
    p.add_argument("--via", default="both", choices=["http", "gradio", "both"], help="route (default: %(default)s)")
    p.add_argument("--api-key", default="", help="API key, when the app was started with --api-keys")
    p.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions" / "seed.jsonl")
    p.add_argument("--timeout", type=float, default=1200, help="deadline for each round, s (default: %(default)s)")
    p.add_argument("--json", type=Path, help="also write every client's figures here")
    args = p.parse_args(argv)
    sizes = [int(u) for u in args.users.split(",") if u.strip()]
    if not sizes or not all(1 <= n <= 200 for n in sizes):
        raise SystemExit(f"--users must be numbers between 1 and 200, got {args.users!r}")

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
    pid = (proc.pid if proc else None) or listening_pid(urllib.parse.urlparse(url).port or 80)
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    vias = ["http", "gradio"] if args.via == "both" else [args.via]
    results = []
    try:
        for n in sizes:
            qs = questions(args.questions, n)
            for via in vias:
                runs, wall = round_of(via, url, n, qs, headers, args.timeout)
                results.append(report(via, n, runs, wall))
        mem = memory(pid) if pid and Path(f"/proc/{pid}").exists() else {}
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"\napp process {pid}: peak memory VmHWM {mem.get('VmHWM', 'unknown')}" if pid else
          "\napp process not found: no memory figures")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
