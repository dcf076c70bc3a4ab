/// This package's version, which the CLI reports and exported models record.
public let backpropVersion = "0.7.0"
