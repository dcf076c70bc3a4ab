import Foundation  // and with it the C library (signal, SIGINT, SIGTERM)
import Synchronization

/// SIGINT and SIGTERM as a request to stop training at the end of the current mini-batches.
enum StopSignal {
    /// The signal received, or 0.
    static let received = Atomic<Int32>(0)

    /// Installs the handlers. A second signal of the same kind ends the process at once.
    static func install() {
        // A parent may have started us with these signals blocked (a blocked mask survives
        // exec); unblock them, or Ctrl-C would never arrive.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { number in
                StopSignal.received.store(number, ordering: .relaxed)
                signal(number, SIG_DFL)
            }
        }
    }

    static var requested: Bool { received.load(ordering: .relaxed) != 0 }
}
