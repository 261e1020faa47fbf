import CuecastTestSupport
import Testing

/// The test suite's Prometheus text-format parser reads what the format allows and refuses the rest, so a metrics
/// test that passes has read a well-formed exposition.
struct PrometheusTextTests {
    @Test func readsTheFormat() throws {
        let text = """
            # HELP cuecast_demo_total A \\\\ help\\n text.
            # TYPE cuecast_demo_total counter
            cuecast_demo_total{route="/streams/{name}",note="a \\"quoted\\" \\\\ line\\nbreak",} 3 1700000000000
            # a plain comment
            cuecast_demo_total{route="NotFound"} 1.5e3

            # TYPE up gauge
            up NaN
            # TYPE latency histogram
            latency_bucket{le="+Inf"} 2
            latency_sum 0.25
            latency_count 2

            """
        let exposition = try PrometheusExposition(parsing: text)
        #expect(exposition.types["cuecast_demo_total"] == .counter)
        #expect(exposition.help["cuecast_demo_total"] == "A \\ help\n text.")
        #expect(exposition.value("cuecast_demo_total", ["route": "/streams/{name}", "note": "a \"quoted\" \\ line\nbreak"]) == 3)
        #expect(exposition.value("cuecast_demo_total", ["route": "NotFound"]) == 1500)
        #expect(exposition.value("up")?.isNaN == true)
        #expect(exposition.value("latency_bucket", ["le": "+Inf"]) == 2)
        #expect(exposition.series("latency_count").count == 1)
    }

    @Test(arguments: [
        ("9lives 1\n", "bad metric name"),
        ("x{a=\"1\",a=\"2\"} 1\n", "given twice"),
        ("x{a=\"1} 1\n", "unterminated"),
        ("x{a=\"\\t\"} 1\n", "bad escape"),
        ("x{1a=\"1\"} 1\n", "bad label name"),
        ("x{a=1} 1\n", "must be quoted"),
        ("x one\n", "expected a value"),
        ("x 1 2 3\n", "expected a value"),
        ("x 1 soon\n", "bad timestamp"),
        ("x 1\nx 2\n", "appears twice"),
        ("# TYPE x counter\n# TYPE x gauge\n", "a second TYPE"),
        ("x 1\n# TYPE x counter\n", "after its samples"),
        ("# TYPE x meter\n", "unknown type"),
        ("# TYPE x histogram\nx 1\n", "does not belong"),
        ("x 1", "line feed"),
    ])
    func refuses(text: String, reason: String) {
        do {
            let exposition = try PrometheusExposition(parsing: text)
            Issue.record("parsed \(text.debugDescription) as \(exposition.samples)")
        } catch {
            #expect(error.description.contains(reason), "\(error)")
        }
    }
}
