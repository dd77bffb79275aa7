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
              previous_response_id, text.format forwarded, a clear 400 for what the Anthropic target
              cannot honour, models.retrieve, error statuses
  anthropic-local  /v1/messages on the embedded model (`model: local`, issue #23): a three-round
              tool loop (streamed and not; tool_choice any, any, auto), every tool_use input valid
              against its schema (jsonschema), input_json_delta fragments, stop_reason tool_use,
              exact usage, tool_choice {type: tool}, disable_parallel_tool_use
  responses-local  /v1/responses on the embedded model: the same loop with function_call items,
              function_call_output, response.function_call_arguments.delta/.done, a named
              tool_choice and parallel_tool_calls false, text.format json_schema enforced

Prints one line per check ("ok NAME" / "FAIL NAME: why"); exits 1 if any check failed.
"""

import json
import os
import sys

import anthropic
import httpx
import openai

# The check harness (one line per check, failures collected) and the weather tool are the Chat
# Completions script's (scripts/e2e_openai_sdk.py, a sibling of this one).
from e2e_openai_sdk import WEATHER_SCHEMA, check, expect, failures

BASE = os.environ.get("LUMEN_URL", "http://127.0.0.1:8080").rstrip("/")
KEY = os.environ.get("LUMEN_KEY", "no-key")
MAX_BODY = int(os.environ.get("LUMEN_MAX_BODY", "65536"))
# Markers the Swift test looks for in (or must not find in) the fake upstream's recorded bodies.
SECRET = "AKIAZ7QX3MPL5NR2VT4E"
EMAIL = "agent.marker@mailbox.org"
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
                if event.type == "message_start":
                    start_usage = event.message.usage
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    text += event.delta.text
                if event.type == "message_delta":
                    usage = event.usage
        expect(names[0] == "message_start" and names[-1] == "message_stop", names)
        # message_start says the input tokens at once (the classifier's estimate), as Anthropic does.
        expect(start_usage.input_tokens > 0, f"message_start usage {start_usage}")
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

    web_search = {"type": "web_search_20250305", "name": "web_search", "max_uses": 2}
    for streamed in (False, True):

        @check(f"anthropic: web search, a server tool, through the Anthropic target ({'streamed' if streamed else 'whole'}): "
               "its blocks in order, cited text restored, the search count, and the next turn carrying them back")
        def _(streamed=streamed):
            messages = [{"role": "user", "content": f"Search the web for lighthouse keepers, then write to {EMAIL}."}]
            if streamed:
                with c.messages.stream(model="claude-sonnet-4-5", max_tokens=512, tools=[web_search], messages=messages) as s:
                    msg = s.get_final_message()
            else:
                msg = c.messages.create(model="claude-sonnet-4-5", max_tokens=512, tools=[web_search], messages=messages)
            types = [b.type for b in msg.content]
            expect(types == ["server_tool_use", "web_search_tool_result", "text", "text"], types)
            use, result, lead, cited = msg.content
            expect(use.name == "web_search" and "lighthouse keepers" in use.input.get("query", ""), f"{use}")
            # The query the upstream searched for held a placeholder; the client reads its own address
            # (and the next turn carries it back, redacted again on the way out: the Swift test checks).
            expect(EMAIL in use.input["query"] and "[EMAIL_" not in use.input["query"], f"{use.input}")
            expect(result.tool_use_id == use.id and result.content[0].url.startswith("https://search.invalid/"), f"{result}")
            expect(lead.text == "According to the search: " and not lead.citations, f"{lead}")
            expect(cited.citations and cited.citations[0].type == "web_search_result_location", f"{cited}")
            expect(cited.citations[0].url == result.content[0].url, f"{cited.citations}")
            # The upstream saw a placeholder; the client reads its own address in the cited block.
            expect(EMAIL in cited.text and "[EMAIL_" not in cited.text, cited.text)
            expect(msg.usage.server_tool_use and msg.usage.server_tool_use.web_search_requests == 1, f"{msg.usage}")
            if not streamed:  # (the SDK's stream accumulator keeps only Anthropic's own usage members)
                # The search is billed apart: $10 per thousand at Anthropic, more than the tokens here.
                expect((msg.usage.model_extra or {}).get("cost_usd", 0) >= 0.01, f"search not priced: {msg.usage}")
            expect(msg.stop_reason == "end_turn", msg.stop_reason)
            # The upstream, like Anthropic, refuses a server tool's call carried back without its result.
            messages += [
                {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in msg.content]},
                {"role": "user", "content": "Thanks, and which year was that?"},
            ]
            again = c.messages.create(model="claude-sonnet-4-5", max_tokens=512, tools=[web_search], messages=messages)
            expect(again.content[-1].type == "text" and "which year" in again.content[-1].text, f"{again.content}")

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
        try:
            c.messages.count_tokens(model="mistral-large", messages=[{"role": "user", "content": "hi"}])
            raise AssertionError("count_tokens accepted an unknown model")
        except anthropic.NotFoundError:
            pass

    @check("anthropic: models.list and models.retrieve (a name the policy's claude-* pattern takes)")
    def _():
        model = c.models.retrieve("claude-sonnet-4-5")
        expect(model.id == "claude-sonnet-4-5" and model.type == "model", f"{model}")
        page = c.models.list()
        expect(any(m.id == "local" for m in page.data) and page.has_more is False, f"{page}")

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

    @check("responses: text.format reaches an OpenAI-shaped target as response_format")
    def _():
        fmt = {"type": "json_schema", "name": "Word", "schema": WORD_SCHEMA, "strict": True}
        raw = c.responses.with_raw_response.create(model="gpt-5.2-codex", input="Give the word structured-output-marker.", text={"format": fmt})
        expect("text" not in raw.headers.get("x-lumen-dropped-fields", ""), dict(raw.headers))
        expect(raw.parse().status == "completed", "no answer")

    @check("responses: what the Anthropic target cannot honour is a clear 400, and models.retrieve knows the names")
    def _():
        try:
            c.responses.create(model="claude-sonnet-4-5", input="hi", text={"format": {"type": "json_object"}})
            raise AssertionError("no error")
        except openai.BadRequestError as exc:
            expect(exc.body.get("code") == "unsupported_by_target" and "response_format" in exc.body.get("message", ""), f"{exc.body}")
        expect(c.models.retrieve("gpt-5.2-codex").id == "gpt-5.2-codex", "retrieve")

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


# ---------------------------------------------------------------------------------------------
# Tools on the embedded model (issue #23). SmolLM2-135M is weak: what is checked is that every call
# is well formed and valid against its tool's schema and that the loop runs its rounds, not the
# quality of the answers.
LOCAL = os.environ.get("LUMEN_LOCAL_MODEL", "local")

FILES_SCHEMA = {
    "type": "object",
    "properties": {
        "path": {"type": "string", "maxLength": 60},
        "options": {"type": "object", "properties": {"hidden": {"type": "boolean"}, "depth": {"type": "integer", "minimum": 0, "maximum": 3}},
                    "additionalProperties": False},
        "globs": {"type": "array", "items": {"type": "string", "maxLength": 20}, "maxItems": 3},
    },
    "required": ["path"],
    "additionalProperties": False,
}
LOCAL_SCHEMAS = {"get_weather": WEATHER_SCHEMA, "list_files": FILES_SCHEMA}
WORD_SCHEMA = {"type": "object", "properties": {"word": {"type": "string", "maxLength": 12}}, "required": ["word"], "additionalProperties": False}
LOCAL_QUESTION = "What is the weather in Paris, and which files are in /tmp?"


def valid_local_call(name, arguments):
    """A call names an offered tool and its arguments satisfy that tool's schema; returns them."""
    import jsonschema

    expect(name in LOCAL_SCHEMAS, f"call of unknown tool {name!r}")
    args = json.loads(arguments) if isinstance(arguments, str) else arguments
    jsonschema.validate(args, LOCAL_SCHEMAS[name])
    return args


def local_result(name, args):
    if name == "get_weather":
        return json.dumps({"city": args["city"], "temperature": 21, "unit": args["unit"], "sky": "clear"})
    return json.dumps({"path": args["path"], "files": ["notes.txt", "report.pdf"]})


def suite_anthropic_local():
    c = anthropic.Anthropic(base_url=BASE, api_key=KEY, max_retries=0, timeout=300)
    tools = [{"name": n, "description": d, "input_schema": LOCAL_SCHEMAS[n]}
             for n, d in (("get_weather", "Weather in a city."), ("list_files", "List the files in a directory."))]

    def streamed_message(**kwargs):
        """Reads the raw event stream: returns (content blocks [type, name, id, text or input JSON], stop_reason, usage)."""
        blocks, stop, usage, names = {}, None, None, []
        raw = c.messages.with_raw_response.create(stream=True, **kwargs)
        expect(raw.headers["x-lumen-route"] == "local" and raw.headers["x-lumen-egress"] == "none", dict(raw.headers))
        for event in raw.parse():
            names.append(event.type)
            if event.type == "content_block_start":
                b = event.content_block
                blocks[event.index] = {"type": b.type, "name": getattr(b, "name", None), "id": getattr(b, "id", None), "text": "", "fragments": 0}
            elif event.type == "content_block_delta":
                entry = blocks[event.index]
                if event.delta.type == "input_json_delta":
                    expect(entry["type"] == "tool_use", "input_json_delta in a text block")
                    entry["text"] += event.delta.partial_json
                    entry["fragments"] += 1
                else:
                    expect(entry["type"] == "text", "text_delta in a tool_use block")
                    entry["text"] += event.delta.text
            elif event.type == "message_delta":
                stop, usage = event.delta.stop_reason, event.usage
        expect(names[0] == "message_start" and names[-1] == "message_stop", names)
        # message_start carries the server's estimate; message_delta the runtime's exact counts.
        expect(usage is not None and usage.output_tokens > 0 and usage.input_tokens > 0, f"usage {usage}")
        return [blocks[i] for i in sorted(blocks)], stop, usage

    def loop(streamed):
        messages = [{"role": "user", "content": LOCAL_QUESTION}]
        rounds = []
        for number, choice in enumerate([{"type": "any"}, {"type": "any"}, {"type": "auto"}]):
            kwargs = dict(model=LOCAL, max_tokens=120, extra_body={"temperature": 0}, tools=tools, tool_choice=choice, messages=messages)
            if streamed:
                blocks, stop, _ = streamed_message(**kwargs)
                uses = [(b["id"], b["name"], b["text"]) for b in blocks if b["type"] == "tool_use"]
                for b in blocks:
                    if b["type"] == "tool_use":
                        expect(b["fragments"] >= 1, "a tool_use block without input_json_delta")
                content = [{"type": "text", "text": b["text"]} if b["type"] == "text" else
                           {"type": "tool_use", "id": b["id"], "name": b["name"], "input": json.loads(b["text"])} for b in blocks]
                text = "".join(b["text"] for b in blocks if b["type"] == "text")
            else:
                raw = c.messages.with_raw_response.create(**kwargs)
                expect(raw.headers["x-lumen-route"] == "local", dict(raw.headers))
                msg = raw.parse()
                expect(msg.usage.input_tokens > 0 and msg.usage.output_tokens > 0, f"{msg.usage}")
                stop = msg.stop_reason
                uses = [(b.id, b.name, b.input) for b in msg.content if b.type == "tool_use"]
                content = [b.model_dump(exclude_none=True) for b in msg.content]
                text = "".join(b.text for b in msg.content if b.type == "text")
            if choice["type"] == "any":
                expect(stop == "tool_use" and uses, f"round {number}: stop_reason {stop!r}, uses {uses}")
            if uses:
                expect(stop in ("tool_use", "max_tokens"), f"stop_reason {stop!r} with tool_use blocks")
                ids = [u[0] for u in uses]
                expect(len(set(ids)) == len(ids) and all(ids), f"ids {ids}")
                results = [{"type": "tool_result", "tool_use_id": i, "content": local_result(n, valid_local_call(n, a))} for i, n, a in uses]
                messages.append({"role": "assistant", "content": content})
                messages.append({"role": "user", "content": results})
            else:
                expect(text.strip(), f"round {number}: neither tool_use nor text")
                messages.append({"role": "assistant", "content": text})
            rounds.append((stop, len(uses)))
        return rounds

    for streamed in (False, True):
        @check(f"anthropic-local: three-round tool loop on the embedded model ({'streamed' if streamed else 'whole'})")
        def _(streamed=streamed):
            rounds = loop(streamed)
            expect(len(rounds) == 3 and all(n >= 1 for _, n in rounds[:2]), f"rounds {rounds}")

    @check("anthropic-local: tool_choice {type: tool} calls that tool, disable_parallel_tool_use gives one call")
    def _():
        msg = c.messages.create(
            model=LOCAL, max_tokens=120, extra_body={"temperature": 0}, tools=tools, messages=[{"role": "user", "content": LOCAL_QUESTION}],
            tool_choice={"type": "tool", "name": "list_files", "disable_parallel_tool_use": True},
        )
        uses = [b for b in msg.content if b.type == "tool_use"]
        expect([u.name for u in uses] == ["list_files"] and msg.stop_reason == "tool_use", f"{msg.content} {msg.stop_reason}")
        valid_local_call("list_files", uses[0].input)

    @check("anthropic-local: a stop sequence that ends the answer is stop_reason stop_sequence and named, streamed or not")
    def _():
        ask = dict(model=LOCAL, max_tokens=24, extra_body={"temperature": 0}, messages=[{"role": "user", "content": "Tell me about the sea."}])
        full = c.messages.create(**ask).content[0].text
        expect(len(full) >= 12, f"answer too short to cut: {full!r}")
        stop = full[6:10]
        msg = c.messages.create(stop_sequences=["never-appears-zq", stop], **ask)
        expect(msg.stop_reason == "stop_sequence" and msg.stop_sequence == stop, f"{msg.stop_reason} {msg.stop_sequence!r} for {stop!r}")
        expect(full.startswith(msg.content[0].text) and stop not in msg.content[0].text, f"{msg.content[0].text!r} from {full!r}")
        with c.messages.stream(stop_sequences=[stop], **ask) as stream:
            final = stream.get_final_message()
        expect(final.stop_reason == "stop_sequence" and final.stop_sequence == stop, f"streamed: {final.stop_reason} {final.stop_sequence!r}")
        plain = c.messages.create(**{**ask, "max_tokens": 200})
        expect(plain.stop_reason in ("end_turn", "max_tokens") and plain.stop_sequence is None, f"{plain.stop_reason} {plain.stop_sequence!r}")

    @check("anthropic-local: a last assistant message is continued (prefill), not answered as a new turn")
    def _():
        start = "The capital of France is"
        ask = dict(model=LOCAL, max_tokens=12, extra_body={"temperature": 0})
        msg = c.messages.create(messages=[{"role": "user", "content": "What is the capital of France?"},
                                          {"role": "assistant", "content": start}], **ask)
        text = msg.content[0].text if msg.content else ""
        expect(text and not text.lstrip().startswith(start), f"answer {text!r} repeats or ignores the prefill")
        expect(msg.stop_reason in ("end_turn", "max_tokens"), msg.stop_reason)

    @check("anthropic-local: output_config.format (structured outputs) constrains the embedded model's answer")
    def _():
        raw = c.messages.with_raw_response.create(
            model=LOCAL, max_tokens=40, messages=[{"role": "user", "content": "Name one fruit."}],
            output_config={"format": {"type": "json_schema", "schema": WORD_SCHEMA}}, extra_body={"temperature": 0},
        )
        expect("output_config" not in raw.headers.get("x-lumen-dropped-fields", ""), dict(raw.headers))
        answer = json.loads(raw.parse().content[0].text)
        expect(set(answer) == {"word"} and isinstance(answer["word"], str) and len(answer["word"]) <= 12, f"{answer}")

    @check("anthropic-local: an unsupported schema keyword is a 400 naming it")
    def _():
        bad = {"name": "lookup", "input_schema": {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}}}}
        try:
            c.messages.create(model=LOCAL, max_tokens=20, tools=[bad], messages=[{"role": "user", "content": "hi"}])
            raise AssertionError("no error")
        except anthropic.BadRequestError as exc:
            message = exc.response.json()["error"]["message"]
            expect("pattern" in message and exc.response.json()["error"]["type"] == "invalid_request_error", message)


def suite_responses_local():
    c = openai.OpenAI(base_url=BASE + "/v1", api_key=KEY, max_retries=0, timeout=300)
    tools = [{"type": "function", "name": n, "description": d, "parameters": LOCAL_SCHEMAS[n]}
             for n, d in (("get_weather", "Weather in a city."), ("list_files", "List the files in a directory."))]

    def streamed_response(**kwargs):
        """Reads the event stream: checks each call's argument deltas add up to its .done arguments."""
        deltas, done, completed = {}, {}, None
        for event in c.responses.create(stream=True, **kwargs):
            if event.type == "response.function_call_arguments.delta":
                deltas[event.item_id] = deltas.get(event.item_id, "") + event.delta
            elif event.type == "response.function_call_arguments.done":
                done[event.item_id] = event.arguments
            elif event.type == "response.completed":
                completed = event.response
        expect(completed is not None, "no response.completed")
        calls = [o for o in completed.output if o.type == "function_call"]
        expect(set(done) == {o.id for o in calls}, f"done events {list(done)} vs calls {[o.id for o in calls]}")
        for item_id, arguments in done.items():
            expect(deltas.get(item_id) == arguments, f"deltas {deltas.get(item_id)!r} != done {arguments!r}")
        return completed

    def loop(streamed):
        items = [{"role": "user", "content": [{"type": "input_text", "text": LOCAL_QUESTION}]}]
        rounds = []
        for number, choice in enumerate(["required", "required", "auto"]):
            kwargs = dict(model=LOCAL, input=items, tools=tools, tool_choice=choice, max_output_tokens=120, temperature=0)
            if streamed:
                resp = streamed_response(**kwargs)
            else:
                raw = c.responses.with_raw_response.create(**kwargs)
                expect(raw.headers["x-lumen-route"] == "local" and raw.headers["x-lumen-egress"] == "none", dict(raw.headers))
                resp = raw.parse()
            expect(resp.usage.input_tokens > 0 and resp.usage.output_tokens > 0, f"{resp.usage}")
            calls = [o for o in resp.output if o.type == "function_call"]
            if choice == "required":
                expect(calls, f"round {number}: no function_call in {resp.output}")
            if calls:
                ids = [o.call_id for o in calls]
                expect(len(set(ids)) == len(ids) and all(ids), f"call ids {ids}")
                items += [o.model_dump(exclude_none=True) for o in resp.output]
                for o in calls:
                    items.append({"type": "function_call_output", "call_id": o.call_id, "output": local_result(o.name, valid_local_call(o.name, o.arguments))})
            else:
                expect(resp.output_text.strip(), f"round {number}: neither a call nor text")
                items.append({"role": "assistant", "content": resp.output_text})
            rounds.append((resp.status, len(calls)))
        return rounds

    for streamed in (False, True):
        @check(f"responses-local: three-round function-call loop on the embedded model ({'streamed' if streamed else 'whole'})")
        def _(streamed=streamed):
            rounds = loop(streamed)
            expect(len(rounds) == 3 and all(n >= 1 for _, n in rounds[:2]), f"rounds {rounds}")

    @check("responses-local: a named tool_choice with parallel_tool_calls false gives that one call")
    def _():
        resp = c.responses.create(
            model=LOCAL, input=LOCAL_QUESTION, tools=tools, tool_choice={"type": "function", "name": "get_weather"},
            parallel_tool_calls=False, max_output_tokens=120, temperature=0,
        )
        calls = [o for o in resp.output if o.type == "function_call"]
        expect([o.name for o in calls] == ["get_weather"], f"{resp.output}")
        valid_local_call("get_weather", calls[0].arguments)


    @check("responses-local: text.format json_schema constrains the embedded model's answer")
    def _():
        resp = c.responses.create(
            model=LOCAL, input="Name one fruit.", max_output_tokens=40, temperature=0,
            text={"format": {"type": "json_schema", "name": "Word", "schema": WORD_SCHEMA, "strict": True}},
        )
        answer = json.loads(resp.output_text)
        expect(set(answer) == {"word"} and isinstance(answer["word"], str) and len(answer["word"]) <= 12, resp.output_text)


if __name__ == "__main__":
    suites = {"anthropic": suite_anthropic, "responses": suite_responses,
              "anthropic-local": suite_anthropic_local, "responses-local": suite_responses_local}
    for name in sys.argv[1:] or list(suites):
        suites[name]()
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        sys.exit(1)
    print("all checks passed", flush=True)
