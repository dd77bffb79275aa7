/// Dense linear algebra the classifier's trainers share.
enum LinearSolve {
    /// Solves `a x = b` by Gaussian elimination with partial pivoting; nil when a pivot is not larger
    /// than `tolerance` in magnitude (the matrix is singular for the trainer's purposes).
    static func solve(_ a: [[Double]], _ b: [Double], tolerance: Double) -> [Double]? {
        let n = b.count
        var m = a
        var x = b
        for col in 0..<n {
            var pivot = col
            for row in (col + 1)..<n where abs(m[row][col]) > abs(m[pivot][col]) { pivot = row }
            guard abs(m[pivot][col]) > tolerance else { return nil }
            if pivot != col {
                m.swapAt(pivot, col)
                x.swapAt(pivot, col)
            }
            for row in (col + 1)..<n {
                let f = m[row][col] / m[col][col]
                if f == 0 { continue }
                for k in col..<n { m[row][k] -= f * m[col][k] }
                x[row] -= f * x[col]
            }
        }
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = x[row]
            for k in (row + 1)..<n { s -= m[row][k] * x[k] }
            x[row] = s / m[row][row]
        }
        return x
    }
}
