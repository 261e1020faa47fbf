import Foundation
import Testing

@testable import CuecastCore

/// The broken corpus (`Tests/Schema/invalid`) is rejected by the loader at the same node the JSON Schema names
/// (`check_scenarios.py` checks the schema side), so an editor and the server agree on why a file is wrong.
@Suite struct BrokenCorpusTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let loaderPointer: String
        let loaderKey: Bool
        let loaderMessage: String
        var testDescription: String { file }
    }

    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schema/invalid")

    static let cases: [Case] = {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("expectations.json")),
            let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return [] }
        return list.map {
            Case(
                file: $0["file"] as? String ?? "", loaderPointer: $0["loaderPointer"] as? String ?? "",
                loaderKey: $0["loaderKey"] as? Bool ?? false, loaderMessage: $0["loaderMessage"] as? String ?? ""
            )
        }
    }()

    @Test func theCorpusIsThere() {
        #expect(Self.cases.count >= 20)
    }

    @Test(arguments: cases)
    func loaderRejectsAtTheSameNode(_ testCase: Case) throws {
        let path = Self.folder.appendingPathComponent(testCase.file).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let root = try JSONParser.parse(text)
        let expected = try #require(Self.location(of: testCase.loaderPointer, in: root, key: testCase.loaderKey), "no node at \(testCase.loaderPointer)")

        var problems: [ScenarioProblem] = []
        do {
            _ = try ScenarioLoader.load(text: text, file: testCase.file, defaultName: "broken")
        } catch {
            problems = error.problems
        }
        let matching = problems.filter { $0.message.contains(testCase.loaderMessage) }
        #expect(!matching.isEmpty, "\(testCase.file): no problem says '\(testCase.loaderMessage)'; got \(problems.map(\.description))")
        let locations = matching.compactMap(\.location)
        #expect(locations.contains(expected), "\(testCase.file): expected at \(expected), got \(problems.map(\.description))")
    }

    /// The start of the node a JSON pointer names, or of its key when `key` is set.
    static func location(of pointer: String, in root: JSONNode, key: Bool) -> CuecastCore.SourceLocation? {
        var node = root
        var keyLocation: CuecastCore.SourceLocation?
        for part in pointer.split(separator: "/", omittingEmptySubsequences: true).map(String.init) {
            switch node.kind {
            case .object(let members):
                guard let member = members.first(where: { $0.key == part }) else { return nil }
                keyLocation = member.keyLocation
                node = member.value
            case .array(let items):
                guard let index = Int(part), items.indices.contains(index) else { return nil }
                keyLocation = nil
                node = items[index]
            default:
                return nil
            }
        }
        return key ? keyLocation : node.location
    }
}
