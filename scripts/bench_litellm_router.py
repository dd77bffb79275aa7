#!/usr/bin/env python3
"""Times LiteLLM's ComplexityRouter.classify on prompt files, for `lumen bench decision`.

Usage: python scripts/bench_litellm_router.py --bench PROMPT_FILE...
Prints one line per file: the median microseconds per classification (one core, in process).
Exits 3 with a note on stderr when litellm is not installed in this interpreter.
"""
import os
import statistics
import sys
import time
from unittest.mock import MagicMock


def main(argv):
    if len(argv) < 2 or argv[0] != "--bench":
        print(__doc__, file=sys.stderr)
        return 2
    # Never let litellm fetch its model price map from the internet on import.
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    os.environ.setdefault("LITELLM_LOG", "ERROR")
    try:
        from litellm.router_strategy.complexity_router import ComplexityRouter
    except ImportError as error:
        print(f"litellm is not installed: {error}", file=sys.stderr)
        return 3
    # The routing context is only used for dispatch, never by classify(); LiteLLM's own eval passes a mock.
    router = ComplexityRouter(model_name="lumen-bench", ctx=MagicMock())
    for path in argv[1:]:
        with open(path, encoding="utf-8") as handle:
            prompt = handle.read()
        for _ in range(20):
            router.classify(prompt)
        iterations = 400 if len(prompt) <= 4096 else 60
        samples = []
        for _ in range(iterations):
            start = time.perf_counter_ns()
            router.classify(prompt)
            samples.append((time.perf_counter_ns() - start) / 1000.0)
        print(f"{statistics.median(samples):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
