#!/usr/bin/env python3
"""Breaks a `perf record -g` profile of the bot (LOAD_PERF=DIR, see compare.rs) down by
what the bot was doing, for the README's profile table.

    python3 benches/load/profile.py DIR/stackpick-finish-1.data [more.data ...]

Each sample is put in the category of its deepest frame that matches a rule below
(so `render` inside the handler counts as render, not as the handler); samples on
SQLite's blocking threads are split by what the statement work was. The cross-cutting
lines (kernel, allocator, context switches) overlap the categories.
"""

import re
import subprocess
import sys
from collections import Counter

# (category, pattern) in no particular order: the deepest matching frame wins.
WORKER_RULES = [
    ("gateway: read + decode the event", r"ShardRunner::run|shard_queuer"),
    ("serenity: dispatch (event clone, task)", r"dispatch_model|FullEvent as core::clone|FullEvent::dispatch"),
    ("handler: other", r"interaction_create|discord::handle|flow::click|commands::run"),
    ("handler: storage calls (pool, hand-off, session JSON)",
     r"stackpick::store::|stackpick::session::|deadpool|spawn_blocking|Queue>::run"),
    ("handler: scoring", r"stackpick::engine::"),
    ("handler: render", r"stackpick::discord::render|current_view|flow::view|Reply>::into|stackpick::text::"),
    ("REST callback: serenity HTTP client + hyper", r"Ctx>::respond|Ctx::respond|CreateInteractionResponse as serenity::builder::Builder>::execute|serenity::http::"),
    ("hyper connection I/O (REST client or endpoint server)", r"hyper::proto|hyper::client|UpgradeableConnection|hyper_util"),
    ("HTTP endpoint: axum + verify + parse", r"stackpick::discord::http::|axum::|hyper::server|Verifier"),
    ("metrics + tracing", r"metrics_exporter|metrics::|tracing_subscriber|tracing_core"),
    ("runtime: park / wake", r"worker::Context::park|Parker|park_timeout|Driver>::park|io::driver"),
]
BLOCKING_RULES = [
    ("SQLite thread: parse SQL (uncached prepare)", r"sqlite3Prepare|sqlite3RunParser|sqlite3LockAndPrepare"),
    ("SQLite thread: run statements", r"sqlite3|rusqlite"),
    ("SQLite thread: wait / wake", r"Condvar|futex|park|recv"),
]
CROSS = [
    ("kernel (syscalls, scheduler, TCP)", r"\[k\]"),
    ("context switches (finish_task_switch)", r"finish_task_switch"),
    ("futex (thread wake / wait)", r"futex"),
    ("allocator (malloc / free)", r"malloc|cfree|_int_free|unlink_chunk|__rust_alloc|__rust_dealloc|\bmi_|mimalloc"),
]


def samples(path):
    out = subprocess.run(
        ["perf", "script", "-i", path, "-F", "comm,ip,sym"],
        capture_output=True, text=True, check=True,
    ).stdout
    for block in out.split("\n\n"):
        lines = block.strip().splitlines()
        if not lines:
            continue
        # The thread's name, then its frames.
        frames = ["[thread] " + lines[0].strip()]
        for line in lines[1:]:
            parts = line.strip().split(None, 1)
            if len(parts) == 2:
                ip, sym = parts
                kernel = ip.startswith("ffffffff")
                frames.append(("[k] " if kernel else "") + sym)
        if len(frames) > 1:
            yield frames[1:] + frames[:1]  # leaf first, the thread last


ALLOCATOR = r"malloc|cfree|_int_free|unlink_chunk|\bmi_|mimalloc"


def classify(frames):
    stack = "\n".join(frames)
    if re.search(r"sqlite3|rusqlite", stack):
        for name, pattern in BLOCKING_RULES[:2]:
            if re.search(pattern, stack):
                return name
    if "worker::run" not in stack and "block_on" not in stack:
        if "blocking::pool" in stack or "[thread] sqlite-" in stack:
            for name, pattern in BLOCKING_RULES:
                if re.search(pattern, stack):
                    return name
            return "SQLite thread: other (task glue)"
        if re.search(ALLOCATOR, frames[0]):
            # glibc has no frame pointers: the caller is lost.
            return "allocator (caller unknown)"
        return "unattributed (stack lost)"
    # Deepest matching frame: frames are leaf first.
    for frame in frames:
        for name, pattern in WORKER_RULES:
            if re.search(pattern, frame):
                return name
    return "runtime / other"


def main():
    for path in sys.argv[1:]:
        counts, cross, total = Counter(), Counter(), 0
        for frames in samples(path):
            total += 1
            counts[classify(frames)] += 1
            stack = "\n".join(frames)
            for name, pattern in CROSS:
                if re.search(pattern, stack):
                    cross[name] += 1
        print(f"{path}: {total} samples")
        for name, n in counts.most_common():
            print(f"  {100 * n / total:5.1f} %  {name}")
        print("  cross-cutting:")
        for name, _ in CROSS:
            print(f"  {100 * cross[name] / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
