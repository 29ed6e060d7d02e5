//! What the emitted client does per operation, decided from the spec: credentials from
//! `security`/`securitySchemes`, the team header only where declared, the `stream` flag pinned
//! to the way the operation reads its response, and the retry policy's connection errors.

use std::path::Path;

use friendli_codegen::Generator;
use friendli_codegen::ir::{ParamLocation, SecurityKind, SecurityScheme};

fn generator(yaml: &str) -> Result<Generator, friendli_codegen::Error> {
    Generator::from_source(Path::new("inline.yaml"), yaml.to_owned())
}

fn spec(extra_top: &str, paths: &str) -> String {
    format!(
        r#"openapi: 3.1.0
info:
  title: Inline
  version: 0.1.0
servers:
  - url: https://api.example.com
{extra_top}
paths:
{paths}
components:
  securitySchemes:
    token:
      type: http
      scheme: bearer
    key:
      type: apiKey
      in: header
      name: X-Key
    q:
      type: apiKey
      in: query
      name: api_key
    jar:
      type: apiKey
      in: cookie
      name: session
  schemas:
    Chat:
      type: object
      required: [model]
      properties:
        model:
          type: string
        stream:
          type: boolean
          default: false
    Chunk:
      type: object
      required: [text]
      properties:
        text:
          type: string
"#
    )
}

fn get(path: &str, id: &str, security: &str) -> String {
    format!(
        r#"  {path}:
    get:
      tags: [Things]
      operationId: {id}
{security}      responses:
        '204':
          description: done
"#
    )
}

/// Text without whitespace or trailing commas: prettyplease decides line breaks, and adds
/// commas where it breaks lines.
fn squeeze(text: &str) -> String {
    text.split_whitespace()
        .collect::<String>()
        .replace(",}", "}")
        .replace(",]", "]")
        .replace(",)", ")")
}

/// The emitted file of an operation, squeezed.
/// The security list an operation's description names: its `SECURITY_<n>` constant from
/// `operations/mod.rs`, squeezed, or the inline empty list.
fn operation_security(generator: &Generator, module: &str) -> String {
    let file = operation_file(generator, module);
    let start = file
        .find("security:")
        .expect("the description has security")
        + "security:".len();
    let value = &file[start
        ..file[start..]
            .find(",header_params")
            .map(|e| start + e)
            .unwrap()];
    let Some(name) = value.strip_prefix("super::") else {
        return value.to_owned();
    };
    let files = generator.crate_files().expect("the crate emits");
    let mod_rs = squeeze(&files.files["src/operations/mod.rs"]);
    let decl = format!("pub(crate)const{name}:&[&[crate::runtime::SecurityScheme]]=");
    let start = mod_rs
        .find(&decl)
        .unwrap_or_else(|| panic!("{name} in {mod_rs}"))
        + decl.len();
    mod_rs[start..start + mod_rs[start..].find(';').unwrap()].to_owned()
}

fn operation_file(generator: &Generator, module: &str) -> String {
    let files = generator.crate_files().expect("the crate emits");
    let path = format!("src/operations/{module}.rs");
    let text = files
        .files
        .get(&path)
        .unwrap_or_else(|| panic!("{path} is emitted"));
    squeeze(text)
}

fn bearer() -> SecurityScheme {
    SecurityScheme {
        name: "token".into(),
        kind: SecurityKind::Http {
            scheme: "Bearer".into(),
        },
    }
}

#[test]
fn effective_security_is_lowered_per_operation() {
    let paths = [
        get("/inherits", "inherits", ""),
        get("/open", "open", "      security: []\n"),
        get(
            "/optional",
            "optional",
            "      security:\n        - {}\n        - key: []\n",
        ),
        get(
            "/both",
            "both",
            "      security:\n        - key: []\n          q: []\n",
        ),
        get("/cookie", "cookie", "      security:\n        - jar: []\n"),
    ]
    .concat();
    let g = generator(&spec("security:\n  - token: []", &paths)).unwrap();
    let security = |id: &str| {
        g.api()
            .operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap()
            .security
            .clone()
    };
    assert_eq!(security("inherits"), vec![vec![bearer()]]);
    assert_eq!(security("open"), Vec::<Vec<SecurityScheme>>::new());
    let key = SecurityScheme {
        name: "key".into(),
        kind: SecurityKind::ApiKey {
            location: ParamLocation::Header,
            name: "X-Key".into(),
        },
    };
    assert_eq!(security("optional"), vec![vec![], vec![key.clone()]]);
    let q = SecurityScheme {
        name: "q".into(),
        kind: SecurityKind::ApiKey {
            location: ParamLocation::Query,
            name: "api_key".into(),
        },
    };
    assert_eq!(security("both"), vec![vec![key, q]]);
    // A cookie credential cannot be sent: the requirement is skipped, with a warning.
    assert_eq!(security("cookie"), Vec::<Vec<SecurityScheme>>::new());
    assert!(
        g.warnings()
            .items
            .iter()
            .any(|w| w.message.contains("`jar`") && w.message.contains("not supported")),
        "{:?}",
        g.warnings().items
    );

    // Emitted as data for the runtime; an operation without security gets none.
    let inherits = operation_security(&g, "inherits");
    assert_eq!(
        inherits,
        r#"&[&[crate::runtime::SecurityScheme{name:"token",kind:crate::runtime::SchemeKind::Http{scheme:"Bearer"}}]]"#,
    );
    assert_eq!(operation_security(&g, "open"), "&[]");
    let both = operation_security(&g, "both");
    assert!(
        both.contains(r#"crate::runtime::SchemeKind::ApiKeyHeader{name:"X-Key"}"#)
            && both.contains(r#"crate::runtime::SchemeKind::ApiKeyQuery{name:"api_key"}"#),
        "{both}"
    );
}

#[test]
fn an_undefined_scheme_is_an_error() {
    let paths = get("/x", "x", "      security:\n        - nowhere: []\n");
    let Err(friendli_codegen::Error::Spec(diagnostics)) = generator(&spec("", &paths)) else {
        panic!("an undefined scheme fails the run");
    };
    assert!(
        diagnostics
            .items
            .iter()
            .any(|d| d.message.contains("`nowhere`") && d.pointer == "/paths/~1x/get/security/0"),
        "{:?}",
        diagnostics.items
    );
}

#[test]
fn team_header_is_sent_only_where_declared() {
    let team_param = "      parameters:\n        - name: X-Friendli-Team\n          in: header\n          schema:\n            type: string\n";
    let paths = [get("/team", "team", team_param), get("/plain", "plain", "")].concat();
    let g = generator(&spec("", &paths)).unwrap();
    assert!(operation_file(&g, "team").contains(r#"header_params:&["X-Friendli-Team"]"#));
    assert!(operation_file(&g, "plain").contains("header_params:&[]}"));
    let files = g.crate_files().unwrap();
    let client = &files.files["src/client.rs"];
    assert!(
        client.contains(r#"team_header: "X-Friendli-Team","#),
        "{client}"
    );
}

/// One path, two twins: `{id}Complete` answers JSON (`json_schema`), `{id}Stream` (the
/// `#stream` key) an event stream of `Chunk`; both take `body_schema`.
fn twins(key: &str, id: &str, body_schema: &str, json_schema: &str) -> String {
    let post = |key: String, id: String, media: &str, schema: &str| {
        format!(
            r#"  {key}:
    post:
      tags: [Chat]
      operationId: {id}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              {body_schema}
      responses:
        '200':
          description: ok
          content:
            {media}:
              schema:
                $ref: '#/components/schemas/{schema}'
"#
        )
    };
    post(
        key.to_owned(),
        format!("{id}Complete"),
        "application/json",
        json_schema,
    ) + &post(
        format!("{key}#stream"),
        format!("{id}Stream"),
        "text/event-stream",
        "Chunk",
    )
}

#[test]
fn stream_flag_is_pinned_to_how_the_response_is_read() {
    let body = "$ref: '#/components/schemas/Chat'";
    let paths = twins("/chat", "chat", body, "Chat");
    let g = generator(&spec("", &paths)).unwrap();
    for (module, flag) in [("chat_complete", false), ("chat_stream", true)] {
        let file = operation_file(&g, module);
        let files = g.crate_files().expect("the crate emits");
        let setters = squeeze(&files.files["src/bodies/chat.rs"]);
        assert!(
            !setters.contains("pubfnstream(") && !setters.contains("pubfnstream_null("),
            "{module}: no setter can contradict the response type: {setters}"
        );
        // The runtime calls `pin_body` when the builder is made and in `.body(..)`.
        let pinned = format!("fnpin_body(body:&mutSelf::Body){{body.stream=Some({flag});}}");
        assert!(file.contains(&pinned), "{module}: pinned: {file}");
    }
    let runtime = squeeze(
        friendli_codegen::rust::RUNTIME_FILES
            .iter()
            .find(|(name, _)| *name == "request.rs")
            .map(|(_, text)| *text)
            .unwrap(),
    );
    assert!(
        runtime.contains("self.body=body;Op::pin_body(&mutself.body);")
            && runtime.contains("Op::pin_body(&mutbody);"),
        "`new` and `.body(..)` pin the flag"
    );
}

#[test]
fn retry_connection_errors_follows_the_spec() {
    let retries = |flag: &str| {
        format!(
            "x-speakeasy-retries:\n  strategy: backoff\n  backoff:\n    initialInterval: 500\n    maxInterval: 60000\n    maxElapsedTime: 3600000\n    exponent: 1.5\n  statusCodes: [503]\n{flag}"
        )
    };
    let client_rs = |top: String| {
        let g = generator(&spec(&top, &get("/x", "x", ""))).unwrap();
        let files = g.crate_files().unwrap();
        squeeze(&files.files["src/client.rs"])
    };
    assert!(
        client_rs(retries("  retryConnectionErrors: false\n"))
            .contains(".status_codes([503u16]).retry_connection_errors(false)")
    );
    assert!(
        client_rs(retries("  retryConnectionErrors: true\n"))
            .contains(".retry_connection_errors(true)")
    );
    // Unsaid: the runtime's default (retry them) stands.
    assert!(!client_rs(retries("")).contains("retry_connection_errors"));
}

#[test]
fn compression_on_by_default_and_tracing_opt_in() {
    let g = generator(&spec("", &get("/x", "x", ""))).unwrap();
    let files = g.crate_files().unwrap();
    let manifest = &files.files["Cargo.toml"];
    let default = manifest
        .lines()
        .find(|l| l.starts_with("default = "))
        .expect("default features");
    assert!(default.contains("\"gzip\""), "{default}");
    assert!(!default.contains("\"tracing\""), "{default}");
    assert!(
        manifest.contains("\ngzip = [\"reqwest/gzip\"]\n"),
        "{manifest}"
    );
    assert!(
        manifest.contains("\ntracing = [\"dep:tracing\"]\n"),
        "{manifest}"
    );
}

/// The default TLS must not bring `aws-lc-rs` back: rustls comes in without a provider and with
/// `ring` only, and the other two backends stay available by name.
#[test]
fn tls_defaults_to_rustls_with_ring() {
    let g = generator(&spec("", &get("/x", "x", ""))).unwrap();
    let files = g.crate_files().unwrap();
    let manifest: toml::Table = files.files["Cargo.toml"].parse().unwrap();
    let strings = |v: &toml::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let features = manifest["features"].as_table().unwrap();
    assert!(strings(&features["default"]).contains(&"rustls-ring".to_owned()));
    assert_eq!(
        strings(&features["rustls-ring"]),
        ["reqwest/rustls-no-provider", "dep:rustls"]
    );
    assert_eq!(strings(&features["rustls-aws-lc"]), ["reqwest/rustls"]);
    assert_eq!(strings(&features["native-tls"]), ["reqwest/native-tls"]);
    assert_eq!(strings(&features["rustls"]), ["rustls-ring"]);
    let dependencies = manifest["dependencies"].as_table().unwrap();
    for name in ["reqwest", "rustls"] {
        assert_eq!(
            dependencies[name]["default-features"].as_bool(),
            Some(false),
            "{name}"
        );
    }
    let rustls = strings(&dependencies["rustls"]["features"]);
    assert!(rustls.contains(&"ring".to_owned()), "{rustls:?}");
    assert!(!rustls.iter().any(|f| f.starts_with("aws")), "{rustls:?}");
    let reqwest = strings(&dependencies["reqwest"]["features"]);
    assert!(!reqwest.iter().any(|f| f.contains("tls")), "{reqwest:?}");
}

#[test]
fn stream_flag_is_pinned_in_whole_union_bodies() {
    let body = "oneOf:\n                - $ref: '#/components/schemas/Chat'\n                - $ref: '#/components/schemas/ChatWithTokens'";
    let paths = twins("/complete", "complete", body, "Chunk");
    let components = "    ChatWithTokens:\n      type: object\n      required: [tokens]\n      properties:\n        tokens:\n          type: array\n          items:\n            type: integer\n        stream:\n          type: boolean\n";
    let yaml = spec("", &paths).replace("    Chunk:\n", &format!("{components}    Chunk:\n"));
    let g = generator(&yaml).unwrap();
    for (module, flag) in [("complete_complete", false), ("complete_stream", true)] {
        let file = operation_file(&g, module);
        let pinned = format!("crate::runtime::RequestBody::encode_with_stream_flag(body,{flag})");
        assert!(file.contains(&pinned), "{module}: {file}");
    }
}
