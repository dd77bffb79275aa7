/// A bit per scalar of the Basic Multilingual Plane (8 KiB): a set of Han characters, kana or
/// punctuation that a scanner tests on every scalar (the difficulty cues' last characters, the
/// Chinese name and address rules' triggers). Scalars beyond the BMP are never members.
struct ScalarBitmap: Sendable {
    private var bits = [UInt64](repeating: 0, count: 0x10000 / 64)

    init() {}

    init(_ scalars: some Sequence<UInt32>) {
        for scalar in scalars { insert(scalar) }
    }

    mutating func insert(_ scalar: UInt32) {
        guard scalar < 0x10000 else { return }
        bits[Int(scalar) >> 6] |= 1 << UInt64(scalar & 63)
    }

    @inline(__always)
    func contains(_ scalar: UInt32) -> Bool { scalar < 0x10000 && bits[Int(scalar) >> 6] & (1 << UInt64(scalar & 63)) != 0 }
}
