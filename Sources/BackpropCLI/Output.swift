import Backprop
import Foundation

/// Writes a line to standard error; when that fails too, there is no one left to tell.
func printError(_ text: String) {
    writeStandardError(text + "\n")
}

/// Writes to standard error, ignoring failures (a full disk, a closed pipe): progress and
/// messages must never stop a run.
func writeStandardError(_ text: String) {
    _ = System.writeAll(System.standardError, Array(text.utf8))
}

/// Writes `text` to standard output with write(2), so that a failure is reported, not lost
/// in a buffer.
func writeStandardOutput(_ text: String) throws(Failure) {
    _ = System.flushStandardStreams()  // anything print() holds goes first
    let code = System.writeAll(System.standardOutput, Array(text.utf8))
    if code != 0 { throw Failure(description: "cannot write to standard output: \(System.describe(code))", brokenPipe: code == System.brokenPipe) }
}

/// Flushes what print() holds and fails when it cannot be written (a full disk, a closed
/// pipe), for commands whose output is their result. Their output is smaller than the
/// buffer, so this flush is the only write that can fail.
func finishStandardOutput() throws(Failure) {
    let code = System.flushStandardStreams()
    guard code == 0 else { throw Failure(description: "cannot write to standard output: \(System.describe(code))", brokenPipe: code == System.brokenPipe) }
}

/// One JSON object on one line, keys in the given order; nil values become null.
func jsonObject(_ pairs: KeyValuePairs<String, Any?>) -> String {
    jsonObject(pairs.map { ($0.key, $0.value) })
}

/// One JSON object on one line, keys in the given order; nil values become null.
func jsonObject(_ pairs: [(key: String, value: Any?)]) -> String {
    func encode(_ value: Any?) -> String {
        switch value {
        case nil: return "null"
        case let value as Double: return value.isFinite ? "\(value)" : "null"
        case let value as Int: return "\(value)"
        case let value as UInt64: return "\(value)"
        case let value as Bool: return value ? "true" : "false"
        case let value as String: return jsonString(value)
        default: return "\"\(value!)\""
        }
    }
    return "{" + pairs.map { "\"\($0.key)\":\(encode($0.value))" }.joined(separator: ",") + "}"
}

/// `text` as a JSON string, quoted and escaped.
func jsonString(_ text: String) -> String {
    let escaped = text.unicodeScalars.map { scalar -> String in
        switch scalar {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case _ where scalar.value < 0x20: return String(format: "\\u%04x", scalar.value)
        default: return String(scalar)
        }
    }.joined()
    return "\"\(escaped)\""
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

/// Refuses, before any work, a command line whose outputs would overwrite one of its inputs
/// or each other. Each pair is an option and its path.
func checkOutputsAreApart(_ outputs: [(option: String, path: String)], from inputs: [(option: String, path: String)])
    throws(UsageError)
{
    for (index, output) in outputs.enumerated() {
        for other in inputs + outputs[..<index] where AtomicFile.wouldReplace(output.path, other.path) {
            throw UsageError(
                description:
                    "\(output.option) \(output.path) and \(other.option) \(other.path) are the same file; give \(output.option) another path")
        }
    }
}

/// The files among `candidates` that were given, each with its option.
func givenFiles(_ candidates: [(option: String, path: String?)]) -> [(option: String, path: String)] {
    candidates.compactMap { candidate in candidate.path.map { (candidate.option, $0) } }
}

/// Refuses, before allocating, a data set that cannot fit in the memory this process may
/// use: a default run's bytes a sample (the columns and a full shuffle's copies, 77), and
/// a validation copy and chunks (about 8 more).
func checkMemory(forSamples count: Int, option: String) throws(UsageError) {
    let needed = Double(count) * (TrainingConfiguration().bytesPerLoadedSample + 8)
    let available = Double(availableMemory())
    guard needed < available else {
        throw UsageError(
            description: "\(option) \(count) needs about \(memorySize(needed)) of memory; this process may use \(memorySize(available))")
    }
}
