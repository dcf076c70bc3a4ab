/// Parses one stretch of whole CSV lines into rows, independently of the text around it.
///
/// A file is cut into segments at line ends and the segments are parsed in parallel;
/// `CSVReader` joins their results in order. Line numbers here count from the segment's
/// start. Each line first tries the fast path (`CSVLines.fastRow`); anything else takes the
/// general one, which accepts more and names what is wrong.
struct CSVSegment {
    let lines: CSVLines
    let start: Int
    /// One past the last byte; `lines.text[end]` and the 8 bytes after it must be readable.
    let end: Int
    /// 3 for x0,x1,label; 2 for unlabelled rows.
    let columns: Int

    /// Where the rows go: room for one per line of the segment (label 0 when the file has none).
    let x0: UnsafeMutablePointer<Double>
    let x1: UnsafeMutablePointer<Double>
    let label: UnsafeMutablePointer<Double>
    private(set) var rowCount = 0
    /// Lines seen (up to and including the one with the error).
    private(set) var lineCount = 0
    /// The first problem, on a line counted from 1 at `start`.
    private(set) var error: (line: Int, message: String, column: Int?)?
    /// Whether a line other than a blank one was met (even one with an error).
    private(set) var sawNonBlank = false
    /// The first blank line after the last non-blank one: an error if any row follows.
    private(set) var trailingBlank: Int?

    init(
        lines: CSVLines, start: Int, end: Int, columns: Int,
        into x0: UnsafeMutablePointer<Double>, _ x1: UnsafeMutablePointer<Double>, _ label: UnsafeMutablePointer<Double>
    ) {
        (self.lines, self.start, self.end, self.columns) = (lines, start, end, columns)
        (self.x0, self.x1, self.label) = (x0, x1, label)
    }

    /// Parses the lines; the results are in the properties. Locals keep the loop in registers.
    mutating func parse() {
        let (lines, end, columns) = (self.lines, self.end, self.columns)
        let (x0, x1, label) = (self.x0, self.x1, self.label)
        var rows = 0
        var lineCount = 0
        var sawNonBlank = false
        var trailingBlank: Int?
        defer {
            (self.rowCount, self.lineCount, self.sawNonBlank, self.trailingBlank) =
                (rows, lineCount, sawNonBlank, trailingBlank)
        }
        var i = start
        while i < end {
            lineCount += 1
            if trailingBlank == nil, let (row, next) = lines.fastRow(at: i, end: end, columns: columns) {
                (x0[rows], x1[rows], label[rows]) = (row.x, row.y, row.z)
                rows += 1
                sawNonBlank = true
                i = next
                continue
            }
            let (stop, next) = lines.bounds(at: i, end: end)
            defer { i = next }
            if lines.isBlank(i, stop) {
                if trailingBlank == nil { trailingBlank = lineCount }
                continue
            }
            sawNonBlank = true
            if let blank = trailingBlank {
                error = (blank, CSVLines.blankLineMessage, nil)
                return
            }
            do throws(CSVLines.LineError) {
                let row = try lines.row(i, stop, columns: columns)
                (x0[rows], x1[rows], label[rows]) = (row.x, row.y, row.z)
                rows += 1
            } catch {
                self.error = (lineCount, error.message, error.column)
                return
            }
        }
    }
}
