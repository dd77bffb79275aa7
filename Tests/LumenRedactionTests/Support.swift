import LumenClassifier
import LumenRedaction

/// A finding for the `occurrence`-th (0-based) match of `value` in `text`, with Unicode-scalar offsets.
func finding(_ value: String, in text: String, _ type: FindingType, occurrence: Int = 0, score: Double = 0.9) -> Finding {
    let haystack = Array(text.unicodeScalars)
    let needle = Array(value.unicodeScalars)
    var seen = 0
    var position = 0
    while position + needle.count <= haystack.count {
        if haystack[position..<(position + needle.count)].elementsEqual(needle) {
            if seen == occurrence { return Finding(type: type, start: position, end: position + needle.count, score: score) }
            seen += 1
        }
        position += 1
    }
    fatalError("\(value) (occurrence \(occurrence)) not in test text")
}

/// Feeds `chunks` through a fresh streaming restorer; returns the concatenated output and the restorer.
func stream(_ chunks: [String], _ session: RedactionSession, format: RestorationFormat = .text) -> (String, StreamingRestorer) {
    var restorer = session.makeStreamingRestorer(format: format)
    var output = ""
    for chunk in chunks { output += restorer.push(chunk) }
    output += restorer.finish()
    return (output, restorer)
}

/// Splits `text` at the given Unicode-scalar offsets (sorted, within bounds).
func split(_ text: String, at cuts: [Int]) -> [String] {
    let scalars = Array(text.unicodeScalars)
    var parts: [String] = []
    var start = 0
    for cut in cuts + [scalars.count] {
        parts.append(String(String.UnicodeScalarView(scalars[start..<cut])))
        start = cut
    }
    return parts
}
