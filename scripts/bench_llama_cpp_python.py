#!/usr/bin/env python3
"""Peer benchmark for `lumen-bench local`: the same GGUF driven by llama-cpp-python (llama_cpp.Llama).

Reads the already-templated prompt from --prompt-file, generates greedily (temperature 0) with the given
threads and max tokens, and prints one JSON object per run with the same measures Lumen reports:
prompt/completion tokens, time to first token, prompt-processing and generation tokens/s.
"""
import argparse
import json
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--prompt-file", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--max-tokens", type=int, required=True)
    parser.add_argument("--context", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--flash-attn", action="store_true")
    args = parser.parse_args()

    try:
        from llama_cpp import Llama, StoppingCriteriaList
    except ImportError as error:
        print(json.dumps({"error": f"llama_cpp is not importable: {error}"}))
        return 2

    with open(args.prompt_file, encoding="utf-8") as handle:
        prompt = handle.read()

    llm = Llama(
        model_path=args.model,
        n_ctx=args.context,
        n_batch=args.batch,
        n_ubatch=args.batch,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        n_gpu_layers=0,
        seed=1234,
        flash_attn=args.flash_attn,
        verbose=False,
    )
    tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)

    # Warm-up (not measured), as Lumen does.
    for _ in llm.create_completion(prompt=tokens, max_tokens=4, temperature=0.0, stream=True):
        pass

    for _ in range(args.runs):
        llm.reset()
        start = time.perf_counter()
        first = None
        sampled = [0]

        def count(_input_ids, _logits):
            # Called once per sampled token (the end-of-generation token included), and once more by
            # create_completion after its loop, whatever the finish reason.
            if sampled[0] == 0:
                nonlocal first
                first = time.perf_counter()
            sampled[0] += 1
            return False

        text = []
        finish = None
        for chunk in llm.create_completion(
            prompt=tokens,
            max_tokens=args.max_tokens,
            temperature=0.0,
            repeat_penalty=1.0,
            stream=True,
            stopping_criteria=StoppingCriteriaList([count]),
        ):
            text.append(chunk["choices"][0]["text"])
            finish = chunk["choices"][0].get("finish_reason") or finish
        end = time.perf_counter()
        completion = sampled[0] - 1 - (1 if finish == "stop" else 0)
        ttft = (first or end) - start
        print(json.dumps({
            "prompt_tokens": len(tokens),
            "completion_tokens": completion,
            "ttft_s": ttft,
            "total_s": end - start,
            "prompt_tps": len(tokens) / ttft if ttft > 0 else 0.0,
            "generation_tps": (completion - 1) / (end - first) if first and completion > 1 and end > first else 0.0,
            "text": "".join(text),
        }))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
