import Foundation

/// Settings an engine may use; engines ignore what does not apply to them.
public struct EngineOptions: Sendable, Equatable {
    /// Worker threads for engines that split a mini-batch across cores (at least 1).
    public var threads: Int
    /// The copy of the SIMD kernels the SIMD and parallel engines run: the best this CPU
    /// has, by default.
    public var kernel: KernelVariant

    /// - Precondition: `threads` ≥ 1, and this CPU runs `kernel`.
    public init(threads: Int = EngineOptions.availableCores, kernel: KernelVariant = .best) {
        precondition(threads >= 1, "threads must be at least 1")
        precondition(kernel.isSupported, "this CPU does not run the \(kernel.rawValue) kernels")
        self.threads = threads
        self.kernel = kernel
    }

    /// The cores this process may run on.
    public static var availableCores: Int { ProcessInfo.processInfo.activeProcessorCount }
}

/// The memory this process can use: the machine's, or less under a limit on the process
/// (`ulimit -v`) or on its control group (a container, a Slurm job's `--mem`).
package func availableMemory() -> UInt64 {
    var bytes = ProcessInfo.processInfo.physicalMemory
    if let limit = System.addressSpaceLimit { bytes = min(bytes, limit) }
    // cgroup v2, then v1: "max" or an unreadable file mean no limit.
    for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let limit = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            bytes = min(bytes, limit)
        }
    }
    return bytes
}
