/// Decimal text to the nearest double (ties to even), without strtod for the numbers data files hold.
///
/// `scan` reads `[sign] digits [. digits] [(e|E) [sign] digits]` into a 64-bit significand and
/// a power of ten, eight digits at a time; `value` converts that exactly: Clinger's fast path
/// when both are exact doubles, otherwise the Eisel-Lemire algorithm (D. Lemire, "Number
/// parsing at a gigabyte per second", 2021), whose 128-bit product is always enough for
/// significands of up to 19 digits (N. Mushtak and D. Lemire, "Fast number parsing without
/// fallback", 2023). Anything else -- more than 19 significant digits, or a result that is
/// subnormal, zero by underflow or infinite -- gives nil, and the caller asks strtod.
enum DecimalConversion {
    struct Decimal {
        var significand: UInt64
        var exponent: Int
        var negative: Bool
    }

    /// Scans a number at `start` up to the first byte that cannot continue it.
    ///
    /// Reads up to 8 bytes past the number's last byte: the buffer must hold them (a byte that
    /// cannot be part of a number always follows, so they are never taken as digits).
    /// - Returns: the number and where it ends, or nil when it is not a plain decimal of at
    ///   most 19 significant digits (which the slow path then judges).
    @_transparent  // @inline(__always) left it a call (measured: 5% more instructions per row)
    static func scan(_ start: UnsafePointer<UInt8>) -> (Decimal, end: UnsafePointer<UInt8>)? {
        var p = start
        let negative = p[0] == UInt8(ascii: "-")
        if negative || p[0] == UInt8(ascii: "+") { p += 1 }
        let digitsStart = p
        var significand: UInt64 = 0
        // Wrapping arithmetic: exact whenever the digits fit, which the count below checks.
        // Integer parts are mostly short: eight at a time only once two digits came one by one.
        while let digit = digit(p[0]) {
            significand = significand &* 10 &+ digit
            p += 1
            if p - digitsStart == 2 { break }
        }
        appendDigits(&p, to: &significand)
        var exponent = 0
        var digitCount = p - digitsStart
        if p[0] == UInt8(ascii: ".") {
            p += 1
            let fractionStart = p
            appendDigits(&p, to: &significand)
            exponent = fractionStart - p
            digitCount -= exponent
        }
        guard digitCount > 0 else { return nil }
        if digitCount > 19 {
            // Leading zeros add nothing: only the significant digits must fit in 64 bits.
            var q = digitsStart
            var zeros = 0
            while q[0] == UInt8(ascii: "0") || q[0] == UInt8(ascii: ".") {
                if q[0] == UInt8(ascii: "0") { zeros += 1 }
                q += 1
            }
            guard digitCount - zeros <= 19 else { return nil }
        }
        if p[0] == UInt8(ascii: "e") || p[0] == UInt8(ascii: "E") {
            p += 1
            let negativeExponent = p[0] == UInt8(ascii: "-")
            if negativeExponent || p[0] == UInt8(ascii: "+") { p += 1 }
            guard digit(p[0]) != nil else { return nil }
            var written = 0
            while let digit = digit(p[0]) {
                if written < 100_000 { written = written * 10 + Int(digit) }  // beyond: over/underflow anyway
                p += 1
            }
            exponent += negativeExponent ? -written : written
        }
        return (Decimal(significand: significand, exponent: exponent, negative: negative), p)
    }

    /// The double nearest to the decimal, or nil for the cases strtod must decide.
    @_transparent
    static func value(_ decimal: Decimal) -> Double? {
        let w = decimal.significand
        let q = decimal.exponent
        let sign: UInt64 = decimal.negative ? 1 << 63 : 0
        if w == 0 { return Double(bitPattern: sign) }
        if q >= -22 && q <= 22 && w <= 1 << 53 {
            // Clinger: both operands are exact, so the one rounding of * or / is the answer.
            let magnitude = q < 0 ? Double(w) / powersOfTen[-q] : Double(w) * powersOfTen[q]
            return Double(bitPattern: magnitude.bitPattern | sign)
        }
        guard q >= smallestPowerOfFive && q <= largestPowerOfFive else { return nil }
        let leadingZeros = w.leadingZeroBitCount
        let normalized = w << leadingZeros
        let index = 2 * (q - smallestPowerOfFive)
        var (high, low) = normalized.multipliedFullWidth(by: powersOfFive[index])
        // 55 bits are needed (52 stored, the implicit one, a rounding bit, a possible shift);
        // when the bits below them are all ones the next 64 bits of 5^q may carry into them.
        if high & 0x1FF == 0x1FF {
            let next = normalized.multipliedFullWidth(by: powersOfFive[index + 1]).high
            low &+= next
            if next > low { high &+= 1 }
        }
        let upperBit = Int(high >> 63)
        let shift = upperBit + 9
        var mantissa = high >> shift
        // floor(q * log2(10)) + 63, exact for |q| < 350, plus the IEEE bias of 1023.
        var power2 = ((152_170 + 65_536) * q) >> 16 + 63 + upperBit - leadingZeros + 1023
        guard power2 > 0 else { return nil }  // subnormal or zero
        // Exactly halfway between two doubles (possible only for small q): round to even.
        if low <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 && mantissa << shift == high {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= 1 << 53 {
            mantissa = 1 << 52
            power2 += 1
        }
        guard power2 < 0x7FF else { return nil }  // infinite
        return Double(bitPattern: sign | UInt64(power2) << 52 | (mantissa & ~(1 << 52)))
    }

    /// Appends the digits at `p` to `significand` (eight at a time, then one by one) and
    /// moves `p` past them.
    @_transparent
    static func appendDigits(_ p: inout UnsafePointer<UInt8>, to significand: inout UInt64) {
        while let eight = eightDigits(p) {
            significand = significand &* 100_000_000 &+ eight
            p += 8
        }
        while let digit = digit(p[0]) {
            significand = significand &* 10 &+ digit
            p += 1
        }
    }

    @inline(__always)
    static func digit(_ byte: UInt8) -> UInt64? {
        let value = byte &- UInt8(ascii: "0")
        return value < 10 ? UInt64(value) : nil
    }

    /// The value of 8 ASCII digits at `p` (the first most significant), or nil if any byte
    /// is not a digit.
    @inline(__always)
    static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let bytes = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        // A byte above '9' gets its top bit from + 0x46, one below '0' from - 0x30.
        guard ((bytes &+ 0x4646_4646_4646_4646) | (bytes &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080 == 0 else {
            return nil
        }
        var value = bytes &- 0x3030_3030_3030_3030
        value = value &* 10 &+ value >> 8  // pairs of digits, in every other byte
        let pairs = value & 0x0000_00FF_0000_00FF
        let nextPairs = (value >> 16) & 0x0000_00FF_0000_00FF
        return (pairs &* (100 + 1_000_000 << 32) &+ nextPairs &* (1 + 10_000 << 32)) >> 32
    }

    /// 10^0 ... 10^22, every one exact in a double (a literal: no lazy initialisation to check).
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    ]
}
