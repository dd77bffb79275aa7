import ArgumentParser

struct FakeUpstream: AsyncParsableCommand {}
