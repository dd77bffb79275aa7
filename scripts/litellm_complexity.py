#!/usr/bin/env python3
"""Peer baseline for `lumen eval routing --litellm`: LiteLLM's ComplexityRouter with its default config.

Reads JSONL prompts ({"prompt": ...} per line) and writes one score per line: the tier as an
ordinal (SIMPLE=0, MEDIUM=1, COMPLEX=2, REASONING=3; ties are left as ties). Prints
`seconds_per_prompt=X` (classify time only, excluding start-up) on stderr.

Usage: litellm_complexity.py --in prompts.jsonl --out scores.txt
Needs `litellm` in the running interpreter (installed into .venv for benchmarks only).
"""
import argparse
import json
import os
import sys
import time

# Never fetch the model price map from the internet (the router does not need it).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_LOG", "ERROR")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in", dest="input", required=True, help="JSONL file with a 'prompt' per line")
    parser.add_argument("--out", dest="output", required=True, help="where to write one score per line")
    args = parser.parse_args()

    try:
        from unittest.mock import MagicMock

        from litellm.router_strategy.complexity_router import ComplexityRouter, ComplexityTier
    except ImportError as error:
        print(f"litellm_complexity: cannot import litellm's ComplexityRouter: {error}", file=sys.stderr)
        return 2

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

    # Same construction as LiteLLM's own evaluation (evals/eval_complexity_router.py): default
    # config, and a mock routing context, which classify() never touches.
    router = ComplexityRouter(model_name="lumen-peer", ctx=MagicMock())
    ordinal = {ComplexityTier.SIMPLE: 0, ComplexityTier.MEDIUM: 1, ComplexityTier.COMPLEX: 2, ComplexityTier.REASONING: 3}

    scores = []
    start = time.perf_counter()
    for prompt in prompts:
        tier, _score, _signals = router.classify(prompt)
        scores.append(ordinal[tier])
    elapsed = time.perf_counter() - start

    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{s}\n" for s in scores))
    print(f"seconds_per_prompt={elapsed / max(len(prompts), 1):.9f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
