// Contract for the difficulty model (replaced by the trained model in its own change).

/// Scores a prompt with the probability that the strong remote model beats the local one.
public struct DifficultyModel: Sendable, Hashable, Codable {
    public var bias: Double

    public init(bias: Double) { self.bias = bias }

    /// The model compiled into Lumen.
    public static let builtIn = DifficultyModel(bias: -1.0)

    public func score(_ text: String) -> Double {
        let z = bias + 0.001 * Double(text.unicodeScalars.count)
        return 1 / (1 + (-z).exp)
    }
}

extension Double {
    fileprivate var exp: Double {
        var result = 1.0, term = 1.0
        for n in 1..<30 { term *= self / Double(n); result += term }
        return result
    }
}
