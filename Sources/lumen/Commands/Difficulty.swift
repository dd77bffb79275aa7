import ArgumentParser

struct Train: AsyncParsableCommand {}

struct EvalRouting: AsyncParsableCommand {}

struct Calibrate: AsyncParsableCommand {}
