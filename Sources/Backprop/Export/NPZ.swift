/// The `.npz` files `np.savez` writes: a ZIP archive of `.npy` files, one an array, stored
/// without compression (ZIP64 records included, as NumPy writes them).
public enum NPZ {
    /// True when `bytes` start like a ZIP archive (an `.npz` file).
    public static func isZip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) }

    /// The arrays of the archive by name (`0.weight` for `0.weight.npy`): float64 or float32,
    /// little-endian, C order, as doubles.
    static func tensors(in bytes: [UInt8], name: String) throws(InputError) -> [String: StateTensor] {
        func fail(_ message: String) -> InputError { InputError(file: name, line: nil, message: message) }
        var archive = Archive(bytes: bytes)
        var tensors: [String: StateTensor] = [:]
        do throws(NPYError) {
            for entry in try archive.entries() {
                guard entry.name.hasSuffix(".npy") else { throw NPYError("'\(entry.name)' is not an .npy array") }
                let key = String(entry.name.dropLast(4))
                do throws(NPYError) {
                    tensors[key] = try array(bytes[entry.data])
                } catch {
                    throw NPYError("'\(key)': \(error.message)")
                }
            }
        } catch {
            throw fail(error.message)
        }
        return tensors
    }

    /// One `.npy` array of the archive: '<f8' or '<f4', C order, any shape.
    static func array(_ bytes: ArraySlice<UInt8>) throws(NPYError) -> StateTensor {
        let (dict, dataOffset) = try NPYHeader.dictionary(in: Array(bytes.prefix(NPYHeader.maximumLength)))
        let width: Int
        switch NPYHeader.value(of: "descr", in: dict) {
        case "'<f8'", "\"<f8\"", "'<d'", "\"<d\"": width = 8
        case "'<f4'", "\"<f4\"", "'<f'", "\"<f\"": width = 4
        case let descr: throw NPYError("dtype \(descr ?? "none") is not float64 or float32, little-endian")
        }
        guard NPYHeader.value(of: "fortran_order", in: dict) == "False" else { throw NPYError("the array is in Fortran order") }
        guard let shapeText = NPYHeader.value(of: "shape", in: dict), shapeText.hasPrefix("("), shapeText.hasSuffix(")") else {
            throw NPYError("the .npy header has no 'shape'")
        }
        var shape: [Int] = []
        for part in shapeText.dropFirst().dropLast().split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let size = Int(text), (0...(1 << 20)).contains(size) else { throw NPYError("shape \(shapeText) is not a list of sizes") }
            shape.append(size)
        }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard count <= bytes.count, dataOffset + count * width == bytes.count else {
            throw NPYError("shape \(shapeText) needs \(count * width) bytes of data, and the array holds \(bytes.count - dataOffset)")
        }
        return StateTensor(shape: shape, values: littleEndianFloats(bytes[(bytes.startIndex + dataOffset)...], width: width))
    }

    /// A ZIP archive's entries, from its central directory.
    private struct Archive {
        let bytes: [UInt8]

        struct Entry {
            var name: String
            /// Where the entry's (stored) data lies in the archive.
            var data: Range<Int>
        }

        /// A little-endian number of `size` bytes at `offset`, or nil past the end.
        func number(at offset: Int, _ size: Int) -> Int? {
            guard offset >= 0, offset <= bytes.count - size else { return nil }
            let value = bytes[offset..<(offset + size)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return value <= UInt64(Int.max) ? Int(value) : nil
        }

        mutating func entries() throws(NPYError) -> [Entry] {
            // The end of central directory record: in the last 64 KiB + 22 bytes.
            guard let end = stride(from: bytes.count - 22, through: max(0, bytes.count - 65_557), by: -1)
                .first(where: { number(at: $0, 4) == 0x0605_4B50 })
            else { throw NPYError("not a ZIP archive (.npz): no end of central directory record") }
            guard var count = number(at: end + 10, 2), var directory = number(at: end + 16, 4) else {
                throw NPYError("the ZIP archive's end record is cut short")
            }
            if count == 0xFFFF || directory == 0xFFFF_FFFF {  // ZIP64: the locator, then the record
                guard number(at: end - 20, 4) == 0x0706_4B50, let record = number(at: end - 12, 8),
                    number(at: record, 4) == 0x0606_4B50, let records = number(at: record + 32, 8),
                    let offset = number(at: record + 48, 8)
                else { throw NPYError("the ZIP64 end records are missing or cut short") }
                (count, directory) = (records, offset)
            }
            guard count <= bytes.count / 46 else { throw NPYError("the ZIP archive claims \(count) entries, more than it can hold") }
            var entries: [Entry] = []
            var at = directory
            for _ in 0..<count {
                guard number(at: at, 4) == 0x0201_4B50, let method = number(at: at + 10, 2), var size = number(at: at + 20, 4),
                    let nameLength = number(at: at + 28, 2), let extraLength = number(at: at + 30, 2),
                    let commentLength = number(at: at + 32, 2), var local = number(at: at + 42, 4),
                    at + 46 + nameLength <= bytes.count
                else { throw NPYError("the ZIP archive's central directory is damaged") }
                let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
                guard method == 0 else {
                    throw NPYError("'\(name)' is compressed (np.savez_compressed); save with np.savez, which stores arrays as they are")
                }
                // ZIP64's extra field holds, in order, the sizes and offset that read 0xFFFFFFFF.
                var extra = at + 46 + nameLength
                let extraEnd = extra + extraLength
                while extra + 4 <= extraEnd, let id = number(at: extra, 2), let length = number(at: extra + 2, 2) {
                    if id == 1 {
                        var field = extra + 4
                        for index in 0..<3 {
                            let wide = [number(at: at + 24, 4), number(at: at + 20, 4), number(at: at + 42, 4)][index] == 0xFFFF_FFFF
                            guard wide else { continue }
                            guard let value = number(at: field, 8), field + 8 <= extra + 4 + length else {
                                throw NPYError("'\(name)': its ZIP64 sizes are cut short")
                            }
                            if index == 1 { size = value } else if index == 2 { local = value }
                            field += 8
                        }
                    }
                    extra += 4 + length
                }
                guard number(at: local, 4) == 0x0403_4B50, let localName = number(at: local + 26, 2),
                    let localExtra = number(at: local + 28, 2)
                else { throw NPYError("'\(name)': its local header is missing or damaged") }
                let start = local + 30 + localName + localExtra
                guard start <= bytes.count, size <= bytes.count - start else { throw NPYError("'\(name)' is cut short") }
                entries.append(Entry(name: name, data: start..<(start + size)))
                at = extraEnd + commentLength
            }
            return entries
        }
    }
}

extension Model {
    /// Reads a PyTorch state_dict of the 2-5-5-1 `nn.Sequential` saved by `np.savez` (an
    /// `.npz` with the key names of `init(safetensors:name:)`, float32 or float64).
    ///
    /// - Throws: `InputError` as `init(safetensors:name:)` does, or for an archive that is
    ///   not one `np.savez` writes (compressed, damaged, an entry that is not an array).
    public init(npz bytes: [UInt8], name: String) throws(InputError) {
        try self.init(stateDict: try NPZ.tensors(in: bytes, name: name), name: name)
    }
}
