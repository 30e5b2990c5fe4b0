"""Benchmark peer: Microsoft MSAL for Python (Debian package python3-msal), timed in-process.

Usage:
    /usr/bin/python3 bench/peers/msal_mex.py --mex FILE [--rstr FILE] [--min-time 1.0] [--rounds 5]

Times, on documents already in memory (no network), what MSAL does once it holds a body:
  mex:  msal.mex.Mex(text).get_wstrust_username_password_endpoint()
        (as msal.mex.send_request does with requests' `resp.text`)
  rstr: msal.wstrust_response.parse_response(text)
        (as msal.wstrust_request.send_request does with `resp.text`)

Documents are read as UTF-8 text with any BOM kept (U+FEFF), which is what `resp.text` gives for a
UTF-8 response; MSAL hands the str to ElementTree, which accepts the leading BOM.

Each operation is warmed up, then run in rounds of an adaptive iteration count until at least
--min-time seconds and --rounds rounds have been spent on it; the per-op time of the median round is
reported. The garbage collector stays enabled (as in the Node side). Prints exactly one JSON line:

  {"msal_version": "...", "python": "...",
   "mex": {"us_per_op": .., "ops": .., "rounds": .., "endpoint": "...", "version": "1.3"|"2005"},
   "rstr": {"us_per_op": .., "ops": .., "rounds": .., "token_type": "...", "token_bytes": ..} | null}

On failure (msal not importable, no endpoint found, ...) prints {"error": "..."} and exits non-zero.
"""

import argparse
import json
import platform
import statistics
import sys
import time


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def fail(message, code=2):
    emit({"error": message})
    sys.exit(code)


def measure(fn, min_time, rounds):
    """Returns (seconds per op of the median round, total timed ops, rounds run)."""
    clock = time.perf_counter
    # Warm-up: a few calls, and at least ~10% of the budget (bounded).
    warm_until = clock() + min(0.25, max(0.02, min_time * 0.1))
    fn()
    while clock() < warm_until:
        fn()
    # Calibrate: double the batch until it is measurable (>= 10% of a round), then scale it so
    # that one round lasts about min_time / rounds.
    target = min_time / rounds
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            fn()
        elapsed = clock() - t0
        if elapsed >= target * 0.1:
            break
        n *= 2
    n = max(1, round(n * target / elapsed))
    # Timed rounds.
    per_op = []
    total_ops = 0
    spent = 0.0
    while len(per_op) < rounds or spent < min_time:
        t0 = clock()
        for _ in range(n):
            fn()
        elapsed = clock() - t0
        per_op.append(elapsed / n)
        total_ops += n
        spent += elapsed
    return statistics.median(per_op), total_ops, len(per_op)


def read_text(path):
    # Like requests' resp.text for a UTF-8 body: decoded, BOM (if any) kept as U+FEFF.
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mex", required=True, help="MEX (WS-MetadataExchange) document")
    parser.add_argument("--rstr", help="WS-Trust RequestSecurityTokenResponse document")
    parser.add_argument("--min-time", type=float, default=1.0, help="seconds per operation")
    parser.add_argument("--rounds", type=int, default=5, help="minimum number of timed rounds")
    args = parser.parse_args()
    if args.min_time <= 0 or args.rounds < 1:
        fail("--min-time must be > 0 and --rounds >= 1")

    try:
        import msal
        from msal.mex import Mex
    except Exception as e:  # ImportError, or a broken install
        fail("python3-msal not importable: %s: %s" % (type(e).__name__, e), 3)

    try:
        from msal.wstrust_response import parse_response
    except Exception:
        parse_response = None

    try:
        mex_doc = read_text(args.mex)
        rstr_doc = read_text(args.rstr) if args.rstr else None
    except (OSError, UnicodeDecodeError) as e:
        fail("cannot read document: %s: %s" % (type(e).__name__, e))

    def select_mex():
        return Mex(mex_doc).get_wstrust_username_password_endpoint()

    try:
        endpoint = select_mex()
    except Exception as e:
        fail("msal MEX processing failed: %s: %s" % (type(e).__name__, e))
    if not endpoint:
        fail("msal found no username/password WS-Trust endpoint in %s" % args.mex)
    version = {Mex.ACTION_13: "1.3", Mex.ACTION_2005: "2005"}.get(endpoint.get("action"))

    mex_sec, mex_ops, mex_rounds = measure(select_mex, args.min_time, args.rounds)
    result = {
        "msal_version": getattr(msal, "__version__", None),
        "python": platform.python_version(),
        "mex": {
            "us_per_op": round(mex_sec * 1e6, 3),
            "ops": mex_ops,
            "rounds": mex_rounds,
            "endpoint": endpoint.get("address"),
            "version": version,
        },
        "rstr": None,
    }

    if rstr_doc is not None and parse_response is not None:

        def process_rstr():
            return parse_response(rstr_doc)

        try:
            parsed = process_rstr()
        except Exception as e:
            fail("msal RSTR processing failed: %s: %s" % (type(e).__name__, e))
        rstr_sec, rstr_ops, rstr_rounds = measure(process_rstr, args.min_time, args.rounds)
        result["rstr"] = {
            "us_per_op": round(rstr_sec * 1e6, 3),
            "ops": rstr_ops,
            "rounds": rstr_rounds,
            "token_type": parsed.get("type"),
            "token_bytes": len(parsed.get("token") or b""),
        }

    emit(result)


if __name__ == "__main__":
    main()
