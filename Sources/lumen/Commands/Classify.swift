import ArgumentParser

struct Classify: AsyncParsableCommand {}

struct EvalSensitivity: AsyncParsableCommand {}
