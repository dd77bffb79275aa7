import ArgumentParser

struct Serve: AsyncParsableCommand {}

struct BenchProxy: AsyncParsableCommand {}
