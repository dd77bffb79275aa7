/// Fixed-width columns for the CLI's tables. `String(format:)`'s `%-15@` does not pad on Linux,
/// so `%@` columns are padded here.
extension String {
    /// This text right-aligned in `width` characters (unchanged when longer).
    package func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }

    /// This text left-aligned in `width` characters (unchanged when longer).
    package func rightPadded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
