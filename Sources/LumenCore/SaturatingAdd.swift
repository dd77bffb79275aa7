extension Int {
    /// `self + other`, held at `Int.max` / `Int.min` instead of trapping: for counts that come from
    /// outside (an upstream's usage, a log), which must not crash the process whatever they say.
    package func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
