import ArgumentParser

struct Audit: AsyncParsableCommand {}

struct Replay: AsyncParsableCommand {}
