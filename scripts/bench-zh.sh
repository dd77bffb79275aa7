#!/usr/bin/env bash
# Release-build micro benchmark of the classifier on ~1 KB prompts of Chinese text (200 prompts of
# consecutive CLUENER sentences) and on the 1 KB English prompt of `lumen bench decision`: classify()
# and the Chinese name scan alone, µs per KB (mean, p50, p99, median of per-prompt minima).
# The classifier sources are compiled into one module with the harness (-O -wmo), so the harness can
# call internal scanners. Usage: scripts/bench-zh.sh [SOURCE_ROOT] (default: this checkout); pass
# another checkout's root (e.g. `git archive REV Sources/LumenClassifier | tar -x -C /tmp/base`) to
# compare, and run both in the same window: the host is shared and noisy.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="${1:-$here}"
work="$(mktemp -d)"
python3 -c "
import json, sys
for l in open(sys.argv[1]):
    print(json.loads(l)['text'].replace('\n', ' '))
" "$here/../shared/data/sensitivity/cluener-train.jsonl" > "$work/texts.txt"
swiftc -O -wmo -module-name LumenClassifier "$src"/Sources/LumenClassifier/*.swift "$src"/Sources/LumenClassifier/*/*.swift \
  "$here/scripts/bench-common/Measure.swift" "$here/scripts/bench-zh/main.swift" -o "$work/bench"
cpu=$(( $(nproc) - 1 ))
taskset -c "$cpu" "$work/bench" "$work/texts.txt"
rm -rf "$work"
