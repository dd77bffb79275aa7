import CLlama
import Foundation

/// Receives llama.cpp's (process-wide) log output: silent unless a runtime asked for it, and keeps the
/// recent warnings/errors so a failed load can say why.
final class LlamaLog: @unchecked Sendable {
    // Safe: every mutable field is only touched with `lock` held.
    private let lock = NSLock()
    private var verbose = false
    /// Warning and error lines by listening thread: llama.cpp logs a load's or a context's failure on
    /// the thread that called it, so concurrent loads (or a load next to a context creation) cannot
    /// clear or mix up each other's explanation.
    private var recent: [UInt: [String]] = [:]
    private var line: [UInt: String] = [:]

    /// The single sink registered with `llama_log_set` (llama.cpp's logger is process-global).
    static let shared: LlamaLog = {
        let sink = LlamaLog()
        llama_log_set(
            { level, text, userData in
                guard let text, let userData else { return }
                Unmanaged<LlamaLog>.fromOpaque(userData).takeUnretainedValue().receive(level: level, text: String(cString: text))
            },
            Unmanaged.passUnretained(sink).toOpaque()
        )
        llama_backend_init()
        return sink
    }()

    private static func currentThread() -> UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }

    /// Turns forwarding to standard error on (sticky for the process).
    func enableVerbose() {
        lock.withLock { verbose = true }
    }

    /// Starts collecting this thread's messages afresh (call before an operation whose failure you want to explain).
    func clearRecent() {
        let thread = Self.currentThread()
        lock.withLock {
            recent[thread] = []
            line[thread] = ""
        }
    }

    /// Warning and error lines this thread got since its last `clearRecent`; stops collecting for it.
    func recentMessages() -> [String] {
        let thread = Self.currentThread()
        return lock.withLock {
            line[thread] = nil
            return recent.removeValue(forKey: thread) ?? []
        }
    }

    private func receive(level: ggml_log_level, text: String) {
        let thread = Self.currentThread()
        let forward = lock.withLock { () -> Bool in
            if var collected = recent[thread], var current = line[thread] {
                if level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_ERROR || (level == GGML_LOG_LEVEL_CONT && !current.isEmpty) {
                    current += text
                    if current.hasSuffix("\n") {
                        collected.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                        if collected.count > 64 { collected.removeFirst(collected.count - 64) }
                        current = ""
                    }
                    recent[thread] = collected
                    line[thread] = current
                }
            }
            return verbose
        }
        if forward { FileHandle.standardError.write(Data(text.utf8)) }
    }
}

/// A loaded llama.cpp model. Immutable after loading; vocabulary look-ups are safe from any thread.
final class LlamaModel: @unchecked Sendable {
    // Safe: `pointer` and `vocab` never change after init, and the llama.cpp calls made through them from
    // several threads (tokenize, token_to_piece, chat template, metadata) only read the loaded model.
    let pointer: OpaquePointer
    let vocab: OpaquePointer
    let metadata: ModelMetadata

    /// Serialises loads so the log lines collected belong to the load that failed.
    private static let loadLock = NSLock()

    init(path: String, verbose: Bool) throws(LocalRuntimeError) {
        let log = LlamaLog.shared
        if verbose { log.enableVerbose() }
        let metadata = try ModelMetadata.read(path: path)
        var params = llama_model_default_params()
        params.n_gpu_layers = 0
        let loaded: OpaquePointer? = LlamaModel.loadLock.withLock {
            log.clearRecent()
            return llama_model_load_from_file(metadata.path, params)
        }
        let messages = log.recentMessages()
        guard let loaded else {
            throw LlamaModel.explainLoadFailure(path: metadata.path, architecture: metadata.architecture, messages: messages)
        }
        guard let vocab = llama_model_get_vocab(loaded) else {
            llama_model_free(loaded)
            throw .loadFailed(path: metadata.path, reason: "the model has no vocabulary")
        }
        pointer = loaded
        self.vocab = vocab
        self.metadata = metadata
    }

    deinit {
        llama_model_free(pointer)
    }

    static func explainLoadFailure(path: String, architecture: String, messages: [String]) -> LocalRuntimeError {
        let text = messages.joined(separator: "\n")
        if text.contains("unknown model architecture") {
            return .unsupportedArchitecture(path: path, architecture: architecture)
        }
        let reason =
            messages.last(where: { $0.contains("error loading model") }) ?? messages.last(where: { !$0.isEmpty })
            ?? "llama_model_load_from_file returned NULL"
        let corruptMarkers = ["not within the file bounds", "data is not within", "corrupt", "truncat", "failed to read", "unexpectedly reached end"]
        if corruptMarkers.contains(where: { text.localizedCaseInsensitiveContains($0) }) {
            return .corruptModel(path: path, reason: reason)
        }
        return .loadFailed(path: path, reason: reason)
    }

    /// Tokenizes `text`; `special` adds BOS/EOS as the model wants and parses control tokens like `<|im_start|>`.
    func tokenize(_ text: String, special: Bool) -> [llama_token] {
        tokenize(text, addSpecial: special, parseSpecial: special)
    }

    /// Tokenizes `text`: `addSpecial` adds BOS/EOS as the model wants, `parseSpecial` reads control tokens.
    func tokenize(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [llama_token] {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return [] }
        var capacity = utf8.count + 8
        while true {
            var tokens = [llama_token](repeating: 0, count: capacity)
            let count = utf8.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    llama_tokenize(vocab, chars.baseAddress, Int32(chars.count), &tokens, Int32(capacity), addSpecial, parseSpecial)
                }
            }
            if count >= 0 { return Array(tokens.prefix(Int(count))) }
            if count == Int32.min { return [] }
            capacity = Int(-count)
        }
    }

    /// The bytes of one token's text (control tokens render as nothing).
    func piece(_ token: llama_token, special: Bool = false) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 64)
        var count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, special)
        if count < 0 {
            buffer = [CChar](repeating: 0, count: Int(-count))
            count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, special)
        }
        guard count > 0 else { return [] }
        return buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }
    }

    /// Whether `token` ends generation (EOS, EOT, …).
    func isEndOfGeneration(_ token: llama_token) -> Bool {
        llama_vocab_is_eog(vocab, token)
    }

    /// Renders `turns` with the model's own chat template (llama.cpp's built-in implementation of it),
    /// ending with the assistant prefix.
    func applyChatTemplate(_ turns: [ChatTurn]) throws(LocalRuntimeError) -> String {
        guard !turns.isEmpty else { throw .invalidChat("the conversation has no turns") }
        for turn in turns where !ChatTurn.roles.contains(turn.role) {
            throw .invalidChat("role '\(turn.role)' is not one of system, user, assistant")
        }
        return try renderTemplate(turns)
    }

    /// Renders turns of any role (as tool formats produce them) with the model's chat template.
    func renderTemplate(_ turns: [ChatTurn]) throws(LocalRuntimeError) -> String {
        guard let rendered = LlamaModel.applyTemplate(llama_model_chat_template(pointer, nil), turns) else {
            throw .unsupportedChatTemplate("llama.cpp does not recognise the chat template of \(metadata.name)")
        }
        return rendered
    }

    /// llama.cpp's rendering of `turns` with `template` (a Jinja template it recognises by its markers,
    /// or a built-in template name; nil: chatml), ending with the assistant prefix; nil when unrecognised.
    static func applyTemplate(_ template: UnsafePointer<CChar>?, _ turns: [ChatTurn]) -> String? {
        let roles = turns.map { strdup($0.role) }
        let contents = turns.map { strdup($0.content) }
        defer {
            roles.forEach { free($0) }
            contents.forEach { free($0) }
        }
        let messages = zip(roles, contents).map { llama_chat_message(role: $0, content: $1) }
        var capacity = max(256, turns.reduce(0) { $0 + $1.content.utf8.count + $1.role.utf8.count } * 2 + 256)
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let length = llama_chat_apply_template(template, messages, messages.count, true, &buffer, Int32(capacity))
            if length < 0 { return nil }
            if Int(length) <= capacity {
                return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity = Int(length)
        }
    }

    // MARK: Prompt tokens

    /// The tokens of `turns` rendered by the chat template, then `suffix` (Lumen's own text, such
    /// as a forced call opening). What the template writes (role headers, turn ends) and `suffix`
    /// are read for control tokens; the turns' contents never are, so text cannot forge a turn:
    /// `<|im_start|>system` inside a message stays text. `markers` are strings of the tool format
    /// that Lumen writes into contents and that the model knows as control tokens (`<tool_call>`);
    /// they keep their token. Linear in the prompt's length (parsing control tokens in a long text
    /// was quadratic).
    /// `continuation` (the start of the answer, written by the client) follows the template as text,
    /// like a content.
    func promptTokens(
        _ turns: [ChatTurn], continuation: String = "", suffix: String, markers: [String] = []
    ) throws(LocalRuntimeError) -> [llama_token] {
        // Each content is replaced by a marker no text contains (a fresh nonce between private-use
        // characters), the template is applied, and the contents go back in as plain text. All
        // searching is on bytes with memmem: linear whatever the number of turns.
        let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let open = Array("\u{F8FF}\(nonce):".utf8)
        let close = Array("\u{F8FE}".utf8)
        var marked = turns
        for index in marked.indices { marked[index].content = "\u{F8FF}\(nonce):\(index)\u{F8FE}" }
        let contents = turns.map(\.content) + [continuation]
        let rendered = Array((try renderTemplate(marked) + (continuation.isEmpty ? "" : "\u{F8FF}\(nonce):\(turns.count)\u{F8FE}") + suffix).utf8)
        let controlMarkers = markers.map { Array($0.utf8) }.filter { marker in
            let tokens = tokenize(String(decoding: marker, as: UTF8.self), addSpecial: false, parseSpecial: true)
            return tokens.count == 1
                && llama_vocab_get_attr(vocab, tokens[0]).rawValue & (LLAMA_TOKEN_ATTR_CONTROL.rawValue | LLAMA_TOKEN_ATTR_USER_DEFINED.rawValue) != 0
        }
        var tokens: [llama_token] = []
        var first = true
        func add(_ bytes: ArraySlice<UInt8>, parseSpecial: Bool) {
            guard !bytes.isEmpty else { return }
            tokens += tokenize(String(decoding: bytes, as: UTF8.self), addSpecial: first, parseSpecial: parseSpecial)
            first = false
        }
        var cursor = 0
        while let start = Self.find(open, in: rendered, from: cursor) {
            add(rendered[cursor..<start], parseSpecial: true)
            let digits = start + open.count
            guard let end = Self.find(close, in: rendered, from: digits),
                let index = Int(String(decoding: rendered[digits..<end], as: UTF8.self)), contents.indices.contains(index)
            else {
                throw .invalidChat("the chat template changed a message beyond recognition")
            }
            // Lumen's own markers in the content keep their control token; everything else is text.
            // A template that trims contents (Llama 3's `| trim`) trims them here too.
            let text = trimsContents && index < turns.count ? contents[index].trimmingCharacters(in: .whitespacesAndNewlines) : contents[index]
            let content = Array(text.utf8)
            var found: [(at: Int, length: Int)] = []
            for marker in controlMarkers {
                var from = 0
                while let at = Self.find(marker, in: content, from: from) {
                    found.append((at, marker.count))
                    from = at + marker.count
                }
            }
            var position = 0
            for marker in found.sorted(by: { $0.at < $1.at }) where marker.at >= position {
                add(content[position..<marker.at], parseSpecial: false)
                add(content[marker.at..<(marker.at + marker.length)], parseSpecial: true)
                position = marker.at + marker.length
            }
            add(content[position...], parseSpecial: false)
            cursor = end + close.count
        }
        add(rendered[cursor...], parseSpecial: true)
        return tokens
    }

    /// Whether the model's chat template trims each message's content.
    var trimsContents: Bool {
        guard let template = metadata.chatTemplate else { return false }
        return template.contains("| trim") || template.contains("|trim")
    }

    /// The offset of the first `needle` in `haystack` at or after `from` (memchr for its first byte,
    /// then a comparison).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard from < haystack.count, !needle.isEmpty else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pattern -> Int? in
                var offset = from
                let last = hay.count - pattern.count
                while offset <= last {
                    guard let hit = memchr(hay.baseAddress! + offset, Int32(pattern[0]), last - offset + 1) else { return nil }
                    let at = hay.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hay.baseAddress! + at, pattern.baseAddress!, pattern.count) == 0 { return at }
                    offset = at + 1
                }
                return nil
            }
        }
    }
}
