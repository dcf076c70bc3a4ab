/// A protocol buffer message, encoded by hand as its fields are appended (varints,
/// length-delimited fields, packed numbers), for the ONNX writer: no protobuf library.
struct ProtobufMessage {
    private(set) var bytes: [UInt8] = []

    /// A varint field (wire type 0); a negative integer as its two's complement, as int64 is.
    mutating func integer(_ field: Int, _ value: Int) {
        key(field, wireType: 0)
        appendVarint(UInt64(bitPattern: Int64(value)))
    }

    /// A length-delimited field (wire type 2) of UTF-8 text.
    mutating func string(_ field: Int, _ text: String) { bytes(field, Array(text.utf8)) }

    /// A length-delimited field holding a message.
    mutating func message(_ field: Int, _ message: ProtobufMessage) { bytes(field, message.bytes) }

    /// A length-delimited field of raw bytes.
    mutating func bytes(_ field: Int, _ data: [UInt8]) {
        key(field, wireType: 2)
        appendVarint(UInt64(data.count))
        bytes += data
    }

    /// A packed repeated int64 field: the varints in one length-delimited field.
    mutating func packedIntegers(_ field: Int, _ values: [Int]) {
        var packed = ProtobufMessage()
        for value in values { packed.appendVarint(UInt64(bitPattern: Int64(value))) }
        bytes(field, packed.bytes)
    }

    /// A packed repeated double field: 8 little-endian bytes each.
    mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        bytes(field, values.flatMap { littleEndianBytes($0.bitPattern) })
    }

    /// A packed repeated float field: 4 little-endian bytes each.
    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        bytes(field, values.flatMap { littleEndianBytes($0.bitPattern) })
    }

    private mutating func key(_ field: Int, wireType: UInt64) { appendVarint(UInt64(field) << 3 | wireType) }

    private mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}

/// The bytes of `value`, least significant first.
func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
}
