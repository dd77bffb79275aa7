#!/usr/bin/env python3
"""Ceiling check for `lumen-bench local`: llama.cpp's own multi-sequence decode, driven from Python.

Loads the GGUF through llama-cpp-python's low-level bindings (the same libllama Lumen links), feeds the
same templated prompt to N sequences, then runs greedy decode steps where each `llama_decode` call carries
one token of every sequence — the best case of continuous batching, with no scheduler around it. Prints one
JSON object per sequence count: decode tokens/s summed over all sequences, and the ratio to one sequence.

What this measures is what batching can buy on this machine, model and thread count: no runtime built on
this libllama can decode N sequences faster than llama.cpp does here.
"""
import argparse
import ctypes
import json
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--prompt-file", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--steps", type=int, default=64, help="decode steps measured per sequence count")
    parser.add_argument("--sequences", default="1,2,4")
    parser.add_argument("--context-per-sequence", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per sequence count; the median is reported")
    parser.add_argument("--flash-attn", action="store_true", help="flash attention on (off otherwise, as llama_cpp.Llama's default)")
    args = parser.parse_args()

    try:
        import llama_cpp as L
        import numpy as np
    except ImportError as error:
        print(json.dumps({"error": f"llama_cpp is not importable: {error}"}))
        return 2

    with open(args.prompt_file, encoding="utf-8") as handle:
        prompt = handle.read().encode("utf-8")

    # llama.cpp's own log lines would bury the results on stderr.
    @L.llama_log_callback
    def quiet(level, text, user_data):
        pass

    L.llama_log_set(quiet, ctypes.c_void_p(0))
    L.llama_backend_init()
    mparams = L.llama_model_default_params()
    mparams.n_gpu_layers = 0
    model = L.llama_model_load_from_file(args.model.encode("utf-8"), mparams)
    if not model:
        print(json.dumps({"error": f"could not load {args.model}"}))
        return 2
    vocab = L.llama_model_get_vocab(model)
    n_vocab = L.llama_vocab_n_tokens(vocab)
    buffer = (L.llama_token * (len(prompt) + 16))()
    n_prompt = L.llama_tokenize(vocab, prompt, len(prompt), buffer, len(buffer), True, True)
    if n_prompt <= 0:
        print(json.dumps({"error": "could not tokenize the prompt"}))
        return 2
    tokens = list(buffer[:n_prompt])
    counts = [int(n) for n in args.sequences.split(",")]
    max_seq = max(counts)

    # One context for every count, as Lumen's scheduler has: one KV stream per slot (kv_unified off).
    cparams = L.llama_context_default_params()
    cparams.n_ctx = args.context_per_sequence * max_seq
    cparams.n_batch = max(512, n_prompt)
    cparams.n_ubatch = max(512, n_prompt)
    cparams.n_seq_max = max_seq
    cparams.n_threads = args.threads
    cparams.n_threads_batch = args.threads
    cparams.kv_unified = False
    cparams.flash_attn_type = L.LLAMA_FLASH_ATTN_TYPE_ENABLED if args.flash_attn else L.LLAMA_FLASH_ATTN_TYPE_DISABLED
    ctx = L.llama_init_from_model(model, cparams)
    if not ctx:
        print(json.dumps({"error": "could not create a context"}))
        return 2
    memory = L.llama_get_memory(ctx)
    batch = L.llama_batch_init(max(512, n_prompt), 0, max_seq)

    def fill(entries):
        # entries: (token, pos, seq, wants_logits)
        for i, (token, pos, seq, logits) in enumerate(entries):
            batch.token[i] = token
            batch.pos[i] = pos
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = seq
            batch.logits[i] = logits
        batch.n_tokens = len(entries)

    def argmax(index):
        row = L.llama_get_logits_ith(ctx, index)
        return int(np.ctypeslib.as_array(ctypes.cast(row, ctypes.POINTER(ctypes.c_float)), shape=(n_vocab,)).argmax())

    def run(n):
        L.llama_memory_clear(memory, True)
        # Prompt of every sequence (not timed).
        last = []
        for seq in range(n):
            fill([(t, p, seq, p == n_prompt - 1) for p, t in enumerate(tokens)])
            if L.llama_decode(ctx, batch) != 0:
                raise RuntimeError("prompt decode failed")
            last.append(argmax(n_prompt - 1))
        pos = n_prompt
        start = time.perf_counter()
        for _ in range(args.steps):
            fill([(last[seq], pos, seq, True) for seq in range(n)])
            if L.llama_decode(ctx, batch) != 0:
                raise RuntimeError("decode failed")
            last = [argmax(i) for i in range(n)]
            pos += 1
        elapsed = time.perf_counter() - start
        return n * args.steps / elapsed

    run(1)  # warm-up
    base = None
    for n in counts:
        rates = sorted(run(n) for _ in range(args.rounds))
        rate = rates[len(rates) // 2]
        base = base or rate
        print(json.dumps({"sequences": n, "decode_tps": rate, "ratio_to_one": rate / base, "rounds": rates}))
        sys.stdout.flush()

    L.llama_batch_free(batch)
    L.llama_free(ctx)
    L.llama_model_free(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
