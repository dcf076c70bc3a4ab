import Backprop
import Foundation

/// A sweep's folder: the files a sweep writes there, the locks that keep two runs of one
/// shard apart, the settings every run into it must share, and the checks that keep the
/// sweep's inputs out of it.
///
/// ```
/// DIR/sweep.json                          every setting that changes a model, written once
/// DIR/.lock                               flock: the whole grid's run alone, or shared by shards
/// DIR/.lock-shard-I-of-N                  flock: shard I of N alone
/// DIR/results.jsonl, results-shard-I-of-N.jsonl   a line appended per finished configuration
/// DIR/models/config-N.json, DIR/checkpoints/config-N.json
/// ```
struct SweepFolder {
    let path: String

    var settingsFile: String { "\(path)/sweep.json" }

    func resultsFile(_ shard: Shard) -> String { "\(path)/\(shard.resultsName)" }

    /// Configuration `index`'s model, relative to the folder, as its results line names it.
    static func modelName(_ index: Int) -> String { "models/config-\(number(index)).json" }

    func model(_ index: Int) -> String { "\(path)/\(Self.modelName(index))" }

    func checkpoint(_ index: Int) -> String { "\(path)/checkpoints/config-\(Self.number(index)).json" }

    /// An index written with at least four digits, as the files name it.
    private static func number(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Takes the folder's locks for `shard` until the process ends: the whole grid's run
    /// holds `.lock` alone; a shard's run shares `.lock` with the other shards and holds its
    /// own `.lock-shard-I-of-N` alone. So shards of one array run side by side, while two
    /// runs of one shard, or a shard and the whole grid, never do. The lock files are never
    /// deleted, and flock(2) locks end with their process: a killed run never blocks the next.
    ///
    /// - Throws: `InputError` naming the folder when another run holds what this one needs.
    func lock(for shard: Shard) throws(InputError) {
        if shard == .whole {
            try take("\(path)/.lock", exclusive: true)
        } else {
            try take("\(path)/.lock", exclusive: false)
            try take("\(path)/.lock-shard-\(shard.index)-of-\(shard.count)", exclusive: true)
        }
    }

    /// flock(2) on `file`, without waiting; its descriptor stays open (and the lock held)
    /// until the process ends.
    private func take(_ file: String, exclusive: Bool) throws(InputError) {
        do throws(System.LockFailure) { try System.lock(file, exclusive: exclusive) } catch {
            switch error {
            case .failed(let code):
                throw InputError(file: file, line: nil, message: "cannot lock: \(System.describe(code))")
            case .held:
                throw InputError(
                    file: path, line: nil,
                    message: "another `backprop sweep` is running into this folder (it holds \(file)); wait for it to end, or give another --out")
            }
        }
    }

    /// Records `settings` in sweep.json at a folder's first run, or refuses settings that
    /// differ from those recorded, naming the first difference (keys in sorted order).
    ///
    /// sweep.json is made by link(2) from a synced temporary file, so that of shards starting
    /// at once exactly one writes it, and the others compare with it.
    func agree(to settings: [String: String]) throws {
        if let recorded = try recordedSettings() {
            for key in Set(recorded.keys).union(settings.keys).sorted() where recorded[key] != settings[key] {
                throw Failure(
                    description: "\(key) is \(recorded[key] ?? "absent") in \(settingsFile), \(settings[key] ?? "absent") here: "
                        + "the folder holds a sweep of other settings; give them to continue it, or give another --out")
            }
            return
        }
        // Adopting an earlier version's folder would trust settings its results do not
        // record (epochs, data, weight decay), so it is refused.
        if let trace = try traceOfAnEarlierVersion() {
            // A shard that started at once may have written sweep.json, then results, since.
            if try recordedSettings() != nil { return try agree(to: settings) }
            throw InputError(
                file: path, line: nil,
                message: "\(trace) but no sweep.json (an earlier backprop's folder), so the settings that trained them "
                    + "cannot be checked; give another --out (`sweep --report` still reads this one)")
        }
        // Written by hand: Foundation's JSON writer took 4% of a short sweep, starting up.
        let text = "{\n" + settings.sorted { $0.key < $1.key }.map { "  \(jsonString($0.key)) : \(jsonString($0.value))" }
            .joined(separator: ",\n") + "\n}\n"
        let temporary = "\(path)/.sweep.json.\(ProcessInfo.processInfo.processIdentifier).new"
        try AtomicFile.write(text, to: temporary)
        defer { System.unlink(temporary) }
        let code = System.link(temporary, settingsFile)
        guard code == 0 else {
            if code == System.alreadyExists { return try agree(to: settings) }  // another shard wrote it first
            throw InputError(file: settingsFile, line: nil, message: "cannot write: \(System.describe(code))")
        }
    }

    /// sweep.json's settings, or nil when the folder has none.
    func recordedSettings() throws(InputError) -> [String: String]? {
        guard Self.linkStatus(settingsFile) != nil else { return nil }
        guard let data = FileManager.default.contents(atPath: settingsFile) else {
            throw InputError(file: settingsFile, line: nil, message: "cannot read the sweep's settings")
        }
        guard let settings = (try? JSONSerialization.jsonObject(with: data)) as? [String: String] else {
            throw InputError(file: settingsFile, line: nil, message: "not the settings of `backprop sweep` (an object of option names and values)")
        }
        return settings
    }

    /// What shows that an earlier run trained here: a results file or a checkpoint.
    private func traceOfAnEarlierVersion() throws(InputError) -> String? {
        if let results = try resultsFiles().first { return "it has \(results)" }
        let checkpoints = (try? FileManager.default.contentsOfDirectory(atPath: "\(path)/checkpoints")) ?? []
        if let checkpoint = checkpoints.sorted().first(where: { $0.hasSuffix(".json") }) { return "it has checkpoints/\(checkpoint)" }
        return nil
    }

    /// The names of the folder's results files (one per shard), sorted.
    func resultsFiles() throws(InputError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw InputError(file: path, line: nil, message: "cannot list the folder: \(error.localizedDescription)")
        }
        return names.filter { $0.hasPrefix("results") && $0.hasSuffix(".jsonl") }.sorted()
    }

    /// The file of this folder that a write to, or a read of, `candidate` would reach through
    /// links and `..`, when the sweep writes it: sweep.json, a results file, a lock, a
    /// configuration's model or checkpoint; or a results file that `candidate` is a hard link
    /// of (results are appended in place). Nil for any other path.
    func sweepFile(namedBy candidate: String) -> String? {
        let (folder, name) = Self.resolved(candidate)
        func real(_ path: String) -> String? { Self.realPath(path) }
        if folder == real(path), name == "sweep.json" || name.hasPrefix(".lock") || (name.hasPrefix("results") && name.hasSuffix(".jsonl")) {
            return "\(path)/\(name)"
        }
        for part in ["models", "checkpoints"] where folder == real("\(path)/\(part)") && name.hasPrefix("config-") && name.hasSuffix(".json") {
            return "\(path)/\(part)/\(name)"
        }
        let results = (try? resultsFiles()) ?? []
        return results.map { "\(path)/\($0)" }.first { AtomicFile.wouldReplace($0, candidate) }
    }

    /// The real folder (no links, no `..`) and the name that `path` finally names, following
    /// links of its last part (up to 32) even to a file that does not exist yet.
    static func resolved(_ path: String) -> (folder: String?, name: String) {
        var current = path
        for _ in 0..<32 {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { break }
            current = target.hasPrefix("/") ? target : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
        }
        let folder = (current as NSString).deletingLastPathComponent
        return (realPath(folder.isEmpty ? "." : folder), (current as NSString).lastPathComponent)
    }

    /// realpath(3), or nil when `path` does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Refuses a symbolic link at `file`, where the sweep writes its own file.
    ///
    /// Refused, not replaced: a link there was made by someone, and replacing it would lose
    /// it without a word, while refusing changes nothing.
    static func refuseLink(_ file: String) throws(InputError) {
        guard let status = Self.linkStatus(file), status.st_mode & S_IFMT == S_IFLNK else { return }
        throw InputError(
            file: file, line: nil,
            message: "is a symbolic link, where the sweep writes its own file (it never writes through a link); remove it, or give another --out")
    }

    /// lstat(2), or nil when nothing is at `path`.
    static func linkStatus(_ path: String) -> stat? {
        var status = stat()
        return lstat(path, &status) == 0 ? status : nil
    }
}
