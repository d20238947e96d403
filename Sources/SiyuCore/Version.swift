public enum SiyuCoreVersion { public static let version = "0.1.0" }
