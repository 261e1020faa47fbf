/// Cuecast's version, as `cuecast --version` prints it. One place, so a release changes one line.
public enum CuecastVersion {
    public static let current = "0.1.0"
}
