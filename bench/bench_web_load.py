"""Web load benchmark: simulated users against a running tsunagu server on loopback.

Phase 1 (steady load): ``--users`` simulated users (default 50), each logged in with its own session,
each sending one request every ``--think`` seconds on average (exponential gaps, default 2 s, so about
25 requests/s in all) for ``--duration`` seconds: 70% searches (``GET /api/v1/search``), 25% page views
(home, search results page, a patent page, the open-patent list) and 5% 用途探索
(``POST /api/v1/discoveries``). Reported: throughput, p50/p95 per request type, errors.

Phase 2 (saturation, unless ``--no-ramp``): open-loop Poisson arrivals at increasing total rates
(``--ramp``, requests/s, same mix), ``--step`` seconds each, until search p95 passes 1 s or errors
appear; the saturation point is the highest rate whose search p95 stayed under 1 s (and the first
that passed it).

The load generator runs on the same machine as the server and shares its CPU cores (2 on the
project's machines): every figure includes that competition, and the JSON records the core count and
load average.

Without ``--url`` the script starts ``tsunagu serve`` itself on a free port for the data folder
``--home`` (default ``$TSUNAGU_HOME``; build the demo first with ``tsunagu demo``) with
``--workers`` processes, and creates a benchmark user there. With ``--url`` it drives that server and
needs ``--username``/``--password`` of an existing user.

Usage: ``python bench/bench_web_load.py [--duration 180] [--workers 2] [--out bench/results/web_load.json]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

QUERIES = (
    "運転者の眠気を心拍から検出する",
    "detect driver drowsiness from heart rate",
    "車線逸脱を警報する装置",
    "pizza dough sheeting machine",
    "ジェットエンジンのタービン翼の冷却",
    "jet engine fan blade containment",
    "zinc finger protein gene regulation",
    "自動運転 車両制御 障害物",
    "thermal protection coating for spacecraft",
    "電池の残量推定",
    "image recognition neural network",
    "食品 包装 保存",
)
DISCOVERY_TEXTS = (
    "心拍や脳波から人の眠気や疲労を推定するセンシング技術",
    "a coating that protects metal parts from very high temperatures",
    "生地を薄く均一に延ばす成形ローラー",
)
MIX = (("search", 0.70), ("page", 0.25), ("discover", 0.05))
#: Queries actually used (the fixed examples plus titles drawn from the corpus, see `query_pool`).
POOL: list[str] = list(QUERIES)
LOAD_BEFORE: list[float] = []
SEARCH_P95_LIMIT = 1.0


@dataclass
class Stats:
    """Latencies (seconds) and errors per request type."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_examples: list[str] = field(default_factory=list)
    unavailable: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    queries: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def record(self, kind: str, seconds: float, status: int, detail: str = "") -> None:
        if status == 503:
            self.unavailable[kind] += 1
            return
        if status >= 300 or status == 0:  # a redirect means the session was not accepted
            self.errors[kind] += 1
            if len(self.error_examples) < 10:
                self.error_examples.append(f"{kind}: {status} {detail[:160]}")
            return
        self.latencies[kind].append(seconds)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(stats: Stats, seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {"seconds": round(seconds, 1), "types": {}}
    total = 0
    for kind, _ in MIX:
        lat = stats.latencies.get(kind, [])
        total += len(lat) + stats.errors.get(kind, 0) + stats.unavailable.get(kind, 0)
        out["types"][kind] = {
            "requests": len(lat) + stats.errors.get(kind, 0),
            "ok": len(lat),
            "errors": stats.errors.get(kind, 0),
            "unavailable_503": stats.unavailable.get(kind, 0),
            "p50_ms": None if not lat else round(1000 * (percentile(lat, 50) or 0), 1),
            "p95_ms": None if not lat else round(1000 * (percentile(lat, 95) or 0), 1),
        }
    out["requests"] = total
    out["throughput_rps"] = round(total / seconds, 2) if seconds else 0.0
    out["errors"] = sum(stats.errors.values())
    sent = sum(stats.queries.values())
    out["search_queries_sent"] = sent
    out["distinct_queries"] = len(stats.queries)
    out["error_examples"] = stats.error_examples
    return out


class User:
    """One simulated person: a logged-in client (session cookie for pages, bearer token for the API)."""

    def __init__(self, base: str, token: str, cookie_token: str, patent_keys: list[str]) -> None:
        self.client = httpx.AsyncClient(
            base_url=base,
            timeout=60,
            headers={"Authorization": f"Bearer {token}"},
            cookies={"tsunagu_session": cookie_token},
        )
        self.page_client = httpx.AsyncClient(
            base_url=base, timeout=60, cookies={"tsunagu_session": cookie_token}
        )
        self.patent_keys = patent_keys

    async def request(self, kind: str, rng: random.Random, stats: Stats) -> None:
        started = time.perf_counter()
        status, detail = 0, ""
        try:
            if kind == "search":
                q = rng.choice(POOL)
                stats.queries[q] += 1
                r = await self.client.get("/api/v1/search", params={"q": q, "per_page": 10})
            elif kind == "discover":
                # the example descriptions, or a corpus title (so that most discoveries are not repeats)
                text = (
                    rng.choice(DISCOVERY_TEXTS)
                    if rng.random() < 0.2 or len(POOL) <= len(QUERIES)
                    else rng.choice(POOL)
                )
                r = await self.client.post("/api/v1/discoveries", json={"text": text, "ideas": 5})
            else:
                choice = rng.random()
                if choice < 0.3:
                    r = await self.page_client.get("/")
                elif choice < 0.65:
                    q = rng.choice(POOL)
                    stats.queries[q] += 1
                    r = await self.page_client.get("/search", params={"q": q})
                elif choice < 0.85 and self.patent_keys:
                    r = await self.page_client.get(f"/patents/{rng.choice(self.patent_keys)}")
                else:
                    r = await self.page_client.get("/matching")
            status, detail = r.status_code, (r.text if r.status_code >= 400 else "")
        except httpx.HTTPError as exc:
            status, detail = 0, f"{type(exc).__name__}: {exc}"
        stats.record(kind, time.perf_counter() - started, status, detail)

    async def close(self) -> None:
        await self.client.aclose()
        await self.page_client.aclose()


def pick(rng: random.Random) -> str:
    x = rng.random()
    acc = 0.0
    for kind, share in MIX:
        acc += share
        if x < acc:
            return kind
    return MIX[-1][0]


async def closed_loop(users: list[User], think: float, duration: float, seed: int) -> tuple[Stats, float]:
    """Each user: wait an exponential think time, send one request, repeat."""
    stats = Stats()
    deadline = time.perf_counter() + duration

    async def run(i: int, user: User) -> None:
        rng = random.Random(seed * 1000 + i)
        await asyncio.sleep(rng.uniform(0, think))  # spread the start
        while time.perf_counter() < deadline:
            await user.request(pick(rng), rng, stats)
            await asyncio.sleep(min(rng.expovariate(1.0 / think), max(0.0, deadline - time.perf_counter())))

    started = time.perf_counter()
    await asyncio.gather(*(run(i, u) for i, u in enumerate(users)))
    return stats, time.perf_counter() - started


async def open_loop(
    users: list[User], rate: float, duration: float, seed: int, max_in_flight: int = 400
) -> tuple[Stats, float]:
    """Poisson arrivals at ``rate`` requests/s spread over the users (requests do not wait for each other)."""
    stats = Stats()
    rng = random.Random(seed)
    tasks: set[asyncio.Task[None]] = set()
    started = time.perf_counter()
    next_at = started
    while next_at < started + duration:
        now = time.perf_counter()
        if next_at > now:
            await asyncio.sleep(next_at - now)
        if len(tasks) < max_in_flight:
            task = asyncio.create_task(rng.choice(users).request(pick(rng), rng, stats))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        else:
            stats.record("search", 0.0, 0, "client-side limit of requests in flight reached")
        next_at += rng.expovariate(rate)
    if tasks:
        await asyncio.gather(*tasks)
    return stats, time.perf_counter() - started


def group_cpu_seconds(pgid: int | None) -> float | None:
    """User + system CPU seconds of every process in the process group ``pgid`` (the server and its
    workers), from /proc; None when unknown (no group, or no /proc)."""
    if pgid is None or not Path("/proc").is_dir():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, …, utime (11), stime (12)
            total += int(fields[11]) + int(fields[12])
    return total / tick


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    exe = Path(sys.executable).with_name("tsunagu")
    env = dict(os.environ, TSUNAGU_HOME=str(home))
    log = open(home / "bench_web_server.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"server exited; see {home / 'bench_web_server.log'}")
        try:
            if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not start")


def query_pool(home: Path, n: int, seed: int) -> list[str]:
    """The fixed example queries plus ``n`` titles drawn at random from the corpus of ``home``, so
    that most searches are not repeats (a server-side cache sees a realistic mix)."""
    from tsunagu.app import App
    from tsunagu.settings import Settings

    app = App.from_settings(Settings.from_env(home=home))
    try:
        titles = [r["title"] for r in app.store.iter_rows(["title"]) if len(r["title"] or "") >= 8]
    finally:
        app.close()
    rng = random.Random(seed)
    return list(QUERIES) + rng.sample(titles, min(n, len(titles)))


def bench_user(home: Path) -> tuple[str, str]:
    """Create (or reset) the benchmark user in ``home``."""
    from tsunagu.app import App
    from tsunagu.services.accounts import generate_password
    from tsunagu.settings import Settings

    app = App.from_settings(Settings.from_env(home=home))
    try:
        password = generate_password()
        user = app.accounts.find_user("bench-load")
        if user is None:
            app.accounts.add_user(
                "bench-load", password, "coordinator", display_name="load benchmark", actor="bench_web_load"
            )
        else:
            app.accounts.set_password(user.id, password, actor="bench_web_load")
        return "bench-load", password
    finally:
        app.close()


async def warm(url: str, username: str, password: str, n: int) -> tuple[list[User], list[str]]:
    """Log in ``n`` users (sequentially: argon2 is deliberately slow) and collect patent keys to view."""
    users: list[User] = []
    keys: list[str] = []
    for i in range(n):
        # a fresh client per login: a login that carries an earlier session cookie ends that session
        async with httpx.AsyncClient(base_url=url, timeout=60) as c:
            r = await c.post("/api/v1/sessions", json={"username": username, "password": password})
            if r.status_code != 201:
                raise SystemExit(f"login failed: {r.status_code} {r.text[:200]}")
            token = r.json()["token"]
            if i == 0:
                for q in QUERIES[:4]:
                    s = await c.get(
                        "/api/v1/search",
                        params={"q": q, "per_page": 10},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    keys += [h["key"] for h in s.json().get("items", [])]
            users.append(User(url, token, token, keys))
    return users, keys


def print_table(title: str, summary: dict[str, Any]) -> None:
    print(
        f"\n{title}: {summary['requests']} requests in {summary['seconds']} s = "
        f"{summary['throughput_rps']} req/s, errors {summary['errors']}"
    )
    print(f"  {'type':<10}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, row in summary["types"].items():
        p50 = "-" if row["p50_ms"] is None else f"{row['p50_ms']:.0f}"
        p95 = "-" if row["p95_ms"] is None else f"{row['p95_ms']:.0f}"
        extra = f"  ({row['unavailable_503']} × 503 not installed)" if row["unavailable_503"] else ""
        print(f"  {kind:<10}{row['requests']:>10}{row['errors']:>8}{p50:>10}{p95:>10}{extra}")


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    proc = None
    url = args.url
    username, password = args.username, args.password
    if not url:
        home = Path(args.home or os.environ.get("TSUNAGU_HOME") or Path.home() / ".tsunagu")
        username, password = bench_user(home)
        if args.query_pool:
            POOL[:] = query_pool(home, args.query_pool, args.seed)
        proc, url = start_server(home, args.workers)
    try:
        users, _keys = await warm(url, username, password, args.users)
        # one warm-up request of each kind so model loading is not measured
        rng = random.Random(0)
        for kind in ("search", "page", "discover"):
            await users[0].request(kind, rng, Stats())
        pgid = proc.pid if proc is not None else None
        cpu_before, own_before = group_cpu_seconds(pgid), time.process_time()
        steady, seconds = await closed_loop(users, args.think, args.duration, args.seed)
        cpu_after, own_after = group_cpu_seconds(pgid), time.process_time()
        result: dict[str, Any] = {
            "steady": summarise(steady, seconds)
            | {
                "users": args.users,
                "think_s": args.think,
                "target_rps": round(args.users / args.think, 1),
                "query_pool": len(POOL),
            },
        }
        served = result["steady"]["requests"]
        if cpu_before is not None and cpu_after is not None and served:
            server_cpu = cpu_after - cpu_before
            result["steady"]["server_cpu_s"] = round(server_cpu, 1)
            result["steady"]["server_cpu_ms_per_request"] = round(1000 * server_cpu / served, 1)
            result["steady"]["load_generator_cpu_s"] = round(own_after - own_before, 1)
            result["steady"]["capacity_rps_on_2_free_cores"] = (
                round(2 * served / server_cpu, 1) if server_cpu else None
            )
        print_table(
            f"steady load ({args.users} users, one request per {args.think} s each)", result["steady"]
        )
        if "server_cpu_ms_per_request" in result["steady"]:
            s = result["steady"]
            print(
                f"  server CPU {s['server_cpu_s']} s = {s['server_cpu_ms_per_request']} ms per request "
                f"(load generator {s['load_generator_cpu_s']} s); two dedicated cores would serve about "
                f"{s['capacity_rps_on_2_free_cores']} req/s of this mix"
            )
        ramp: list[dict[str, Any]] = []
        saturation: dict[str, Any] = {
            "search_p95_limit_ms": SEARCH_P95_LIMIT * 1000,
            "max_rate_under_limit": None,
            "first_rate_over_limit": None,
        }
        if not args.no_ramp:
            for rate in args.ramp:
                stats, secs = await open_loop(users, rate, args.step, args.seed + int(rate))
                step = summarise(stats, secs) | {"offered_rps": rate}
                ramp.append(step)
                print_table(f"open-loop step at {rate} req/s offered", step)
                p95 = step["types"]["search"]["p95_ms"]
                if p95 is not None and p95 <= SEARCH_P95_LIMIT * 1000 and step["errors"] == 0:
                    saturation["max_rate_under_limit"] = rate
                else:
                    saturation["first_rate_over_limit"] = rate
                    break
        result["ramp"] = ramp
        result["saturation"] = saturation
        for u in users:
            await u.close()
        return result
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="", help="a running server (default: start one for --home)")
    parser.add_argument(
        "--home", default="", help="data folder of the server to start (default $TSUNAGU_HOME)"
    )
    parser.add_argument("--username", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (when started here)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between a user's requests")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of steady load (at most 600)")
    parser.add_argument("--ramp", type=float, nargs="+", default=[25, 40, 60, 80, 120, 160])
    parser.add_argument("--step", type=float, default=30.0, help="seconds per ramp step")
    parser.add_argument("--no-ramp", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--query-pool",
        type=int,
        default=2000,
        help="corpus titles added to the example queries (0: the 12 examples only)",
    )
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "web_load.json"))
    args = parser.parse_args()
    args.duration = min(args.duration, 600.0)
    if args.url and not (args.username and args.password):
        raise SystemExit("--url needs --username and --password")
    LOAD_BEFORE[:] = [round(x, 2) for x in os.getloadavg()]
    result = asyncio.run(main_async(args))
    result["machine"] = {
        "cpu_count": os.cpu_count(),
        "load_average_before": LOAD_BEFORE,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "note": "load generator and server share the same CPU cores (loopback)",
    }
    result["settings"] = {k: v for k, v in vars(args).items() if k not in ("password",)}
    sat = result["saturation"]
    print(
        f"\nsaturation: search p95 stayed under 1 s up to {sat['max_rate_under_limit']} req/s offered; "
        f"first step over: {sat['first_rate_over_limit']}"
    )
    print("note: the load generator runs on the same cores as the server")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
