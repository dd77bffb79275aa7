/// Prompts the end-to-end policy routes by difficulty (scripts/e2e_openai_sdk.py sends the same texts).
package enum TestPrompts {
    /// Must score < 0.85 difficulty.
    package static let easy = "What is 2+2?"

    /// Must score ≥ 0.85 difficulty (the e2e policy's `hard-remote`).
    package static let hard = """
        Prove that for every prime p > 3, p^2 - 1 is divisible by 24, then derive the asymptotic \
        complexity of the Schönhage–Strassen multiplication algorithm, analyse its recurrence \
        relation rigorously, and compare its numerical stability trade-offs against Karatsuba \
        and Toom-Cook with a formal argument about the FFT's floating-point error bounds.
        """
}
