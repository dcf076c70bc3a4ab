import Synchronization

/// SIGINT and SIGTERM as a request to stop training at the end of the current mini-batches.
enum StopSignal {
    /// The signal received, or 0.
    static let received = Atomic<Int32>(0)

    /// Installs the handlers. A second signal of the same kind ends the process at once.
    static func install() {
        System.onStopSignals { number in
            StopSignal.received.store(number, ordering: .relaxed)
            System.restoreDefault(number)
        }
    }

    static var requested: Bool { received.load(ordering: .relaxed) != 0 }
}
