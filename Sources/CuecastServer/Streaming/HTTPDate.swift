import Glibc

/// The `Date` of an answer the stream door writes itself, in RFC 9110's IMF-fixdate (`Sun, 06 Nov 1994 08:49:37
/// GMT`), as Hummingbird's responder gives every answer of the router (its date cache is internal to Hummingbird).
/// A stream's 200 carries none: it never had one.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static var now: String { format(secondsSinceEpoch: time(nil)) }

    static func format(secondsSinceEpoch seconds: Int) -> String {
        var clock = seconds
        var parts = tm()
        gmtime_r(&clock, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = days[Int(parts.tm_wday) % 7]
        let month = months[Int(parts.tm_mon) % 12]
        return "\(day), \(two(parts.tm_mday)) \(month) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
