import Foundation

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// One JSON object on one line, keys in the given order; nil values become null.
func jsonObject(_ pairs: KeyValuePairs<String, Any?>) -> String {
    func encode(_ value: Any?) -> String {
        switch value {
        case nil: return "null"
        case let value as Double: return value.isFinite ? "\(value)" : "null"
        case let value as Int: return "\(value)"
        case let value as Bool: return value ? "true" : "false"
        case let value as String:
            let escaped = value.unicodeScalars.map { scalar -> String in
                switch scalar {
                case "\"": return "\\\""
                case "\\": return "\\\\"
                case "\n": return "\\n"
                case _ where scalar.value < 0x20: return String(format: "\\u%04x", scalar.value)
                default: return String(scalar)
                }
            }.joined()
            return "\"\(escaped)\""
        default: return "\"\(value!)\""
        }
    }
    return "{" + pairs.map { "\"\($0.key)\":\(encode($0.value))" }.joined(separator: ",") + "}"
}

/// "12.3 M", "456 k" — a throughput for people.
func humanRate(_ value: Double) -> String {
    switch value {
    case 1e6...: String(format: "%.2f M", value / 1e6)
    case 1e3...: String(format: "%.1f k", value / 1e3)
    default: String(format: "%.0f", value)
    }
}

func percent(_ value: Double) -> String {
    String(format: "%.2f%%", value * 100)
}

/// Warns when the binary was built without optimisation: its speed means nothing.
func warnIfDebugBuild() {
    #if DEBUG
        printError("warning: this is a debug build, 10-100x slower than release; build with `swift build -c release`")
    #endif
}
