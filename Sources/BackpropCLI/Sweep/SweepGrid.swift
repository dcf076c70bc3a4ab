import Backprop

/// The configurations of a sweep: the Cartesian product of the swept settings' lists,
/// numbered in a fixed order (learning rate slowest, then seed, batch size, optimizer,
/// momentum, then, when swept, schedule, gamma, t-max, and warmup epochs fastest). Momentum
/// is a setting of SGD only, gamma of step, multistep and exponential, t-max of cosine, a
/// warmup of the schedules but onecycle and plateau: the others take none, once, so the
/// grid has no two identical configurations.
struct SweepGrid {
    /// One configuration: its number and swept settings (as a results line names them). The
    /// schedule's are nil when the sweep does not sweep schedules, or the schedule has none.
    struct Point: Equatable, Codable {
        var index: Int
        var learningRate: Double
        var seed: UInt64
        var batchSize: Int
        var optimizer: String
        var momentum: Double
        var schedule: String?
        var gamma: Double?
        var tMax: Int?
        var warmupEpochs: Int?

        enum CodingKeys: String, CodingKey {
            case index, seed, optimizer, momentum, schedule, gamma
            case learningRate = "learning_rate", batchSize = "batch_size", tMax = "t_max", warmupEpochs = "warmup_epochs"
        }

        /// The schedule in words ("cosine t_max 10 warmup 2"); nil when the sweep sweeps none.
        var scheduleLabel: String? {
            schedule.map { name in
                [name, gamma.map { "gamma \($0)" }, tMax.map { "t_max \($0)" }, warmupEpochs.map { "warmup \($0)" }]
                    .compactMap { $0 }.joined(separator: " ")
            }
        }
    }

    /// The schedule lists of a sweep that sweeps schedules: names, and the values of the
    /// settings that differ by schedule (nil: not swept).
    struct Schedules {
        var names: [String]
        var gammas: [Double]?
        var tMaxes: [Int]?
        var warmups: [Int]?
    }

    let points: [Point]
    /// Each swept option's list as the grid reads it (defaults included), by option name.
    let lists: [String: String]

    init(
        learningRates: [Double], seeds: [UInt64], batchSizes: [Int], optimizers: [String], momentums: [Double],
        schedules: Schedules? = nil
    ) {
        var points: [Point] = []
        for learningRate in learningRates {
            for seed in seeds {
                for batchSize in batchSizes {
                    for optimizer in optimizers {
                        for momentum in optimizer == "sgd" ? momentums : [momentums[0]] {
                            let point = Point(
                                index: 0, learningRate: learningRate, seed: seed, batchSize: batchSize, optimizer: optimizer,
                                momentum: optimizer == "sgd" ? momentum : 0)
                            for var point in Self.scheduled(point, schedules) {
                                point.index = points.count
                                points.append(point)
                            }
                        }
                    }
                }
            }
        }
        self.points = points
        func text(_ values: [some CustomStringConvertible]) -> String { values.map(\.description).joined(separator: ",") }
        var lists = [
            "--learning-rate": text(learningRates), "--seed": text(seeds), "--batch-size": text(batchSizes),
            "--optimizer": text(optimizers), "--momentum": text(momentums),
        ]
        if let schedules {
            lists["--schedule"] = text(schedules.names)
            lists["--gamma"] = schedules.gammas.map(text)
            lists["--t-max"] = schedules.tMaxes.map(text)
            lists["--warmup-epochs"] = schedules.warmups.map(text)
        }
        self.lists = lists
    }

    /// `point` with each schedule and the values of its own settings; `point` itself when no
    /// schedule is swept.
    private static func scheduled(_ point: Point, _ schedules: Schedules?) -> [Point] {
        guard let schedules else { return [point] }
        func values<Value>(_ list: [Value]?, _ option: String, of name: String) -> [Value?] {
            guard let list, ScheduleOptions.schedules(taking: option).contains(name) else { return [nil] }
            return list
        }
        var points: [Point] = []
        for name in schedules.names {
            for gamma in values(schedules.gammas, "--gamma", of: name) {
                for tMax in values(schedules.tMaxes, "--t-max", of: name) {
                    for warmup in values(schedules.warmups, "--warmup-epochs", of: name) {
                        var scheduled = point
                        (scheduled.schedule, scheduled.gamma, scheduled.tMax, scheduled.warmupEpochs) = (name, gamma, tMax, warmup)
                        points.append(scheduled)
                    }
                }
            }
        }
        return points
    }

    /// A comma-separated list of `option`, each item checked by `parse` (nil: not valid).
    static func list<Value>(_ text: String, option: String, requirement: String, _ parse: (String) -> Value?) throws(UsageError)
        -> [Value]
    {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var values: [Value] = []
        for item in items {
            guard let value = parse(item) else {
                throw UsageError(description: "\(option) takes a comma-separated list of \(requirement); '\(item)' is not one")
            }
            values.append(value)
        }
        return values
    }
}

/// `--shard I/N`, or the scheduler's array task (Slurm's, then Kubernetes'): which
/// configurations this process trains (index mod N = I).
struct Shard: Equatable {
    var index: Int
    var count: Int

    static let whole = Shard(index: 0, count: 1)

    /// The shard from `--shard`, else from the environment, else the whole grid.
    static func from(option: String?, environment: [String: String]) throws(UsageError) -> Shard {
        if let option {
            let parts = option.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (0..<count).contains(index)
            else {
                throw UsageError(description: "--shard must be I/N with 0 <= I < N, not '\(option)'")
            }
            return Shard(index: index, count: count)
        }
        for (indexName, countName) in [("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"), ("JOB_COMPLETION_INDEX", "JOB_COMPLETION_COUNT")] {
            guard let indexText = environment[indexName] else { continue }
            guard let index = Int(indexText), let countText = environment[countName], let count = Int(countText), count >= 1,
                (0..<count).contains(index)
            else {
                throw UsageError(
                    description: "\(indexName)=\(indexText) needs \(countName) set to the number of tasks (array indices from 0); or give --shard I/N")
            }
            return Shard(index: index, count: count)
        }
        return .whole
    }

    /// The results file of this shard, under the sweep's folder.
    var resultsName: String { count == 1 ? "results.jsonl" : "results-shard-\(index)-of-\(count).jsonl" }

    func owns(_ point: SweepGrid.Point) -> Bool { point.index % count == index }
}
