import ArgumentParser

struct Route: AsyncParsableCommand {}
