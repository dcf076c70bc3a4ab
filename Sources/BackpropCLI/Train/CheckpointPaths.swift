import Backprop
import Foundation

/// Relative paths in a checkpoint are relative to the checkpoint's folder, not to the
/// folder the run was started in: a checkpoint moved with its files, or resumed from
/// another folder, still finds them.
extension RunSetup {
    /// The setup as a checkpoint at `checkpoint` keeps it.
    func relative(toCheckpoint checkpoint: String) -> RunSetup {
        mappingPaths { relativePath(of: $0, from: folder(of: checkpoint)) }
    }

    /// The setup a checkpoint at `checkpoint` kept, with its paths usable from here.
    func resolved(fromCheckpoint checkpoint: String) -> RunSetup {
        mappingPaths { $0.hasPrefix("/") ? $0 : folder(of: checkpoint).appendingPathComponent($0).standardizedFileURL.relativePath }
    }

    private func mappingPaths(_ transform: (String) -> String) -> RunSetup {
        var setup = self
        if case .file(let path) = data { setup.data = .file(path: transform(path)) }
        setup.savePath = transform(savePath)
        setup.checkpointPath = checkpointPath.map(transform)
        setup.logPath = logPath.map(transform)
        return setup
    }
}

/// The folder that holds `path`, as an absolute URL.
private func folder(of path: String) -> URL {
    URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
}

/// `path` relative to `folder` when it lies inside `folder` or was given relative; an
/// absolute path outside `folder` stays so. (A resumed run's paths come back absolute from
/// `resolved`: those inside the folder are made relative again, so that they stay where a
/// checkpoint keeps them.)
private func relativePath(of path: String, from folder: URL) -> String {
    let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
    let base = folder.standardizedFileURL.pathComponents
    let shared = zip(target, base).prefix { $0 == $1 }.count
    if path.hasPrefix("/") && shared < base.count { return path }
    return (Array(repeating: "..", count: base.count - shared) + target[shared...]).joined(separator: "/")
}
