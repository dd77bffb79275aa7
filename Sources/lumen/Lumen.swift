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
            Generate.self,
            Chat.self,
            Models.self,
            FakeUpstream.self,
            Audit.self,
            Replay.self,
            StoreCommand.self,
        ]
    )
}

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate the classifier against labelled data.",
        subcommands: [EvalRouting.self, EvalSensitivity.self, EvalInjection.self]
    )
}
