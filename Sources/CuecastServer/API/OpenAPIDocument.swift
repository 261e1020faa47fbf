/// The HTTP API as an OpenAPI 3.1 document, served at `GET /api/openapi.json`. The document itself is the data file
/// `openapi.json` beside this one, so tools and reviewers open it as JSON; SwiftPM embeds its bytes in the binary
/// (`.embedInCode` in Package.swift), so a copied `cuecast` executable serves it too. `scripts/contract` checks the
/// live server against it with schemathesis, and `OpenAPIDocumentTests` checks that it lists exactly the routes the
/// router serves: a route added to the router is added to `openapi.json` in the same change. Error answers that
/// several operations share (the 403 of the site boundary, a bad publish, the rate limit…) are written once, under
/// `components/responses`, and so is the `Retry-After` header of every 429 and 503 (`components/headers`).
enum OpenAPIDocument {
    /// The document's bytes, as embedded at build time.
    static let bytes: [UInt8] = PackageResources.openapi_json
}
