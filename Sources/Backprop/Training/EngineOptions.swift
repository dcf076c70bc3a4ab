import Foundation

/// Settings an engine may use; engines ignore what does not apply to them.
public struct EngineOptions: Sendable, Equatable {
    /// Worker threads for engines that split a mini-batch across cores (at least 1).
    public var threads: Int

    /// - Precondition: `threads` ≥ 1.
    public init(threads: Int = EngineOptions.availableCores) {
        precondition(threads >= 1, "threads must be at least 1")
        self.threads = threads
    }

    /// The cores this process may run on.
    public static var availableCores: Int { ProcessInfo.processInfo.activeProcessorCount }
}
