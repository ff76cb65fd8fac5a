//! Deploying one ktop-web for a team: the Helm chart (`deploy/helm/ktop-web`) lints clean,
//! and the real API server accepts its manifests (server-side dry run) in a namespace that
//! enforces the restricted Pod Security Standard, for token mode, proxy mode behind an
//! outside proxy and proxy mode with the oauth2-proxy sidecar; the image archive that
//! `scripts/build-image` writes is an OCI image layout whose digests hold, running a static
//! `/ktop-web` as 65532 with CA certificates and a passwd naming that user.

mod support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{Value, json};
use support::cluster::{TestCluster, repo_root};
use support::ktop::{free_port, http_get_with};

const CHART: &str = "deploy/helm/ktop-web";
const RELEASE: &str = "ktop-web";
const NONROOT: i64 = 65532;

// ---------------------------------------------------------------------------------------
// Running tools
// ---------------------------------------------------------------------------------------

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `program args` in the repository with `stdin` as its input.
fn run(program: &Path, args: &[&str], envs: &[(&str, &Path)], stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(repo_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let mut input = child.stdin.take().expect("stdin");
    let owned = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&owned));
    let out = child.wait_with_output().expect("wait");
    // A program that exits without reading all of its input says why in its output.
    let _ = writer.join();
    out
}

/// helm, as the test cluster's script builds it (pinned, cached).
fn helm() -> &'static Path {
    static HELM: OnceLock<PathBuf> = OnceLock::new();
    HELM.get_or_init(|| {
        let script = repo_root().join("scripts").join("test-cluster");
        let out = run(&script, &["tool", "helm"], &[], b"");
        assert!(
            out.status.success(),
            "scripts/test-cluster tool helm failed:\n{}",
            text(&out)
        );
        let path = PathBuf::from(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .last()
                .unwrap_or_default()
                .trim(),
        );
        assert!(path.is_file(), "no helm at {path:?}");
        path
    })
}

fn helm_ok(args: &[&str]) -> String {
    let out = run(helm(), args, &[], b"");
    assert!(
        out.status.success(),
        "helm {} failed:\n{}",
        args.join(" "),
        text(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ---------------------------------------------------------------------------------------
// The value sets
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Token,
    /// `--auth proxy` behind an authenticating proxy in other pods.
    OutsideProxy,
    /// `--auth proxy` behind the chart's oauth2-proxy sidecar.
    Sidecar,
}

const OUTSIDE_PROXY_CIDR: &str = "10.244.3.0/24";
const OAUTH_SECRET: &str = "ktop-web-oauth";

fn values(mode: Mode) -> Value {
    match mode {
        Mode::Token => json!({}),
        Mode::OutsideProxy => json!({
            "auth": {"mode": "proxy", "trustedProxies": [OUTSIDE_PROXY_CIDR]},
            "networkPolicy": {"from": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "oauth2-proxy"}},
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "auth"}},
            }},
        }),
        Mode::Sidecar => json!({
            "auth": {"mode": "proxy"},
            "allowedHosts": ["ktop.example.com:443"],
            "embedOrigins": ["https://portal.example.com"],
            "metricsSource": "metrics-server",
            "oauth2Proxy": {
                "enabled": true,
                "oidcIssuerUrl": "https://accounts.example.com",
                "clientId": "ktop-web",
                "clientSecret": {"name": OAUTH_SECRET},
                "cookieSecret": {"name": OAUTH_SECRET},
                "redirectUrl": "https://ktop.example.com/oauth2/callback",
            },
            "networkPolicy": {"from": {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}},
            }},
        }),
    }
}

const MODES: [Mode; 3] = [Mode::Token, Mode::OutsideProxy, Mode::Sidecar];

/// The values as a file helm reads (JSON is YAML).
fn values_file(dir: &Path, mode: Mode) -> PathBuf {
    let path = dir.join(format!("{mode:?}.yaml"));
    std::fs::write(&path, values(mode).to_string()).expect("write values");
    path
}

fn render(dir: &Path, mode: Mode, namespace: &str) -> String {
    let file = values_file(dir, mode);
    helm_ok(&[
        "template",
        RELEASE,
        CHART,
        "--namespace",
        namespace,
        "-f",
        &file.display().to_string(),
    ])
}

// ---------------------------------------------------------------------------------------
// (a) helm lint
// ---------------------------------------------------------------------------------------

#[test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
fn the_chart_lints_clean_for_every_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    for mode in MODES {
        let file = values_file(dir.path(), mode);
        let out = run(
            helm(),
            &["lint", "--strict", CHART, "-f", &file.display().to_string()],
            &[],
            b"",
        );
        let said = text(&out);
        assert!(out.status.success(), "helm lint ({mode:?}):\n{said}");
        assert!(
            said.contains("1 chart(s) linted, 0 chart(s) failed"),
            "helm lint ({mode:?}):\n{said}"
        );
        assert!(
            !said.contains("[WARNING]") && !said.contains("[ERROR]"),
            "helm lint ({mode:?}) is not clean:\n{said}"
        );
    }
    // Combinations that cannot work are refused with the reason, not rendered.
    for (set, reason) in [
        (vec!["auth.mode=proxy"], "auth.trustedProxies"),
        (
            vec!["auth.mode=proxy", "auth.trustedProxies[0]=10.0.0.0/8"],
            "networkPolicy.from",
        ),
        (vec!["oauth2Proxy.enabled=true"], "auth.mode=proxy"),
        (
            vec![
                "auth.mode=proxy",
                "oauth2Proxy.enabled=true",
                "auth.trustedProxies[0]=10.0.0.0/8",
            ],
            "only the sidecar",
        ),
        (vec!["auth.mode=cookie"], "auth.mode must be token or proxy"),
        (vec!["metricsSource=heapster"], "metricsSource must be"),
    ] {
        let mut args = vec!["template", RELEASE, CHART];
        for s in &set {
            args.extend(["--set", s]);
        }
        let out = run(helm(), &args, &[], b"");
        assert!(!out.status.success(), "{set:?} rendered:\n{}", text(&out));
        assert!(
            text(&out).contains(reason),
            "{set:?}: expected {reason:?} in:\n{}",
            text(&out)
        );
    }
}

// ---------------------------------------------------------------------------------------
// (b) the API server's dry run under the restricted Pod Security Standard
// ---------------------------------------------------------------------------------------

/// A namespace that enforces (and warns about) the restricted Pod Security Standard;
/// removed on drop. The test cluster runs no namespace controller, so removal finalizes it
/// by hand.
struct RestrictedNamespace<'a> {
    cluster: &'a TestCluster,
    name: String,
}

impl<'a> RestrictedNamespace<'a> {
    fn create(cluster: &'a TestCluster) -> Self {
        let name = format!("ktop-deploy-{}", std::process::id());
        let ns = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/warn-version": "latest",
            }},
        });
        let out = kubectl(cluster, &["apply", "-f", "-"], ns.to_string().as_bytes());
        assert!(
            out.status.success(),
            "create namespace {name}:\n{}",
            text(&out)
        );
        RestrictedNamespace { cluster, name }
    }
}

impl Drop for RestrictedNamespace<'_> {
    fn drop(&mut self) {
        let c = self.cluster;
        let _ = c.kubectl(&["delete", "namespace", &self.name, "--wait=false"]);
        if let Ok(mut ns) = c.get_raw(&format!("/api/v1/namespaces/{}", self.name)) {
            ns["spec"]["finalizers"] = json!([]);
            let _ = kubectl(
                c,
                &[
                    "replace",
                    "--raw",
                    &format!("/api/v1/namespaces/{}/finalize", self.name),
                    "-f",
                    "-",
                ],
                ns.to_string().as_bytes(),
            );
        }
    }
}

fn kubectl(c: &TestCluster, args: &[&str], stdin: &[u8]) -> Output {
    run(
        &c.kubectl_path(),
        args,
        &[("KUBECONFIG", c.kubeconfig.as_path())],
        stdin,
    )
}

/// `kubectl apply --dry-run=server` of `manifests`: the objects as the API server would
/// store them, and what kubectl printed on stderr (Pod Security warnings go there).
fn dry_run(
    c: &TestCluster,
    namespace: &str,
    manifests: &[u8],
) -> Result<(Vec<Value>, String), String> {
    let out = kubectl(
        c,
        &[
            "apply",
            "--dry-run=server",
            "-n",
            namespace,
            "-o",
            "json",
            "-f",
            "-",
        ],
        manifests,
    );
    if !out.status.success() {
        return Err(text(&out));
    }
    let parsed: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("kubectl printed no JSON ({e}):\n{}", text(&out)));
    let objects = match parsed["kind"].as_str() {
        Some("List") => parsed["items"].as_array().cloned().unwrap_or_default(),
        _ => vec![parsed],
    };
    Ok((objects, String::from_utf8_lossy(&out.stderr).into_owned()))
}

fn one<'v>(objects: &'v [Value], kind: &str) -> &'v Value {
    let found: Vec<&Value> = objects.iter().filter(|o| o["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind} expected among {objects:#?}");
    found[0]
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn container<'v>(pod: &'v Value, name: &str) -> &'v Value {
    pod["containers"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no container {name} in {pod:#}"))
}

/// The values of `--flag=value` items among `args`.
fn flag(args: &[String], name: &str) -> Vec<String> {
    let prefix = format!("--{name}=");
    args.iter()
        .filter_map(|a| a.strip_prefix(&prefix).map(str::to_owned))
        .collect()
}

fn check_pod_spec(mode: Mode, pod: &Value, namespace: &str) {
    let sc = &pod["securityContext"];
    assert_eq!(sc["runAsNonRoot"], true, "{mode:?}: {sc}");
    assert_eq!(sc["runAsUser"], NONROOT, "{mode:?}: {sc}");
    assert_eq!(sc["runAsGroup"], NONROOT, "{mode:?}: {sc}");
    assert_eq!(
        sc["seccompProfile"]["type"], "RuntimeDefault",
        "{mode:?}: {sc}"
    );
    assert_eq!(pod["automountServiceAccountToken"], true, "{mode:?}");
    let names: Vec<&str> = pod["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let expected: &[&str] = if mode == Mode::Sidecar {
        &["ktop-web", "oauth2-proxy"]
    } else {
        &["ktop-web"]
    };
    assert_eq!(names, expected, "{mode:?}");
    for c in pod["containers"].as_array().expect("containers") {
        let sc = &c["securityContext"];
        assert_eq!(
            sc["allowPrivilegeEscalation"], false,
            "{mode:?} {}: {sc}",
            c["name"]
        );
        assert_eq!(
            sc["readOnlyRootFilesystem"], true,
            "{mode:?} {}: {sc}",
            c["name"]
        );
        assert_eq!(
            sc["capabilities"]["drop"],
            json!(["ALL"]),
            "{mode:?} {}: {sc}",
            c["name"]
        );
    }

    let ktop = container(pod, "ktop-web");
    assert_eq!(
        ktop["image"],
        format!("ktop-web:{}", env!("CARGO_PKG_VERSION")),
        "the chart's appVersion must be the crate's version, the tag scripts/build-image gives"
    );
    assert_eq!(ktop["resources"]["requests"]["cpu"], "100m");
    assert_eq!(ktop["resources"]["requests"]["memory"], "128Mi");
    assert_eq!(ktop["resources"]["limits"]["memory"], "512Mi");
    assert_eq!(ktop["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(ktop["startupProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(ktop["readinessProbe"]["httpGet"]["path"], "/readyz");
    // The token (written even in proxy mode) needs a writable home on a read-only root.
    let mounts: Vec<&str> = ktop["volumeMounts"]
        .as_array()
        .map(|m| m.iter().filter_map(|v| v["mountPath"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        mounts.contains(&"/home/nonroot/.config"),
        "{mode:?}: {mounts:?}"
    );

    let args = strings(&ktop["args"]);
    let probe_port = &ktop["readinessProbe"]["httpGet"]["port"];
    match mode {
        Mode::Token => {
            assert_eq!(flag(&args, "auth"), ["token"], "{args:?}");
            assert!(flag(&args, "trusted-proxy").is_empty(), "{args:?}");
        }
        Mode::OutsideProxy => {
            assert_eq!(flag(&args, "auth"), ["proxy"], "{args:?}");
            assert_eq!(
                flag(&args, "trusted-proxy"),
                [OUTSIDE_PROXY_CIDR],
                "{args:?}"
            );
        }
        Mode::Sidecar => {
            assert_eq!(flag(&args, "auth"), ["proxy"], "{args:?}");
            assert_eq!(flag(&args, "trusted-proxy"), ["127.0.0.1/32"], "{args:?}");
            assert_eq!(flag(&args, "embed-origin"), ["https://portal.example.com"]);
            assert_eq!(flag(&args, "metrics-source"), ["metrics-server"]);
        }
    }
    if mode == Mode::Sidecar {
        assert_eq!(flag(&args, "address"), ["127.0.0.1"], "{args:?}");
        assert!(
            ktop["ports"].is_null(),
            "nothing listens on the pod's address: {ktop:#}"
        );
        assert_eq!(
            probe_port, "oauth2-proxy",
            "the kubelet cannot reach 127.0.0.1"
        );
        let proxy = container(pod, "oauth2-proxy");
        let pargs = strings(&proxy["args"]);
        assert_eq!(
            flag(&pargs, "upstream"),
            ["http://127.0.0.1:7301/"],
            "{pargs:?}"
        );
        assert_eq!(flag(&pargs, "pass-host-header"), ["false"], "{pargs:?}");
        assert_eq!(
            flag(&pargs, "skip-auth-strip-headers"),
            ["true"],
            "{pargs:?}"
        );
        assert_eq!(
            flag(&pargs, "skip-auth-route"),
            ["GET=^/healthz$", "GET=^/readyz$"],
            "only the probes pass unauthenticated: {pargs:?}"
        );
        assert_eq!(flag(&pargs, "client-id"), ["ktop-web"]);
        let env = proxy["env"].as_array().expect("env");
        for name in ["OAUTH2_PROXY_CLIENT_SECRET", "OAUTH2_PROXY_COOKIE_SECRET"] {
            let var = env
                .iter()
                .find(|e| e["name"] == name)
                .unwrap_or_else(|| panic!("no {name} in {env:?}"));
            assert_eq!(
                var["valueFrom"]["secretKeyRef"]["name"], OAUTH_SECRET,
                "{var}"
            );
        }
    } else {
        assert_eq!(flag(&args, "address"), ["0.0.0.0"], "{args:?}");
        assert_eq!(ktop["ports"][0]["containerPort"], 7301, "{ktop:#}");
        assert_eq!(probe_port, "http");
        // In-cluster proxies reach it by the Service's name, with the port.
        let service_host = format!("{RELEASE}.{namespace}.svc:7301");
        assert!(
            flag(&args, "allowed-host").contains(&service_host),
            "{args:?}"
        );
    }
    // Every flag the chart passes is one the binary has, with a value it accepts: the
    // command line parses whole (`--print-url` stops right after).
    let config = tempfile::tempdir().expect("config dir");
    let out = Command::new(env!("CARGO_BIN_EXE_ktop-web"))
        .args(&args)
        .arg("--print-url")
        .env("XDG_CONFIG_HOME", config.path())
        .output()
        .expect("run ktop-web");
    assert!(
        out.status.success(),
        "{mode:?}: ktop-web refuses the chart's flags {args:?}:\n{}",
        text(&out)
    );
}

fn check_rbac(mode: Mode, objects: &[Value], namespace: &str) {
    let role = one(objects, "ClusterRole");
    let rules: Vec<(String, String, Vec<String>)> = role["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .flat_map(|r| {
            let group = strings(&r["apiGroups"]).join(",");
            let verbs = strings(&r["verbs"]);
            strings(&r["resources"])
                .into_iter()
                .map(move |res| (group.clone(), res, verbs.clone()))
        })
        .collect();
    let has = |group: &str, resource: &str, verbs: &[&str]| {
        rules
            .iter()
            .any(|(g, r, v)| g == group && r == resource && v == verbs)
    };
    // README "Permissions", and nothing that writes.
    assert!(
        has("metrics.k8s.io", "nodes", &["get", "list"]),
        "{rules:?}"
    );
    assert!(has("metrics.k8s.io", "pods", &["get", "list"]), "{rules:?}");
    assert!(has("", "nodes", &["get", "list", "watch"]), "{rules:?}");
    assert!(has("", "pods", &["get", "list", "watch"]), "{rules:?}");
    assert!(has("", "nodes/proxy", &["get"]), "{rules:?}");
    assert!(has("", "pods/log", &["get"]), "{rules:?}");
    assert!(has("", "events", &["list"]), "{rules:?}");
    assert!(has("apps", "replicasets", &["list", "watch"]), "{rules:?}");
    assert!(has("batch", "jobs", &["list", "watch"]), "{rules:?}");
    assert!(has("", "resourcequotas", &["list", "watch"]), "{rules:?}");
    // History: looking for a source by name, and in token mode reading it through the service
    // proxy of named services only (with --auth proxy each viewer needs that right).
    assert!(has("", "services", &["get"]), "{rules:?}");
    let proxies: Vec<&Value> = role["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| strings(&r["resources"]).contains(&"services/proxy".to_owned()))
        .collect();
    for rule in &proxies {
        let names = strings(&rule["resourceNames"]);
        assert!(
            !names.is_empty() && names.iter().all(|n| n.contains(':')),
            "services/proxy only for named services, as NAME:PORT: {rule}"
        );
    }
    assert_eq!(proxies.len(), usize::from(mode == Mode::Token), "{rules:?}");
    let impersonates = rules
        .iter()
        .any(|(_, _, v)| v.iter().any(|v| v == "impersonate"));
    if mode == Mode::Token {
        assert!(!impersonates, "token mode must not impersonate: {rules:?}");
        assert_eq!(rules.len(), 12, "{rules:?}");
    } else {
        assert!(has("", "users", &["impersonate"]), "{rules:?}");
        assert!(has("", "groups", &["impersonate"]), "{rules:?}");
        assert_eq!(
            rules.len(),
            13,
            "only users and groups are impersonated: {rules:?}"
        );
    }
    for (_, _, verbs) in &rules {
        for v in verbs {
            assert!(
                ["get", "list", "watch", "impersonate"].contains(&v.as_str()),
                "{v} in {rules:?}"
            );
        }
    }
    let binding = one(objects, "ClusterRoleBinding");
    assert_eq!(binding["roleRef"]["name"], role["metadata"]["name"]);
    let account = one(objects, "ServiceAccount");
    assert_eq!(binding["subjects"][0]["kind"], "ServiceAccount");
    assert_eq!(binding["subjects"][0]["name"], account["metadata"]["name"]);
    assert_eq!(binding["subjects"][0]["namespace"], namespace);
    let deployment = one(objects, "Deployment");
    assert_eq!(
        deployment["spec"]["template"]["spec"]["serviceAccountName"],
        account["metadata"]["name"]
    );
}

/// Service and NetworkPolicy select the pod and open only the port that serves.
fn check_network(mode: Mode, objects: &[Value]) {
    let template = &one(objects, "Deployment")["spec"]["template"];
    let labels = template["metadata"]["labels"].as_object().expect("labels");
    let selects = |selector: &Value| {
        selector
            .as_object()
            .expect("selector")
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
    };
    let port_named = |name: &Value| {
        template["spec"]["containers"]
            .as_array()
            .expect("containers")
            .iter()
            .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
            .find(|p| &p["name"] == name)
            .map(|p| p["containerPort"].clone())
            .unwrap_or_else(|| panic!("no container port named {name}"))
    };
    let service = one(objects, "Service");
    assert!(selects(&service["spec"]["selector"]), "{service:#}");
    let target = &service["spec"]["ports"][0]["targetPort"];
    let serving = if mode == Mode::Sidecar { 4180 } else { 7301 };
    assert_eq!(
        port_named(target),
        serving,
        "{mode:?}: the Service targets {target}"
    );

    let policy = one(objects, "NetworkPolicy");
    assert!(
        selects(&policy["spec"]["podSelector"]["matchLabels"]),
        "{policy:#}"
    );
    assert_eq!(policy["spec"]["policyTypes"], json!(["Ingress"]));
    let ingress = policy["spec"]["ingress"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    match mode {
        // Nobody is selected: nothing may connect (port-forward is not policed).
        Mode::Token => assert!(ingress.is_empty(), "{policy:#}"),
        Mode::OutsideProxy | Mode::Sidecar => {
            assert_eq!(ingress.len(), 1, "{policy:#}");
            assert_eq!(
                ingress[0]["ports"],
                json!([{"port": serving, "protocol": "TCP"}])
            );
            let from = &values(mode)["networkPolicy"]["from"];
            let peer = &ingress[0]["from"][0];
            assert_eq!(peer["podSelector"], from["podSelector"], "{policy:#}");
            assert_eq!(
                peer["namespaceSelector"], from["namespaceSelector"],
                "{policy:#}"
            );
            assert_eq!(ingress[0]["from"].as_array().map(Vec::len), Some(1));
        }
    }
}

#[test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
fn the_manifests_pass_the_api_server_under_the_restricted_pod_security_standard() {
    let c = TestCluster::shared();
    let ns = RestrictedNamespace::create(c);
    let dir = tempfile::tempdir().expect("temp dir");

    // The namespace enforces the standard: a pod with no security context is refused.
    let bare = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "bare"},
        "spec": {"containers": [{"name": "c", "image": "ktop-web"}]},
    });
    let refused = dry_run(c, &ns.name, bare.to_string().as_bytes())
        .expect_err("a pod without a security context must be refused");
    assert!(
        refused.contains("violates PodSecurity \"restricted"),
        "{refused}"
    );

    for mode in MODES {
        let manifests = render(dir.path(), mode, &ns.name);
        let (objects, warnings) = dry_run(c, &ns.name, manifests.as_bytes())
            .unwrap_or_else(|e| panic!("{mode:?}: the API server refuses the chart:\n{e}"));
        let kinds: Vec<&str> = objects.iter().filter_map(|o| o["kind"].as_str()).collect();
        for kind in [
            "Deployment",
            "Service",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "NetworkPolicy",
        ] {
            assert!(kinds.contains(&kind), "{mode:?}: no {kind} in {kinds:?}");
        }
        // Pod Security only warns about a Deployment (warn=restricted) ...
        assert!(
            !warnings.contains("PodSecurity"),
            "{mode:?}: Pod Security warns about the chart:\n{warnings}"
        );
        let deployment = one(&objects, "Deployment");
        let pod_spec = &deployment["spec"]["template"]["spec"];
        check_pod_spec(mode, pod_spec, &ns.name);
        check_rbac(mode, &objects, &ns.name);
        check_network(mode, &objects);
        // ... and enforces on the pods it makes: this one must be admitted.
        let pod = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "ktop-web",
                "labels": deployment["spec"]["template"]["metadata"]["labels"],
            },
            "spec": pod_spec,
        });
        dry_run(c, &ns.name, pod.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{mode:?}: the Deployment's pod is refused:\n{e}"));
    }
}

// ---------------------------------------------------------------------------------------
// (c) the image archive
// ---------------------------------------------------------------------------------------

/// One tar entry.
#[derive(Debug)]
struct Entry {
    kind: u8,
    mode: u32,
    uid: u64,
    gid: u64,
    mtime: u64,
    owner_names: String,
    data: Vec<u8>,
}

/// The entries of an archive (a `ustar` one: the tar crate checks each header's checksum),
/// by path (no `./`, no trailing `/`), in archive order checked to be sorted.
fn untar(bytes: &[u8]) -> BTreeMap<String, Entry> {
    let mut entries = BTreeMap::new();
    let mut order = Vec::new();
    let mut archive = tar::Archive::new(bytes);
    for entry in archive.entries().expect("a tar archive") {
        let mut entry = entry.expect("a readable entry");
        let header = entry.header();
        assert!(header.as_ustar().is_some(), "a ustar header: {header:?}");
        let path = entry.path().expect("a path").to_string_lossy().into_owned();
        let path = path
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_owned();
        let kind = header.entry_type();
        assert!(
            kind.is_file() || kind.is_dir(),
            "{path}: entry type {kind:?}, expected files and directories only"
        );
        let name = |n: Result<Option<&str>, _>| n.ok().flatten().unwrap_or_default().to_owned();
        let mut read = Entry {
            kind: kind.as_byte(),
            mode: header.mode().expect("mode"),
            uid: header.uid().expect("uid"),
            gid: header.gid().expect("gid"),
            mtime: header.mtime().expect("mtime"),
            owner_names: format!("{}{}", name(header.username()), name(header.groupname())),
            data: Vec::new(),
        };
        entry.read_to_end(&mut read.data).expect("the entry's data");
        order.push(path.clone());
        assert!(entries.insert(path.clone(), read).is_none(), "{path} twice");
    }
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "entries in sorted order");
    entries
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn blob<'a>(files: &'a BTreeMap<String, Entry>, descriptor: &Value) -> &'a [u8] {
    let digest = descriptor["digest"].as_str().expect("digest");
    let hex = digest
        .strip_prefix("sha256:")
        .unwrap_or_else(|| panic!("{digest} is not sha256"));
    let entry = files
        .get(&format!("blobs/sha256/{hex}"))
        .unwrap_or_else(|| panic!("no blob for {digest}"));
    assert_eq!(
        sha256(&entry.data),
        hex,
        "the blob's content has the digest that names it"
    );
    assert_eq!(
        descriptor["size"].as_u64(),
        Some(entry.data.len() as u64),
        "size of {digest}"
    );
    &entry.data
}

fn json_blob(files: &BTreeMap<String, Entry>, descriptor: &Value) -> Value {
    serde_json::from_slice(blob(files, descriptor)).expect("a JSON blob")
}

/// Whether an ELF64 executable asks for a program interpreter (is dynamically linked).
fn elf_interpreter(elf: &[u8]) -> bool {
    assert_eq!(&elf[..4], b"\x7fELF", "an ELF file");
    assert_eq!(elf[4], 2, "64-bit");
    assert_eq!(elf[5], 1, "little-endian");
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]);
    assert_eq!(u16_at(0x12), 62, "x86-64");
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().expect("8 bytes")) as usize;
    let phentsize = usize::from(u16_at(0x36));
    let phnum = usize::from(u16_at(0x38));
    assert!(phnum > 0, "program headers");
    (0..phnum).any(|i| {
        let at = phoff + i * phentsize;
        u32::from_le_bytes(elf[at..at + 4].try_into().expect("4 bytes")) == 3 // PT_INTERP
    })
}

/// A child process killed (and reaped) when the test ends, passing or not.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds the image with the script, as a developer would, into `out`.
fn build_image(out: &Path) -> Vec<u8> {
    let script = repo_root().join("scripts").join("build-image");
    let started = std::time::Instant::now();
    let result = run(&script, &[&out.display().to_string()], &[], b"");
    assert!(
        result.status.success(),
        "scripts/build-image failed:\n{}",
        text(&result)
    );
    eprintln!("scripts/build-image took {:?}", started.elapsed());
    std::fs::read(out).expect("the image archive")
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn the_image_archive_is_an_oci_image_of_a_static_non_root_ktop_web() {
    let dir = tempfile::tempdir().expect("temp dir");
    let archive = build_image(&dir.path().join("first.oci.tar"));
    // Reproducible: building again from the same tree gives the same bytes.
    let again = build_image(&dir.path().join("second.oci.tar"));
    assert!(archive == again, "two builds of the same tree differ");

    let files = untar(&archive);
    let mtimes: Vec<u64> = files.values().map(|e| e.mtime).collect();
    assert!(
        mtimes.windows(2).all(|w| w[0] == w[1]),
        "one fixed mtime: {mtimes:?}"
    );
    assert!(
        files
            .values()
            .all(|e| e.owner_names.is_empty() && e.uid == 0)
    );

    let layout: Value = serde_json::from_slice(&files["oci-layout"].data).expect("oci-layout");
    assert_eq!(layout, json!({"imageLayoutVersion": "1.0.0"}));
    let index: Value = serde_json::from_slice(&files["index.json"].data).expect("index.json");
    assert_eq!(index["schemaVersion"], 2);
    let manifests = index["manifests"].as_array().expect("manifests");
    assert_eq!(manifests.len(), 1, "{index:#}");
    let descriptor = &manifests[0];
    assert_eq!(
        descriptor["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        descriptor["annotations"]["org.opencontainers.image.ref.name"],
        format!("ktop-web:{}", env!("CARGO_PKG_VERSION")),
        "{index:#}"
    );
    assert_eq!(
        descriptor["platform"],
        json!({"architecture": "amd64", "os": "linux"})
    );

    let manifest = json_blob(&files, descriptor);
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.oci.image.config.v1+json"
    );
    let config = json_blob(&files, &manifest["config"]);
    assert_eq!(config["os"], "linux");
    assert_eq!(config["architecture"], "amd64");
    assert_eq!(config["config"]["User"], format!("{NONROOT}:{NONROOT}"));
    assert_eq!(config["config"]["Entrypoint"], json!(["/ktop-web"]));
    assert_eq!(config["rootfs"]["type"], "layers");

    // Each layer: gzip'd, named by the digest of its compressed bytes, listed in the config
    // by the digest of its tar (diff_id).
    let layers = manifest["layers"].as_array().expect("layers");
    let diff_ids = strings(&config["rootfs"]["diff_ids"]);
    assert!(!layers.is_empty());
    assert_eq!(layers.len(), diff_ids.len(), "one diff_id per layer");
    let mut root = BTreeMap::new();
    for (layer, diff_id) in layers.iter().zip(&diff_ids) {
        assert_eq!(
            layer["mediaType"],
            "application/vnd.oci.image.layer.v1.tar+gzip"
        );
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(blob(&files, layer))
            .read_to_end(&mut tar)
            .expect("a gzip layer");
        assert_eq!(
            format!("sha256:{}", sha256(&tar)),
            *diff_id,
            "diff_id of {layer}"
        );
        for (path, entry) in untar(&tar) {
            assert_eq!(entry.mtime, mtimes[0], "{path}: the same fixed mtime");
            assert!(entry.owner_names.is_empty(), "{path}: numeric owners only");
            root.insert(path, entry);
        }
    }

    let bin = root.get("ktop-web").expect("/ktop-web in a layer");
    assert_eq!(bin.kind, b'0', "a regular file");
    assert_eq!(
        bin.mode & 0o7777,
        0o755,
        "executable, not writable by others"
    );
    assert!(
        !elf_interpreter(&bin.data),
        "static: no program interpreter"
    );

    let ca = root
        .get("etc/ssl/certs/ca-certificates.crt")
        .expect("the CA bundle at the standard path");
    let certificates = String::from_utf8_lossy(&ca.data)
        .matches("-----BEGIN CERTIFICATE-----")
        .count();
    assert!(
        certificates > 10,
        "{certificates} certificates in the bundle"
    );
    let passwd = String::from_utf8_lossy(&root["etc/passwd"].data).into_owned();
    assert!(
        passwd
            .lines()
            .any(|l| l.starts_with("nonroot:x:65532:65532:")),
        "{passwd}"
    );
    let group = String::from_utf8_lossy(&root["etc/group"].data).into_owned();
    assert!(
        group.lines().any(|l| l.starts_with("nonroot:x:65532:")),
        "{group}"
    );
    let home = root.get("home/nonroot").expect("the user's home");
    assert_eq!((home.kind, home.uid, home.gid), (b'5', 65532, 65532));
    let tmp = root.get("tmp").expect("/tmp");
    assert_eq!(tmp.mode & 0o7777, 0o1777);

    // The binary from the image runs here as it would in an empty container: demo mode
    // serves its health check and the embedded web app.
    let run_dir = tempfile::tempdir().expect("run dir");
    let exe = run_dir.path().join("ktop-web");
    std::fs::write(&exe, &bin.data).expect("write the binary");
    std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let version = Command::new(&exe)
        .arg("--version")
        .output()
        .expect("run it");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("ktop-web {}", env!("CARGO_PKG_VERSION"))
    );
    let port = free_port();
    let _child = KillOnDrop(
        Command::new(&exe)
            .args(["--demo", "--port", &port.to_string()])
            .env("XDG_CONFIG_HOME", run_dir.path().join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(run_dir.path().join("stderr")).expect("log file"))
            .spawn()
            .expect("start the image's ktop-web"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let listening = (0..200).any(|_| {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() || {
            std::thread::sleep(Duration::from_millis(50));
            false
        }
    });
    assert!(
        listening,
        "the image's ktop-web did not listen within 10 s:\n{}",
        std::fs::read_to_string(run_dir.path().join("stderr")).unwrap_or_default()
    );
    let health = http_get_with(&format!("{base}/healthz"), &[]).await;
    let page = http_get_with(&format!("{base}/?embed=1"), &[]).await;
    assert_eq!(health, (200, "ok".to_owned()));
    assert_eq!(page.0, 200, "{}", page.1);
    assert!(
        page.1.contains(".wasm") && !page.1.contains("built without its web UI"),
        "the image's ktop-web serves the web app:\n{}",
        page.1
    );
}
