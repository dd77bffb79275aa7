import Foundation
import LumenCore
import LumenLocalRuntime

/// Grammar-constrained tool calls against plain generation of the same length, in one run: what the
/// grammar costs per generated token (issue #23's goal: constrained ≥ 0.8× plain).
struct ToolCallBench {
    let runtime: LocalRuntime
    let runs: Int

    /// A tool whose arguments are long (a list of eight line items), so the call is a few hundred tokens.
    static let tool = FunctionTool(
        name: "order_supplies", description: "Order office supplies.",
        parameters: [
            "type": "object",
            "properties": [
                "items": [
                    "type": "array", "minItems": 8, "maxItems": 8,
                    "items": [
                        "type": "object",
                        "properties": [
                            "name": ["type": "string", "maxLength": 24],
                            "quantity": ["type": "integer", "minimum": 1, "maximum": 99],
                            "unit": ["type": "string", "enum": ["piece", "box", "pack", "carton"]],
                            "urgent": ["type": "boolean"],
                        ],
                        "required": ["name", "quantity", "unit", "urgent"],
                        "additionalProperties": false,
                    ],
                ],
                "deliver_by": ["type": "string", "format": "date"],
                "note": ["type": "string", "maxLength": 80],
            ],
            "required": ["items", "deliver_by", "note"],
            "additionalProperties": false,
        ]
    )

    struct Sample {
        var tokens = 0
        var rate = 0.0
    }

    /// Median tokens/s of the constrained call and of plain generation, and the per-run ratio.
    func run(plainTurns: [ChatTurn]) async throws -> String {
        let request = GenerationRequest(
            turns: [.user("Order the supplies for our new office: paper, pens, folders, staplers, toner, notebooks, tape and markers.")],
            parameters: .greedy(maxTokens: 600), tools: [Self.tool], toolMode: .function(Self.tool.name), parallelToolCalls: false
        )
        _ = try await runtime.complete(request)  // warm-up (grammar parse, caches)
        var constrained: [Sample] = []
        var plain: [Sample] = []
        var ratios: [Double] = []
        var note = ""
        for _ in 0..<runs {
            let answer = try await runtime.complete(request)
            guard answer.summary.finishReason == .toolCalls, let call = answer.toolCalls.first,
                (try? JSONDecoder().decode(JSONValue.self, from: Data(call.arguments.utf8))) != nil
            else {
                throw LocalRuntimeError.constraintViolated("the benchmark's tool call did not complete (\(answer.summary.finishReason))")
            }
            let c = Self.sample(answer.summary)
            // Plain generation of the same number of tokens, right after, on the same runtime.
            let text = try await runtime.complete(plainTurns, parameters: .greedy(maxTokens: c.tokens))
            let p = Self.sample(text.summary)
            if p.tokens < c.tokens { note = "(plain generation stopped early at \(p.tokens) of \(c.tokens) tokens in some run)\n" }
            constrained.append(c)
            plain.append(p)
            if p.rate > 0 { ratios.append(c.rate / p.rate) }
        }
        let c = Self.median(constrained.map(\.rate))
        let p = Self.median(plain.map(\.rate))
        var out = "constrained tool call vs plain generation (greedy, \(runs) runs interleaved, medians):\n"
        out += String(format: "  tool call, grammar-constrained: %.1f tokens/s (%d tokens)\n", c, constrained.first?.tokens ?? 0)
        out += String(format: "  plain text, same length:        %.1f tokens/s (%d tokens)\n", p, plain.first?.tokens ?? 0)
        out += String(format: "  ratio: %.2f× (median of per-run ratios %.2f×; goal ≥ 0.80×)\n", p > 0 ? c / p : 0, Self.median(ratios))
        return out + note
    }

    static func sample(_ summary: GenerationSummary) -> Sample {
        let ttft = summary.timeToFirstToken?.seconds ?? 0
        let total = summary.totalTime.seconds
        let n = summary.completionTokens
        return Sample(tokens: n, rate: n > 1 && total > ttft ? Double(n - 1) / (total - ttft) : 0)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
