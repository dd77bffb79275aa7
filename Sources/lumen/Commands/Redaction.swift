import ArgumentParser

struct BenchRedaction: AsyncParsableCommand {}
