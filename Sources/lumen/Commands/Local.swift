import ArgumentParser

struct Generate: AsyncParsableCommand {}

struct Chat: AsyncParsableCommand {}

struct Models: AsyncParsableCommand {}

struct BenchLocal: AsyncParsableCommand {}
