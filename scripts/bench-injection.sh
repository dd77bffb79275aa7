#!/usr/bin/env bash
# Release-build micro benchmark of the prompt-injection screen (InjectionModel.assess) alone, µs per
# KB, on ~1 KB prompts put together from consecutive rows of ../shared/data/injection/{en,zh}-dev.jsonl
# (200 per language, benign and injected rows as they come), on the 1 KB English and Chinese prompts
# of `lumen-bench decision`, and on a 50 KB tool result; classify() on the same prompts for scale.
# The classifier sources are compiled into one module with the harness (-O -wmo), pinned to the last
# CPU. Usage: scripts/bench-injection.sh [SOURCE_ROOT] (default: this checkout); pass another
# checkout's root (e.g. `git archive main Sources/LumenClassifier | tar -x -C /tmp/base`) to compare,
# and run both in the same window: the host is shared and noisy.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="${1:-$here}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for lang in en zh; do
  python3 -c "
import json, sys
for l in open(sys.argv[1]):
    print(json.loads(l)['text'].replace('\n', ' '))
" "$here/../shared/data/injection/$lang-dev.jsonl" > "$work/$lang.txt"
done
swiftc -O -wmo -module-name LumenClassifier "$src"/Sources/LumenClassifier/*.swift "$src"/Sources/LumenClassifier/*/*.swift \
  "$here/scripts/bench-common/Measure.swift" "$here/scripts/bench-injection/main.swift" -o "$work/bench"
cpu=$(( $(nproc) - 1 ))
taskset -c "$cpu" "$work/bench" "$work/en.txt" "$work/zh.txt"
