import Foundation

/// The memory this process can use: the machine's, or less under a limit on the process
/// (`ulimit -v`) or on its control group (a container, a Slurm job's `--mem`). The tool's
/// policy weighs a run's `TrainingConfiguration.bytesPerLoadedSample` against it.
func availableMemory() -> UInt64 {
    var bytes = ProcessInfo.processInfo.physicalMemory
    // The address space the process already holds (the runtime, its first threads and
    // arenas) counts against its limit: without it, a run passed the check, then could not
    // start its threads.
    if let limit = System.addressSpaceLimit { bytes = min(bytes, limit - min(limit, System.addressSpaceInUse ?? 0)) }
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

/// A size as the tool's messages give it: in MiB under 1 GiB, in GiB with a decimal above.
func memorySize(_ bytes: Double) -> String {
    bytes < 1_073_741_824 ? String(format: "%.0f MiB", bytes / 1_048_576) : String(format: "%.1f GiB", bytes / 1_073_741_824)
}
