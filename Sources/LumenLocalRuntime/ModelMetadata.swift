import CLlama
import Foundation

/// What a GGUF model is: read from its header (no weights loaded).
package struct ModelMetadata: Sendable, Hashable, Codable {
    /// Absolute path of the file.
    package var path: String
    /// `general.name`, or the file name.
    package var name: String
    /// `general.architecture` (e.g. `llama`).
    package var architecture: String
    /// Total tensor elements.
    package var parameters: UInt64
    /// The context length the model was trained with (`<arch>.context_length`).
    package var trainingContextLength: Int?
    /// Layers (`<arch>.block_count`).
    package var layers: Int?
    /// Embedding width (`<arch>.embedding_length`).
    package var embeddingLength: Int?
    /// Quantisation / file type (e.g. `Q4_1`), from `general.file_type`.
    package var quantization: String
    /// File size in bytes.
    package var fileSize: Int64
    /// GGUF format version.
    package var ggufVersion: UInt32
    /// The Jinja chat template embedded in the model (`tokenizer.chat_template`), if any.
    package var chatTemplate: String?

    /// Reads the metadata of the GGUF file at `path`; throws missing file, not-GGUF or corrupt-header errors.
    package static func read(path: String) throws(LocalRuntimeError) -> ModelMetadata {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let header = try GGUFHeader.read(path: absolute)
        let size = (try? FileManager.default.attributesOfItem(atPath: absolute)[.size] as? NSNumber)?.int64Value ?? 0
        return ModelMetadata(header: header, path: absolute, fileSize: size)
    }

    init(header: GGUFHeader, path: String, fileSize: Int64) {
        let arch = header.architecture ?? "unknown"
        func int(_ key: String) -> Int? { header.metadata["\(arch).\(key)"]?.integer.map { Int($0) } }
        self.path = path
        name = header.metadata["general.name"]?.string ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        architecture = arch
        parameters = header.parameterCount
        trainingContextLength = int("context_length")
        layers = int("block_count")
        embeddingLength = int("embedding_length")
        quantization = ModelMetadata.fileTypeName(header.metadata["general.file_type"]?.integer)
        self.fileSize = fileSize
        ggufVersion = header.version
        chatTemplate = header.metadata["tokenizer.chat_template"]?.string
    }

    /// llama.cpp's name for a `general.file_type` value (e.g. "Q4_1"), or "unknown".
    static func fileTypeName(_ value: Int64?) -> String {
        guard let value, let raw = UInt32(exactly: value) else { return "unknown" }
        guard let cName = llama_ftype_name(llama_ftype(rawValue: raw)) else { return "unknown" }
        let name = String(cString: cName)
        return name.isEmpty || name.hasPrefix("unknown") ? "unknown (\(value))" : name
    }
}
