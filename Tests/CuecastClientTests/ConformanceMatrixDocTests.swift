import CuecastCore
import CuecastTestSupport
import Foundation
import Testing

/// The published matrix (docs/conformance-matrix.md and public/conformance-matrix.json, written by
/// scripts/conformance-matrix) is of this catalogue: a case added, renamed or removed without running the script again
/// fails here.
struct ConformanceMatrixDocTests {
    static let names = Set(ConformanceCase.all.map(\.name))

    @Test("docs/conformance-matrix.md's table lists every case of the catalogue, and only those")
    func documentListsEveryCase() throws {
        let doc = try String(contentsOf: CuecastExecutable.packageRoot.appending(path: "docs/conformance-matrix.md"), encoding: .utf8)
        let table = doc.components(separatedBy: "## Every case").last ?? ""
        let listed = table.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).split(separator: "`").first.map(String.init)
        }
        #expect(listed.count == Set(listed).count, "a case is listed twice")
        #expect(Set(listed) == Self.names, "missing: \(Self.names.subtracting(listed).sorted()); unknown: \(Set(listed).subtracting(Self.names).sorted())")
    }

    @Test("public/conformance-matrix.json has a verdict for every case from every client, and scores that add up")
    func dataCoversEveryCase() throws {
        let data = try Data(contentsOf: CuecastExecutable.packageRoot.appending(path: "public/conformance-matrix.json"))
        let matrix = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(matrix["cases"] as? [String] ?? []) == Self.names)
        let clients = try #require(matrix["clients"] as? [[String: Any]])
        #expect(clients.count >= 7)
        for client in clients {
            let name = client["name"] as? String ?? "?"
            let verdicts = try #require(client["verdicts"] as? [String: String], "\(name)")
            #expect(Set(verdicts.keys) == Self.names, "\(name): missing \(Self.names.subtracting(verdicts.keys).sorted())")
            let run = verdicts.values.filter { $0 != "not supported" }.count
            #expect(client["run"] as? Int == run, "\(name)")
            #expect(client["passed"] as? Int == verdicts.values.filter { $0.hasPrefix("pass") }.count, "\(name)")
        }
    }
}
