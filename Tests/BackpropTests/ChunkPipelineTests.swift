import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Backprop

/// The pipeline's spare work: done by the engine's thread while it waits for a chunk, by the
/// worker when it has none to prepare, and stopped when the pipeline settles.
@Suite struct ChunkPipelineTests {
    /// Spare work that counts its steps, and which threads took them.
    final class Counter: Sendable {
        let steps = Atomic<Int>(0)
        let stepsOnCaller = Atomic<Int>(0)
        /// Whether what the test waits for happened (the caller took a step while the
        /// worker prepared a chunk; the worker took steps while the caller prepared one).
        let callerStepped = Atomic<Bool>(false)
        let limit: Int
        let caller = ObjectIdentifier(Thread.current)
        init(limit: Int) { self.limit = limit }

        func step() -> ChunkPipeline.SpareStep {
            guard steps.add(1, ordering: .sequentiallyConsistent).newValue <= limit else { return .done }
            if ObjectIdentifier(Thread.current) == caller { stepsOnCaller.add(1, ordering: .sequentiallyConsistent) }
            return .taken
        }
    }

    /// Chunks whose samples are their positions.
    static func positions(_ range: Range<Int>, _ chunk: inout Dataset) {
        chunk = Dataset(validatedX0: range.map(Double.init), x1: [Double](repeating: 0, count: range.count),
                        label: [Double](repeating: 0, count: range.count))
    }

    @Test func theWaitingThreadDoesSpareWorkUntilItsChunkIsReady() throws {
        let pipeline = ChunkPipeline(label: "test")
        let counter = Counter(limit: .max)
        // The chunk is ready only once the waiting thread has taken a spare step (or after
        // 10 s, which fails the test: the waiting thread did none).
        let stepTaken = DispatchSemaphore(value: 0)
        let prepare: @Sendable (Range<Int>, inout Dataset) -> Void = { range, chunk in
            if range.lowerBound > 0 {
                counter.callerStepped.store(stepTaken.wait(timeout: .now() + 10) == .success, ordering: .sequentiallyConsistent)
            }
            Self.positions(range, &chunk)
        }
        let spare: ChunkPipeline.SpareWork = {
            let stepped = counter.step()
            if ObjectIdentifier(Thread.current) == counter.caller { stepTaken.signal() }
            return stepped
        }
        try pipeline.withChunk(0..<4, prefetching: 4..<8, prepare: prepare, spare: spare) { #expect(Array($0.x0) == [0, 1, 2, 3]) }
        try pipeline.withChunk(4..<8, prefetching: nil, prepare: prepare, spare: spare) { #expect(Array($0.x0) == [4, 5, 6, 7]) }
        let stepped = counter.callerStepped.load(ordering: .sequentiallyConsistent)
        #expect(stepped)
        // Endless spare work on the worker: settling stops it.
        pipeline.settle()
        let settled = counter.steps.load(ordering: .sequentiallyConsistent)
        Thread.sleep(forTimeInterval: 0.05)
        let later = counter.steps.load(ordering: .sequentiallyConsistent)
        #expect(later == settled)
    }

    @Test func aChunkPreparedByTheCallerLeavesTheWorkerToItsSpareWork() throws {
        let pipeline = ChunkPipeline(label: "test")
        let counter = Counter(limit: .max)
        let spare: ChunkPipeline.SpareWork = { counter.step() }
        try pipeline.withChunk(0..<4, prefetching: nil, prepare: Self.positions, spare: spare) { _ in }
        // No chunk asked for: the caller prepares 4..<8 itself, and the worker's steps go on
        // meanwhile (1000 more within 10 s).
        let stepsGoOn: @Sendable (Range<Int>, inout Dataset) -> Void = { range, chunk in
            let start = counter.steps.load(ordering: .sequentiallyConsistent)
            for _ in 0..<1000 where counter.steps.load(ordering: .sequentiallyConsistent) < start + 1000 { Thread.sleep(forTimeInterval: 0.01) }
            counter.callerStepped.store(counter.steps.load(ordering: .sequentiallyConsistent) >= start + 1000, ordering: .sequentiallyConsistent)
            Self.positions(range, &chunk)
        }
        try pipeline.withChunk(4..<8, prefetching: nil, prepare: stepsGoOn, spare: spare) { #expect(Array($0.x0) == [4, 5, 6, 7]) }
        let wentOn = counter.callerStepped.load(ordering: .sequentiallyConsistent)
        #expect(wentOn)
        pipeline.settle()
    }

    @Test func theWorkerDoesTheSpareWorkWhenTheCallerDoesNotWait() throws {
        let pipeline = ChunkPipeline(label: "test")
        let counter = Counter(limit: 1000)
        let spare: ChunkPipeline.SpareWork = { counter.step() }
        try pipeline.withChunk(0..<4, prefetching: nil, prepare: Self.positions, spare: spare) { _ in
            // The worker runs out of work while the caller is busy here (10 s at most).
            for _ in 0..<1000 where counter.steps.load(ordering: .sequentiallyConsistent) <= 1000 { Thread.sleep(forTimeInterval: 0.01) }
        }
        let (steps, stepsOnCaller) = (counter.steps.load(ordering: .sequentiallyConsistent), counter.stepsOnCaller.load(ordering: .sequentiallyConsistent))
        #expect(steps == 1001)  // 1000 steps, then "none left"
        #expect(stepsOnCaller == 0)
    }
}
