import ArgumentParser

struct PolicyCommand: AsyncParsableCommand {}

struct BenchDecision: AsyncParsableCommand {}
