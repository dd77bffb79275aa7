#!/usr/bin/env python3
"""LiteLLM's ComplexityRouter with its default config, the peer of `lumen eval routing --litellm`
and `lumen-bench decision`.

Scores: reads JSONL prompts ({"prompt": ...} per line) and writes one score per line: the tier as
an ordinal (SIMPLE=0, MEDIUM=1, COMPLEX=2, REASONING=3) plus, below 1, the router's own raw score
squashed monotonically into [0, 0.99), so that prompts of one tier are ranked by that score. The
tier alone is a poor baseline: 80% of MMLU questions share one tier, which ranks them at random
(APGR 0.500), where the router's score ranks them (0.58 here, ~0.59 in issue #14's table). Prints
`seconds_per_prompt=X` (classify time only, excluding start-up) on stderr.
Timing: `--bench PROMPT_FILE...` prints one line per file, the median microseconds per
classification (one core, in process, after a warm-up).

Usage: litellm_complexity.py --in prompts.jsonl --out scores.txt
       litellm_complexity.py --bench PROMPT_FILE...
Needs `litellm` in the running interpreter (installed into .venv-bench for benchmarks only).
"""
import argparse
import json
import os
import statistics
import sys
import time

# Never fetch the model price map from the internet (the router does not need it).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_LOG", "ERROR")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in", dest="input", help="JSONL file with a 'prompt' per line")
    parser.add_argument("--out", dest="output", help="where to write one score per line")
    parser.add_argument("--bench", nargs="+", metavar="PROMPT_FILE", help="time classify() on each file's text")
    args = parser.parse_args()
    if not args.bench and not (args.input and args.output):
        parser.error("give --in and --out, or --bench")

    try:
        from unittest.mock import MagicMock

        from litellm.router_strategy.complexity_router import ComplexityRouter, ComplexityTier
    except ImportError as error:
        print(f"litellm_complexity: cannot import litellm's ComplexityRouter: {error}", file=sys.stderr)
        return 2

    # Same construction as LiteLLM's own evaluation (evals/eval_complexity_router.py): default
    # config, and a mock routing context, which classify() never touches.
    # The routing context is `ctx` in litellm 1.109, `litellm_router_instance` in 1.108 (the version
    # .venv-bench installs, the newest whose proxy extra installs here).
    import inspect

    parameters = inspect.signature(ComplexityRouter.__init__).parameters
    context = "ctx" if "ctx" in parameters else "litellm_router_instance"
    router = ComplexityRouter(model_name="lumen-peer", **{context: MagicMock()})
    if args.bench:
        return bench(router, args.bench)

    prompts = []
    with open(args.input, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                prompts.append(json.loads(line)["prompt"])
            except (ValueError, KeyError, TypeError) as error:
                print(f"litellm_complexity: {args.input}:{number}: expected {{\"prompt\": ...}}: {error}", file=sys.stderr)
                return 2

    ordinal = {ComplexityTier.SIMPLE: 0, ComplexityTier.MEDIUM: 1, ComplexityTier.COMPLEX: 2, ComplexityTier.REASONING: 3}

    import math

    scores = []
    start = time.perf_counter()
    for prompt in prompts:
        tier, score, _signals = router.classify(prompt)
        scores.append(ordinal[tier] + 0.99 * (0.5 + math.atan(float(score)) / math.pi))
    elapsed = time.perf_counter() - start

    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{s:.9f}\n" for s in scores))
    print(f"seconds_per_prompt={elapsed / max(len(prompts), 1):.9f}", file=sys.stderr)
    return 0


def bench(router, paths) -> int:
    for path in paths:
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
    sys.exit(main())
