#!/usr/bin/env python3
"""End-to-end checks of `lumen serve`'s Anthropic Messages and OpenAI Responses APIs, driven by the
official `anthropic` SDK and the `openai` SDK's Responses client, unmodified.

Run by Tests/LumenEndToEndTests/AgentAPIEndToEndTests.swift, which starts an echoing fake upstream
that also plays a tool round (`lumen fake-upstream --echo --tool-round --anthropic`) and
`lumen serve` with a policy whose `claude` target is Anthropic-shaped and `remote` target
OpenAI-shaped; by hand:

    LUMEN_URL=http://127.0.0.1:8080 LUMEN_KEY=k .venv/bin/python scripts/e2e_agent_sdks.py anthropic responses

Suites:
  anthropic   POST /v1/messages: plain, streamed (the exact event sequence), a tool-use loop,
              a secret kept local, personal data redacted and restored in the stream, usage and
              cost on the final event, every error status in Anthropic's shape, count_tokens
  responses   POST /v1/responses: plain, streamed (response.* events), a function-call loop,
              a secret kept local, redaction restored in the stream, usage and cost,
              previous_response_id, error statuses

Prints one line per check ("ok NAME" / "FAIL NAME: why"); exits 1 if any check failed.
"""

import json
import os
import sys
import traceback

import anthropic
import httpx
import openai

BASE = os.environ.get("LUMEN_URL", "http://127.0.0.1:8080").rstrip("/")
KEY = os.environ.get("LUMEN_KEY", "no-key")
MAX_BODY = int(os.environ.get("LUMEN_MAX_BODY", "65536"))
# Markers the Swift test looks for in (or must not find in) the fake upstream's recorded bodies.
SECRET = "AKIAZ7QX3MPL5NR2VT4E"
EMAIL = "agent.marker@example.org"
MARKER = "lumen-tool-round-ok"
BASH = {
    "name": "Bash",
    "description": "Run a shell command and return its output.",
    "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
}
EXEC = {
    "type": "function",
    "name": "exec_command",
    "description": "Run a shell command.",
    "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]},
}

failures = []


def check(name):
    def wrap(fn):
        try:
            fn()
            print(f"ok {name}", flush=True)
        except Exception as exc:  # noqa: BLE001 - report every failure and go on
            failures.append(name)
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            print(f"FAIL {name}: {detail}", flush=True)
        return fn

    return wrap


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def run_command(command):
    """What a client's tool runner would do: here, only the fake model's `echo`."""
    expect(command.startswith("echo "), f"unexpected command {command!r}")
    return command[5:] + "\n"


# ---------------------------------------------------------------------------------------------
def suite_anthropic():
    c = anthropic.Anthropic(base_url=BASE, api_key=KEY, max_retries=0, timeout=60)

    @check("anthropic: plain answer through the Anthropic-shaped target, headers and usage with cost")
    def _():
        raw = c.messages.with_raw_response.create(
            model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "Say the word lantern."}]
        )
        msg = raw.parse()
        expect(msg.type == "message" and msg.role == "assistant", f"{msg}")
        expect(msg.content[0].type == "text" and "lantern" in msg.content[0].text, f"{msg.content}")
        expect(msg.stop_reason == "end_turn", msg.stop_reason)
        expect(msg.usage.input_tokens > 0 and msg.usage.output_tokens > 0, f"{msg.usage}")
        expect((msg.usage.model_extra or {}).get("cost_usd", 0) > 0, f"no cost in {msg.usage}")
        expect(raw.headers["x-lumen-route"] == "remote" and raw.headers["x-lumen-target"] == "claude", dict(raw.headers))

    @check("anthropic: streamed answer, exact event sequence, usage and cost on message_delta")
    def _():
        names = []
        text = ""
        usage = None
        with c.messages.create(
            model="claude-sonnet-4-5", max_tokens=64, stream=True, messages=[{"role": "user", "content": "Stream the word beacon please."}]
        ) as stream:
            for event in stream:
                names.append(event.type)
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    text += event.delta.text
                if event.type == "message_delta":
                    usage = event.usage
        expect(names[0] == "message_start" and names[-1] == "message_stop", names)
        expect("content_block_start" in names and "content_block_stop" in names and "message_delta" in names, names)
        expect(names.index("content_block_start") < names.index("content_block_delta") < names.index("content_block_stop"), names)
        expect("beacon" in text, text)
        expect(usage is not None and usage.output_tokens > 0, f"{usage}")
        expect((usage.model_extra or {}).get("cost_usd", 0) > 0, f"no cost in {usage}")

    @check("anthropic: helper stream API returns the final message")
    def _():
        with c.messages.stream(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "Echo harbour."}]) as s:
            final = s.get_final_message()
        expect("harbour" in final.content[0].text, f"{final}")

    for streamed, thinking in [(s, t) for s in (False, True) for t in (None, {"type": "enabled", "budget_tokens": 1024})]:
        label = ("streamed" if streamed else "whole") + (", extended thinking" if thinking else "")

        @check(f"anthropic: tool-use loop ({label})")
        def _(streamed=streamed, thinking=thinking):
            # With thinking on, the upstream (like Anthropic) refuses the second round unless the
            # assistant turn starts with the signed thinking block it was answered with.
            extra = {"thinking": thinking} if thinking else {}
            messages = [{"role": "user", "content": "Run a shell command for me."}]
            for _round in range(3):
                if streamed:
                    with c.messages.stream(model="claude-sonnet-4-5", max_tokens=2048, tools=[BASH], messages=messages, **extra) as s:
                        msg = s.get_final_message()
                else:
                    msg = c.messages.create(model="claude-sonnet-4-5", max_tokens=2048, tools=[BASH], messages=messages, **extra)
                if thinking:
                    expect(msg.content and msg.content[0].type == "thinking" and msg.content[0].signature, f"no signed thinking block: {msg.content}")
                if msg.stop_reason != "tool_use":
                    break
                uses = [b for b in msg.content if b.type == "tool_use"]
                expect(uses and uses[0].name == "Bash", f"{msg.content}")
                messages.append({"role": "assistant", "content": [b.model_dump() for b in msg.content]})
                messages.append({
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": uses[0].id, "content": run_command(uses[0].input["command"])}],
                })
            texts = [b.text for b in msg.content if b.type == "text"]
            expect(msg.stop_reason == "end_turn" and texts and MARKER in texts[0], f"{msg}")

    @check("anthropic: a secret keeps the request local (embedded model)")
    def _():
        raw = c.messages.with_raw_response.create(
            model="claude-sonnet-4-5", max_tokens=8, messages=[{"role": "user", "content": f"Why does key {SECRET} fail?"}]
        )
        expect(raw.headers["x-lumen-route"] == "local" and raw.headers["x-lumen-egress"] == "none", dict(raw.headers))
        expect(raw.parse().content, "empty local answer")

    @check("anthropic: personal data leaves redacted and comes back restored in the stream")
    def _():
        text = ""
        with c.messages.create(
            model="claude-sonnet-4-5", max_tokens=64, stream=True, messages=[{"role": "user", "content": f"Write to {EMAIL} today."}]
        ) as stream:
            for event in stream:
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    text += event.delta.text
        expect(EMAIL in text and "[EMAIL_" not in text, text)

    @check("anthropic: count_tokens")
    def _():
        count = c.messages.count_tokens(model="claude-sonnet-4-5", messages=[{"role": "user", "content": "How many tokens is this?"}])
        expect(count.input_tokens > 0, f"{count}")

    def status_of(fn):
        try:
            fn()
        except anthropic.APIStatusError as exc:
            body = exc.response.json()
            expect(body.get("type") == "error" and "type" in body.get("error", {}) and body["error"].get("message"), f"not an Anthropic error: {body}")
            expect("x-lumen-request-id" in exc.response.headers, "error without x-lumen-request-id")
            return exc.status_code, body["error"]["type"]
        raise AssertionError("no error")

    @check("anthropic: every error status in Anthropic's shape")
    def _():
        bad_key = anthropic.Anthropic(base_url=BASE, api_key="wrong-key", max_retries=0)
        cases = [
            (lambda: bad_key.messages.create(model="claude-x", max_tokens=8, messages=[{"role": "user", "content": "hi"}]), 401, "authentication_error"),
            (lambda: httpx.post(BASE + "/v1/messages", headers={"x-api-key": KEY}, json={"model": "claude-x", "messages": []}).raise_for_status(), None, None),
            (lambda: c.messages.create(model="claude-x", max_tokens=8, messages=[{"role": "user", "content": "please BLOCKME"}]), 403, "permission_error"),
            (lambda: c.messages.create(model="mistral-large", max_tokens=8, messages=[{"role": "user", "content": "hi"}]), 404, "not_found_error"),
            (lambda: c.messages.create(model="claude-x", max_tokens=8, messages=[{"role": "user", "content": "x" * (MAX_BODY + 10)}]), 413, "request_too_large"),
        ]
        for fn, status, kind in cases:
            if status is None:
                r = httpx.post(BASE + "/v1/messages", headers={"x-api-key": KEY}, json={"model": "claude-x", "messages": []})
                expect(r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error", r.text)
                continue
            got = status_of(fn)
            expect(got == (status, kind), f"{got} != {(status, kind)}")


# ---------------------------------------------------------------------------------------------
def suite_responses():
    c = openai.OpenAI(base_url=BASE + "/v1", api_key=KEY, max_retries=0, timeout=60)

    @check("responses: plain answer through the OpenAI-shaped target, headers and usage with cost")
    def _():
        raw = c.responses.with_raw_response.create(model="gpt-5.2-codex", input="Say the word compass.")
        resp = raw.parse()
        expect(resp.status == "completed" and "compass" in resp.output_text, f"{resp}")
        expect(resp.usage.input_tokens > 0 and resp.usage.output_tokens > 0, f"{resp.usage}")
        expect((resp.usage.model_extra or {}).get("cost_usd", 0) > 0, f"no cost in {resp.usage}")
        expect(raw.headers["x-lumen-route"] == "remote" and raw.headers["x-lumen-target"] == "remote", dict(raw.headers))

    @check("responses: streamed answer, response.* events, usage and cost on response.completed")
    def _():
        names = []
        text = ""
        completed = None
        for event in c.responses.create(model="gpt-5.2-codex", input="Stream the word anchor.", stream=True):
            names.append(event.type)
            if event.type == "response.output_text.delta":
                text += event.delta
            if event.type == "response.completed":
                completed = event.response
        expect(names[0] == "response.created" and names[-1] == "response.completed", names)
        for name in ("response.output_item.added", "response.content_part.added", "response.output_text.done", "response.output_item.done"):
            expect(name in names, f"{name} missing from {names}")
        expect("anchor" in text and completed.output_text == text, f"{text!r} / {completed}")
        expect((completed.usage.model_extra or {}).get("cost_usd", 0) > 0, f"{completed.usage}")

    for streamed in (False, True):
        @check(f"responses: function-call loop ({'streamed' if streamed else 'whole'})")
        def _(streamed=streamed):
            items = [{"role": "user", "content": [{"type": "input_text", "text": "Run a shell command for me."}]}]
            for _round in range(3):
                if streamed:
                    with c.responses.stream(model="gpt-5.2-codex", input=items, tools=[EXEC]) as s:
                        resp = s.get_final_response()
                else:
                    resp = c.responses.create(model="gpt-5.2-codex", input=items, tools=[EXEC])
                calls = [o for o in resp.output if o.type == "function_call"]
                if not calls:
                    break
                expect(calls[0].name == "exec_command", f"{resp.output}")
                items += [o.model_dump() for o in resp.output]
                items.append({"type": "function_call_output", "call_id": calls[0].call_id, "output": run_command(json.loads(calls[0].arguments)["cmd"])})
            expect(MARKER in resp.output_text, f"{resp}")

    @check("responses: a secret keeps the request local")
    def _():
        raw = c.responses.with_raw_response.create(model="gpt-5.2-codex", input=f"Why does key {SECRET} fail?", max_output_tokens=8)
        expect(raw.headers["x-lumen-route"] == "local" and raw.headers["x-lumen-egress"] == "none", dict(raw.headers))

    @check("responses: personal data leaves redacted and comes back restored in the stream")
    def _():
        text = ""
        for event in c.responses.create(model="gpt-5.2-codex", input=f"Write to {EMAIL} today.", stream=True):
            if event.type == "response.output_text.delta":
                text += event.delta
        expect(EMAIL in text and "[EMAIL_" not in text, text)

    @check("responses: previous_response_id continues a stored conversation")
    def _():
        first = c.responses.create(model="gpt-5.2-codex", input="Remember the word orchard.", store=True)
        second = c.responses.create(model="gpt-5.2-codex", input="And now the word quarry.", previous_response_id=first.id)
        expect("quarry" in second.output_text, f"{second}")

    @check("responses: error statuses in OpenAI's shape")
    def _():
        bad = openai.OpenAI(base_url=BASE + "/v1", api_key="wrong-key", max_retries=0)
        for fn, status in [
            (lambda: bad.responses.create(model="gpt-5", input="hi"), 401),
            (lambda: c.responses.create(model="gpt-5", input="please BLOCKME"), 403),
            (lambda: c.responses.create(model="mistral-large", input="hi"), 404),
            (lambda: c.responses.create(model="gpt-5", input="hi", previous_response_id="resp_unknown"), 400),
        ]:
            try:
                fn()
                raise AssertionError(f"no error, expected {status}")
            except openai.APIStatusError as exc:
                expect(exc.status_code == status, f"{exc.status_code} != {status}")
                expect(isinstance(exc.body, dict) and exc.body.get("message"), f"not an OpenAI error: {exc.body}")


if __name__ == "__main__":
    suites = {"anthropic": suite_anthropic, "responses": suite_responses}
    for name in sys.argv[1:] or list(suites):
        suites[name]()
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        sys.exit(1)
    print("all checks passed", flush=True)
