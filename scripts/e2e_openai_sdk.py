#!/usr/bin/env python3
"""End-to-end checks of `lumen serve` driven by the official `openai` Python SDK.

Run by Tests/LumenEndToEndTests (which starts the fake upstream and `lumen serve`), or by hand:

    LUMEN_URL=http://127.0.0.1:8080 LUMEN_KEY=k .venv/bin/python scripts/e2e_openai_sdk.py proxy

Suites:
  proxy     basic OpenAI compatibility, routing, fallback, every error status, headers, metrics
  redact    the `redact` action against an echoing fake upstream (EN + ZH personal data)
  audit503  a server whose audit directory is unwritable: remote routes refused with 503
  busy      429 when the local slots and queue are full
  tools     tool calls on the embedded model: a three-round tool loop (streamed and not), tool_choice
            forms, parallel_tool_calls, response_format json_schema, an unsupported schema refused

Environment: LUMEN_URL (server base URL), LUMEN_KEY (a valid API key, optional),
LUMEN_REMOTE_TARGET (name of the remote target in the test policy, default "remote"),
LUMEN_LOCAL_TARGET (default "local"), LUMEN_MAX_BODY (the server's --max-body-bytes).
Prints one line per check ("ok NAME" / "FAIL NAME: why") and exits 1 if any check failed.
Prints no prompt values other than the synthetic test data below.
"""

import json
import os
import sys
import threading
import time
import traceback

import httpx
import openai

BASE = os.environ.get("LUMEN_URL", "http://127.0.0.1:8080").rstrip("/")
KEY = os.environ.get("LUMEN_KEY", "no-key")
REMOTE = os.environ.get("LUMEN_REMOTE_TARGET", "remote")
LOCAL = os.environ.get("LUMEN_LOCAL_TARGET", "local")
MAX_BODY = int(os.environ.get("LUMEN_MAX_BODY", "65536"))
REQUIRED_HEADERS = [
    "x-lumen-request-id",
    "x-lumen-route",
    "x-lumen-target",
    "x-lumen-rule",
    "x-lumen-cost-usd",
    "x-lumen-egress",
]

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


def client(key=KEY, retries=0, timeout=60):
    return openai.OpenAI(base_url=BASE + "/v1", api_key=key, max_retries=retries, timeout=timeout)


def headers_ok(headers, route=None, target=None):
    for name in REQUIRED_HEADERS:
        expect(name in headers, f"missing header {name}; got {sorted(headers.keys())}")
    if route is not None:
        expect(headers["x-lumen-route"] == route, f"route {headers['x-lumen-route']} != {route}")
    if target is not None:
        expect(headers["x-lumen-target"] == target, f"target {headers['x-lumen-target']} != {target}")
    float(headers["x-lumen-cost-usd"])


def raw_post(body, content_type="application/json", key=KEY, extra=None):
    hdrs = {"content-type": content_type, "authorization": f"Bearer {key}"}
    hdrs.update(extra or {})
    return httpx.post(BASE + "/v1/chat/completions", content=body, headers=hdrs, timeout=60)


def no_fallback(fault):
    """A chat request to the target without a fallback, with a fake-upstream fault directive."""
    body = {"model": "nofallback", "messages": [{"role": "user", "content": f"Hi. [[fault:{fault}]]"}]}
    return raw_post(json.dumps(body).encode())


def error_ok(resp, status, code_or_type=None):
    expect(resp.status_code == status, f"status {resp.status_code} != {status}: {resp.text[:300]}")
    body = resp.json()
    expect("error" in body, f"no error object: {body}")
    err = body["error"]
    for field in ("message", "type", "param", "code"):
        expect(field in err, f"error lacks {field}: {err}")
    expect(isinstance(err["message"], str) and err["message"], "empty error message")
    if code_or_type is not None:
        expect(code_or_type in (err.get("code"), err.get("type")), f"code/type {err} lacks {code_or_type}")
    expect("x-lumen-request-id" in resp.headers, "error without x-lumen-request-id")
    return err


# ---------------------------------------------------------------------------------------------
def suite_proxy():
    c = client()

    @check("models list has auto and the targets")
    def _():
        ids = [m.id for m in c.models.list().data]
        expect("auto" in ids and REMOTE in ids and LOCAL in ids, f"models {ids}")

    @check("non-streaming remote by target name")
    def _():
        raw = c.chat.completions.with_raw_response.create(
            model=REMOTE,
            messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a prime number."}],
            max_tokens=16,
            temperature=0,
            seed=7,
            user="e2e",
        )
        headers_ok(raw.headers, route="remote", target=REMOTE)
        expect(raw.headers["x-lumen-egress"].startswith("127.0.0.1"), f"egress {raw.headers['x-lumen-egress']}")
        r = raw.parse()
        expect(r.choices[0].message.content, "empty answer")
        expect(r.model and r.model != "auto", f"model {r.model}")
        expect(r.usage.total_tokens > 0, "no usage")
        cost = (r.usage.model_extra or {}).get("cost")
        expect(cost is not None and cost > 0, f"usage.cost {cost}")
        expect(abs(float(raw.headers["x-lumen-cost-usd"]) - cost) < 1e-9, "cost header != usage.cost")

    @check("streaming remote with include_usage")
    def _():
        raw = c.chat.completions.with_raw_response.create(
            model=REMOTE,
            messages=[{"role": "user", "content": "Count to five."}],
            max_tokens=16,
            stream=True,
            stream_options={"include_usage": True},
        )
        headers_ok(raw.headers, route="remote", target=REMOTE)
        expect(raw.headers.get("content-type", "").startswith("text/event-stream"), "not SSE")
        text, usage = "", None
        for chunk in raw.parse():
            if chunk.choices:
                text += chunk.choices[0].delta.content or ""
            if chunk.usage is not None:
                usage = chunk.usage
        expect(text, "no streamed text")
        expect(usage is not None and usage.total_tokens > 0, "no usage chunk")
        expect((usage.model_extra or {}).get("cost", 0) > 0, f"stream usage cost {usage}")

    @check("sensitive prompt served locally")
    def _():
        raw = c.chat.completions.with_raw_response.create(
            model="auto",
            messages=[
                {
                    "role": "user",
                    "content": "My AWS key is AKIAZ7QX3MPL5NR2VT4E and my email is marker.local.only@mailbox.org; say hi.",
                }
            ],
            max_tokens=4,
            temperature=0,
        )
        headers_ok(raw.headers, route="local", target=LOCAL)
        expect(raw.headers["x-lumen-egress"] == "none", "egress for a local route")
        r = raw.parse()
        expect(r.usage.completion_tokens >= 1, "no local tokens")

    @check("sensitive prompt naming the remote target is overridden to local")
    def _():
        raw = c.chat.completions.with_raw_response.create(
            model=REMOTE,
            messages=[{"role": "user", "content": "Debug this: password=Hunter2-override-marker AKIAZ7QX3MPL5NR2VT4E"}],
            max_tokens=4,
        )
        headers_ok(raw.headers, route="local", target=LOCAL)
        expect("x-lumen-policy-override" in raw.headers, "no x-lumen-policy-override header")

    @check("hard prompt served remotely")
    def _():
        prompt = (
            "Prove that for every prime p > 3, p^2 - 1 is divisible by 24, then derive the asymptotic "
            "complexity of the Schönhage–Strassen multiplication algorithm, analyse its recurrence "
            "relation rigorously, and compare its numerical stability trade-offs against Karatsuba "
            "and Toom-Cook with a formal argument about the FFT's floating-point error bounds."
        )
        raw = c.chat.completions.with_raw_response.create(
            model="auto", messages=[{"role": "user", "content": prompt}], max_tokens=16
        )
        headers_ok(raw.headers, route="remote", target=REMOTE)

    @check("easy prompt stays local (streaming, local model)")
    def _():
        raw = c.chat.completions.with_raw_response.create(
            model="auto",
            messages=[{"role": "user", "content": "What is 2+2?"}],
            max_tokens=4,
            stream=True,
            stream_options={"include_usage": True},
        )
        headers_ok(raw.headers, route="local", target=LOCAL)
        chunks = list(raw.parse())
        expect(chunks[-1].usage is not None, "no usage on the last chunk")
        expect(chunks[-1].usage.completion_tokens >= 1, "no local completion tokens")

    @check("fallback to local when the upstream fails")
    def _():
        raw = c.chat.completions.with_raw_response.create(
            model="auto",
            metadata={"route": "remote"},
            messages=[{"role": "user", "content": "Tell me a fact. [[fault:status=500]]"}],
            max_tokens=4,
        )
        headers_ok(raw.headers, route="local", target=LOCAL)
        expect("x-lumen-fallback" in raw.headers, "no x-lumen-fallback header")

    @check("streaming fallback to local when the upstream fails before the first byte")
    def _():
        raw = c.chat.completions.with_raw_response.create(
            model="auto",
            metadata={"route": "remote"},
            messages=[{"role": "user", "content": "Tell me a fact. [[fault:status=500]]"}],
            max_tokens=4,
            stream=True,
        )
        headers_ok(raw.headers, route="local", target=LOCAL)
        expect(len(list(raw.parse())) > 0, "no chunks")

    @check("stream cut after the first byte ends with an SSE error event")
    def _():
        resp = raw_post(
            json.dumps(
                {
                    "model": "nofallback",
                    "stream": True,
                    "messages": [{"role": "user", "content": "Count slowly. [[fault:cut-after=2]]"}],
                }
            ).encode()
        )
        expect(resp.status_code == 200, f"status {resp.status_code}")
        body = resp.text
        expect('"error"' in body, f"no SSE error event: {body[-300:]}")

    @check("400 malformed JSON")
    def _():
        error_ok(raw_post(b'{"model": "auto", "messages": [}'), 400)

    @check("400 invalid UTF-8")
    def _():
        body = b'{"model":"auto","messages":[{"role":"user","content":"caf\xc3\x28 \xff"}]}'
        error_ok(raw_post(body), 400)

    @check("400 missing messages")
    def _():
        error_ok(raw_post(b'{"model":"auto"}'), 400)

    @check("413 oversize body")
    def _():
        big = json.dumps({"model": "auto", "messages": [{"role": "user", "content": "x" * (MAX_BODY + 10)}]})
        error_ok(raw_post(big.encode()), 413)

    @check("404 unknown model (SDK NotFoundError)")
    def _():
        try:
            c.chat.completions.create(model="gpt-17-ultra", messages=[{"role": "user", "content": "hi"}])
        except openai.NotFoundError as exc:
            expect(exc.status_code == 404, "status")
            expect("gpt-17-ultra" in str(exc), "message does not name the model")
            return
        raise AssertionError("no 404")

    @check("401 invalid key (SDK AuthenticationError)")
    def _():
        try:
            client(key="wrong-key").chat.completions.create(model="auto", messages=[{"role": "user", "content": "hi"}])
        except openai.AuthenticationError as exc:
            expect(exc.status_code == 401, "status")
            return
        raise AssertionError("no 401")

    @check("401 missing key")
    def _():
        resp = httpx.post(BASE + "/v1/chat/completions", json={"model": "auto", "messages": []}, timeout=30)
        error_ok(resp, 401)

    @check("403 blocked by policy with the rule's message")
    def _():
        try:
            c.chat.completions.create(
                model="auto", messages=[{"role": "user", "content": "BLOCKME please do the forbidden thing"}]
            )
        except openai.PermissionDeniedError as exc:
            expect(exc.status_code == 403, "status")
            expect("forbidden by the e2e policy" in str(exc), f"message {exc}")
            return
        raise AssertionError("no 403")

    @check("502 upstream failure with no fallback")
    def _():
        resp = no_fallback("status=500")
        error_ok(resp, 502)
        headers_ok(resp.headers)

    @check("a target's refusal of the request keeps its 4xx and says why, with no retry hint")
    def _():
        resp = no_fallback("status=400")
        error_ok(resp, 400)
        expect(resp.headers.get("x-should-retry") == "false", dict(resp.headers))
        expect(resp.json()["error"]["code"] == "rejected_by_target", resp.text)

    @check("504 upstream timeout with no fallback")
    def _():
        # Past the server's --upstream-timeout (15 s: long enough that a loaded CI machine does not
        # time out the other remote checks).
        resp = no_fallback("delay=25s")
        error_ok(resp, 504)

    @check("400 for a tool schema the embedded local target cannot constrain")
    def _():
        schema = {"type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}}
        tools = [{"type": "function", "function": {"name": "f", "parameters": schema}}]
        resp = raw_post(
            json.dumps({"model": LOCAL, "tools": tools, "messages": [{"role": "user", "content": "hi"}]}).encode()
        )
        err = error_ok(resp, 400, "unsupported_schema")
        expect("pattern" in err["message"], f"message does not name the keyword: {err['message']}")

    @check("tools and unknown fields pass through to the remote target")
    def _():
        tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
        raw = c.chat.completions.with_raw_response.create(
            model=REMOTE,
            messages=[{"role": "user", "content": "Use the tool. passthrough-marker"}],
            tools=tools,
            tool_choice="auto",
            response_format={"type": "text"},
            extra_body={"x_custom_field": {"kept": True}},
            max_tokens=8,
        )
        headers_ok(raw.headers, route="remote", target=REMOTE)
        expect(raw.headers.get("x-lumen-dropped-fields") == "x_custom_field",
               f"dropped-fields header {raw.headers.get('x-lumen-dropped-fields')!r}")

    @check("metrics endpoint exposes Lumen metrics (with the key; without it a 401 when keys are on)")
    def _():
        bare = httpx.get(BASE + "/metrics", timeout=30)
        expect(bare.status_code in (200, 401), f"metrics without a key: {bare.status_code}")
        text = httpx.get(BASE + "/metrics", headers={"authorization": f"Bearer {KEY}"}, timeout=30).text
        for name in ("lumen_requests_total", "lumen_decision_seconds", "lumen_tokens_total", "lumen_cost_usd_total"):
            expect(name in text, f"{name} missing from /metrics")
        expect('route="remote"' in text and 'route="local"' in text, "no route labels")

    @check("healthz and readyz")
    def _():
        expect(httpx.get(BASE + "/healthz", timeout=10).status_code == 200, "healthz")
        r = httpx.get(BASE + "/readyz", headers={"authorization": f"Bearer {KEY}"}, timeout=10)
        expect(r.status_code == 200, f"readyz {r.status_code} {r.text}")


def suite_redact():
    c = client()
    cases = [
        (
            "en",
            "Please draft a formal reply to Jane Smith (jane.smith@fastmail.fm, phone +1 415-555-3142) about "
            "invoice 7781 and card 4539 1488 0343 6467; she lives at 42 Wallaby Way, Sydney. Analyse the "
            "contract's indemnification clause and derive the liability exposure in detail.",
            ["jane.smith@fastmail.fm", "415-555-3142", "4539 1488 0343 6467"],
        ),
        (
            "zh",
            "请给客户张伟写一封正式的回信，张伟的邮箱是 zhang.wei@example.cn，手机号 13812345678，身份证号 "
            "11010519491231002X。请详细分析合同中的违约责任条款，并推导赔偿金额的计算方法。",
            ["zhang.wei@example.cn", "13812345678", "11010519491231002X"],
        ),
    ]
    for lang, prompt, values in cases:

        @check(f"redact {lang} non-streaming: restored answer, remote route")
        def _(prompt=prompt, values=values):
            raw = c.chat.completions.with_raw_response.create(
                model="auto", messages=[{"role": "user", "content": prompt}], max_tokens=64
            )
            headers_ok(raw.headers, route="remote", target=REMOTE)
            expect(int(raw.headers.get("x-lumen-redactions", "0")) >= len(values), "redaction count header")
            answer = raw.parse().choices[0].message.content
            for v in values:
                expect(v in answer, f"value not restored in answer")
            expect("[EMAIL_" not in answer, "placeholder leaked to the client")

        @check(f"redact {lang} streaming: restored answer")
        def _(prompt=prompt, values=values):
            stream = c.chat.completions.create(
                model="auto",
                messages=[{"role": "user", "content": prompt}],
                max_tokens=64,
                stream=True,
                stream_options={"include_usage": True},
            )
            text = "".join((ch.choices[0].delta.content or "") for ch in stream if ch.choices)
            for v in values:
                expect(v in text, "value not restored in streamed answer")

    @check("redact: naming the remote target explicitly with personal data is redacted too")
    def _():
        prompt = "Summarise: contact bob.jones@outlook.com or +1 212-555-3199 for details."
        raw = c.chat.completions.with_raw_response.create(
            model=REMOTE,
            messages=[
                {"role": "system", "content": "The user's email is bob.jones@outlook.com."},
                {"role": "user", "content": prompt},
            ],
            max_tokens=64,
        )
        headers_ok(raw.headers, route="remote", target=REMOTE)
        answer = raw.parse().choices[0].message.content
        expect("bob.jones@outlook.com" in answer, "not restored")

    @check("redact: a secret keeps the request local")
    def _():
        raw = c.chat.completions.with_raw_response.create(
            model="auto",
            messages=[
                {"role": "user", "content": "Analyse in depth why this key ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 fails and prove it."}
            ],
            max_tokens=4,
        )
        headers_ok(raw.headers, route="local", target=LOCAL)


def suite_audit503():
    c = client()

    @check("503 for a remote route when the audit log cannot be written")
    def _():
        try:
            c.chat.completions.create(model=REMOTE, messages=[{"role": "user", "content": "hello there"}], max_tokens=4)
        except openai.APIStatusError as exc:
            expect(exc.status_code == 503, f"status {exc.status_code}")
            return
        raise AssertionError("no 503")


def suite_busy():
    results = []
    lock = threading.Lock()

    def one(i):
        try:
            # The two admitted requests generate 48 tokens each, one after the other on a loaded CI
            # machine: the SDK's 60 s would time out on the queued one before it is served (seen in a
            # full run beside other suites); a hang is still caught, at 180 s.
            client(timeout=180).chat.completions.create(
                model=LOCAL,
                messages=[{"role": "user", "content": f"Write a long story number {i}."}],
                max_tokens=48,
            )
            status = 200
        except openai.APIStatusError as exc:
            status = exc.status_code
        except openai.APIError as exc:
            status = f"error {type(exc).__name__}"
        with lock:
            results.append(status)

    @check("429 when local slots and queue are full")
    def _():
        threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
            time.sleep(0.02)
        for t in threads:
            t.join()
        expect(429 in results, f"statuses {results}")
        expect(200 in results, f"statuses {results}")


# ---------------------------------------------------------------------------------------------
WEATHER_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 40},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
    },
    "required": ["city", "unit"],
    "additionalProperties": False,
}
TIME_SCHEMA = {
    "type": "object",
    "properties": {"zone": {"type": "string", "maxLength": 40}, "format": {"enum": ["12h", "24h"]}},
    "required": ["zone"],
}
TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city.", "parameters": WEATHER_SCHEMA}},
    {"type": "function", "function": {"name": "get_time", "description": "Local time in a time zone.", "parameters": TIME_SCHEMA}},
]
SCHEMAS = {"get_weather": WEATHER_SCHEMA, "get_time": TIME_SCHEMA}


def valid_call(name, arguments):
    """A call names an offered tool and its arguments parse and satisfy the tool's schema (jsonschema)."""
    import jsonschema

    expect(name in SCHEMAS, f"call of unknown tool {name!r}")
    args = json.loads(arguments)
    jsonschema.validate(args, SCHEMAS[name])
    return args


def fake_result(name, args):
    if name == "get_weather":
        return json.dumps({"city": args["city"], "temperature": 21, "unit": args["unit"], "sky": "clear"})
    return json.dumps({"zone": args["zone"], "time": "14:05"})


def collect_stream(stream):
    """Chat Completions chunks -> (content, calls [{id, name, arguments}], finish_reason, usage)."""
    content, calls, finish, usage = "", {}, None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            delta = choice.delta
            if delta.content:
                content += delta.content
            for tc in delta.tool_calls or []:
                entry = calls.setdefault(tc.index, {"id": None, "name": None, "arguments": "", "fragments": 0})
                if tc.id:
                    expect(entry["id"] is None, "a tool call's id came twice")
                    entry["id"] = tc.id
                if tc.function and tc.function.name:
                    entry["name"] = tc.function.name
                if tc.function and tc.function.arguments:
                    expect(entry["id"] is not None, "arguments before the call's id")
                    entry["arguments"] += tc.function.arguments
                    entry["fragments"] += 1
            if choice.finish_reason:
                finish = choice.finish_reason
    return content, [calls[i] for i in sorted(calls)], finish, usage


def suite_tools():
    # Generation on a loaded 2-core host can take minutes per request; the checks are of validity, not speed.
    c = openai.OpenAI(base_url=BASE + "/v1", api_key=KEY, max_retries=0, timeout=300)
    question = {"role": "user", "content": "What is the weather in Paris, and what time is it there?"}

    def loop(stream):
        """Three rounds: two rounds of required tool calls answered with results, then tool_choice auto."""
        messages = [{"role": "system", "content": "You are a helpful assistant."}, question]
        rounds = []
        for round_number, choice in enumerate(["required", "required", "auto"]):
            kwargs = dict(model=LOCAL, messages=messages, tools=TOOLS, tool_choice=choice, max_tokens=200, temperature=0)
            if stream:
                raw = c.chat.completions.with_raw_response.create(stream=True, stream_options={"include_usage": True}, **kwargs)
                headers_ok(raw.headers, route="local", target=LOCAL)
                content, calls, finish, usage = collect_stream(raw.parse())
                expect(usage is not None and usage.completion_tokens > 0 and usage.prompt_tokens > 0, f"usage {usage}")
                for call in calls:
                    expect(call["fragments"] >= 1, "no argument fragments")
            else:
                raw = c.chat.completions.with_raw_response.create(**kwargs)
                headers_ok(raw.headers, route="local", target=LOCAL)
                resp = raw.parse()
                msg = resp.choices[0].message
                content, finish = msg.content or "", resp.choices[0].finish_reason
                calls = [{"id": t.id, "name": t.function.name, "arguments": t.function.arguments} for t in msg.tool_calls or []]
                expect(resp.usage.completion_tokens > 0 and resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens,
                       f"usage {resp.usage}")
            if choice == "required":
                expect(finish == "tool_calls", f"round {round_number}: finish_reason {finish!r}")
                expect(calls, f"round {round_number}: no tool calls")
            if calls:
                expect(finish in ("tool_calls", "length"), f"finish_reason {finish!r} with calls")
                ids = [call["id"] for call in calls]
                expect(len(set(ids)) == len(ids) and all(i and i.startswith("call_") for i in ids), f"ids {ids}")
                results = []
                for call in calls:
                    args = valid_call(call["name"], call["arguments"])
                    results.append({"role": "tool", "tool_call_id": call["id"], "content": fake_result(call["name"], args)})
                messages.append({
                    "role": "assistant", "content": content or None,
                    "tool_calls": [{"id": x["id"], "type": "function", "function": {"name": x["name"], "arguments": x["arguments"]}}
                                   for x in calls],
                })
                messages.extend(results)
            else:
                expect(content.strip(), "round with neither calls nor text")
                messages.append({"role": "assistant", "content": content})
            rounds.append((finish, len(calls)))
        return rounds

    @check("three-round tool loop on the local model (not streamed)")
    def _():
        rounds = loop(stream=False)
        expect(len(rounds) == 3, f"rounds {rounds}")

    @check("three-round tool loop on the local model (streamed, usage on the last chunk)")
    def _():
        rounds = loop(stream=True)
        expect(len(rounds) == 3, f"rounds {rounds}")

    @check("named tool_choice calls exactly that function once")
    def _():
        resp = c.chat.completions.create(
            model=LOCAL, messages=[question], tools=TOOLS, max_tokens=120, temperature=0,
            tool_choice={"type": "function", "function": {"name": "get_time"}},
        )
        calls = resp.choices[0].message.tool_calls or []
        expect([t.function.name for t in calls] == ["get_time"], f"calls {[t.function.name for t in calls]}")
        valid_call("get_time", calls[0].function.arguments)
        expect(resp.choices[0].finish_reason == "tool_calls", resp.choices[0].finish_reason)

    @check("parallel_tool_calls=false gives at most one call")
    def _():
        resp = c.chat.completions.create(
            model=LOCAL, messages=[question], tools=TOOLS, tool_choice="required", parallel_tool_calls=False,
            max_tokens=200, temperature=0,
        )
        calls = resp.choices[0].message.tool_calls or []
        expect(len(calls) == 1, f"{len(calls)} calls")

    @check("tool_choice auto still streams a text answer")
    def _():
        saw_text = False
        for seed in range(1, 5):
            stream = c.chat.completions.create(
                model=LOCAL, messages=[{"role": "user", "content": "Say hello in one short sentence."}], tools=TOOLS,
                tool_choice="auto", max_tokens=40, temperature=0.7, seed=seed, stream=True,
            )
            content, calls, finish, _ = collect_stream(stream)
            for call in calls:
                valid_call(call["name"], call["arguments"])
            if content.strip() and not calls:
                saw_text = True
                expect(finish in ("stop", "length"), f"finish_reason {finish!r}")
        expect(saw_text, "no text answer with tool_choice auto")

    @check("response_format json_schema on the local model")
    def _():
        import jsonschema

        schema = {"type": "object", "properties": {"city": {"type": "string", "maxLength": 30},
                                                   "population": {"type": "integer", "minimum": 0}},
                  "required": ["city", "population"], "additionalProperties": False}
        resp = c.chat.completions.create(
            model=LOCAL, messages=[{"role": "user", "content": "Name a big city and its population."}], max_tokens=80,
            temperature=0, response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": schema, "strict": True}},
        )
        expect(resp.choices[0].finish_reason == "stop", resp.choices[0].finish_reason)
        jsonschema.validate(json.loads(resp.choices[0].message.content), schema)

    @check("400 naming the unsupported schema keyword")
    def _():
        tools = [{"type": "function", "function": {"name": "lookup", "parameters": {
            "type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}}}}}]
        resp = raw_post(json.dumps({"model": LOCAL, "tools": tools, "messages": [question]}).encode())
        err = error_ok(resp, 400, "unsupported_schema")
        expect("pattern" in err["message"] and err["param"] == "tools[0].function.parameters", f"error {err}")


if __name__ == "__main__":
    suites = {"proxy": suite_proxy, "redact": suite_redact, "audit503": suite_audit503, "busy": suite_busy, "tools": suite_tools}
    names = sys.argv[1:] or ["proxy"]
    for n in names:
        if n not in suites:
            print(f"unknown suite {n}; known: {', '.join(suites)}", file=sys.stderr)
            sys.exit(2)
        suites[n]()
    print(f"{len(failures)} failed", flush=True)
    sys.exit(1 if failures else 0)
