import ArgumentParser

struct Lumen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lumen",
        abstract: "A hybrid LLM request router: local llama.cpp or a remote API, decided by policy.",
        subcommands: [
            Serve.self,
            Route.self,
            Classify.self,
            PolicyCommand.self,
            Eval.self,
            Calibrate.self,
            Train.self,
            Bench.self,
            Generate.self,
            Chat.self,
            Models.self,
            FakeUpstream.self,
            BareForwarderCommand.self,
            Audit.self,
            Replay.self,
        ]
    )
}

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate the classifier against labelled data.",
        subcommands: [EvalRouting.self, EvalSensitivity.self, EvalInjection.self]
    )
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks, each measured next to a named peer in the same run.",
        subcommands: [BenchDecision.self, BenchLocal.self, BenchProxy.self, BenchRedaction.self, BenchFirstToken.self]
    )
}
