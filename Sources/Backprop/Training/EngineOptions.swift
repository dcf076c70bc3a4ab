import Foundation

/// Settings an engine may use; engines ignore what does not apply to them.
public struct EngineOptions: Sendable, Equatable {
    /// Worker threads for engines that split a mini-batch across cores (at least 1).
    public private(set) var threads: Int
    /// The copy of the SIMD kernels the SIMD and parallel engines run: the best this CPU
    /// has, by default.
    public private(set) var kernel: KernelVariant

    /// Options the caller knows to be valid; for settings from outside the program,
    /// `checked(threads:kernel:)` throws instead.
    ///
    /// - Precondition: `threads` ≥ 1, and this CPU runs `kernel`.
    public init(threads: Int = EngineOptions.availableCores, kernel: KernelVariant = .best) {
        precondition(threads >= 1, "threads must be at least 1")
        precondition(kernel.isSupported, "this CPU does not run the \(kernel.rawValue) kernels")
        self.threads = threads
        self.kernel = kernel
    }

    /// Options from outside the program (a user, a file), checked.
    ///
    /// - Throws: `SettingError` naming `threads` when it is below 1, or `kernel` when this
    ///   CPU does not run it.
    public static func checked(threads: Int, kernel: KernelVariant = .best) throws(SettingError) -> EngineOptions {
        guard threads >= 1 else { throw SettingError(setting: "threads", message: "\(threads) is not 1 or more") }
        guard kernel.isSupported else {
            throw SettingError(setting: "kernel", message: "this CPU does not run the \(kernel.rawValue) kernels")
        }
        return EngineOptions(threads: threads, kernel: kernel)
    }

    /// The cores this process may run on.
    public static var availableCores: Int { ProcessInfo.processInfo.activeProcessorCount }
}
