//! A real Kubernetes API server for integration tests, run by
//! `scripts/test-cluster` (kube-apiserver + etcd + kwok + metrics-server on
//! 127.0.0.1). The tests that use it are `#[ignore]`d, so a plain `cargo test`
//! lists them as ignored; `scripts/test` runs them with `--include-ignored`,
//! and then a cluster that cannot be brought up fails them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Paths of the running test cluster, as printed by `scripts/test-cluster env`.
#[derive(Debug, Clone)]
pub struct TestCluster {
    /// Admin (system:masters) kubeconfig.
    pub kubeconfig: PathBuf,
    /// The API server's audit log: one JSON event per line, Metadata level.
    pub audit_log: PathBuf,
    /// kubectl, kube-apiserver, etcd, kwok, metrics-server, ktop-testctl.
    pub bin_dir: PathBuf,
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("proxy crate lives in the workspace root")
        .to_path_buf()
}

fn script_path() -> PathBuf {
    repo_root().join("scripts").join("test-cluster")
}

fn run_script(args: &[&str]) -> Output {
    Command::new(script_path())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run scripts/test-cluster: {e}"))
}

fn script_ok(args: &[&str]) -> String {
    let out = run_script(args);
    if !out.status.success() {
        panic!(
            "scripts/test-cluster {} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Value of `export NAME=value` in the script's output.
fn export_value(output: &str, name: &str) -> Option<String> {
    let prefix = format!("export {name}=");
    output
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix(&prefix).map(str::to_owned))
}

impl TestCluster {
    /// Brings the cluster up via `scripts/test-cluster up` (which reuses a
    /// running one) once per test process.
    pub fn shared() -> &'static TestCluster {
        static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
        CLUSTER.get_or_init(|| {
            let out = script_ok(&["up"]);
            let last = out.lines().last().unwrap_or_default();
            assert!(
                last.starts_with("export KUBECONFIG="),
                "`up` must end with the KUBECONFIG export, got: {last:?}"
            );
            let env = script_ok(&["env"]);
            let get = |name: &str| {
                PathBuf::from(
                    export_value(&env, name)
                        .unwrap_or_else(|| panic!("`env` printed no {name}:\n{env}")),
                )
            };
            TestCluster {
                kubeconfig: get("KUBECONFIG"),
                audit_log: get("KTOP_TEST_AUDIT_LOG"),
                bin_dir: get("KTOP_TEST_CLUSTER_BIN"),
            }
        })
    }

    /// Serialises tests that change the cluster (or that would be disturbed
    /// by such changes) within this test process.
    pub fn exclusive(&self) -> MutexGuard<'static, ()> {
        static LOCK: Mutex<()> = Mutex::new(());
        LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn kubectl_path(&self) -> PathBuf {
        self.bin_dir.join("kubectl")
    }

    /// Runs the cluster's own kubectl with the admin kubeconfig.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_as(&self.kubeconfig, args)
    }

    /// Runs kubectl with another kubeconfig (restricted, exec, ...).
    pub fn kubectl_as(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        Command::new(self.kubectl_path())
            .env("KUBECONFIG", kubeconfig)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run kubectl: {e}"))
    }

    /// kubectl that must succeed; returns stdout.
    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            out.status.success(),
            "kubectl {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Applies `yaml`; the objects are deleted again when the guard is dropped (a failed test
    /// included).
    pub fn apply(&self, yaml: &str) -> Applied<'_> {
        let file = tempfile::NamedTempFile::new().expect("a temp file");
        std::fs::write(file.path(), yaml).expect("write the manifest");
        self.kubectl_ok(&["apply", "-f", &file.path().display().to_string()]);
        Applied {
            cluster: self,
            file,
        }
    }

    /// `kubectl get --raw <path>` parsed as JSON, or kubectl's error text.
    pub fn get_raw(&self, path: &str) -> Result<serde_json::Value, String> {
        let out = self.kubectl(&["get", "--raw", path]);
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("bad JSON from {path}: {e}"))
    }

    /// Runs `scripts/test-cluster <args>`; panics with its stderr on failure.
    pub fn script(&self, args: &[&str]) -> String {
        script_ok(args)
    }

    /// Where the audit log ends now; pass to [`TestCluster::audit_since`].
    pub fn audit_offset(&self) -> usize {
        std::fs::metadata(&self.audit_log)
            .map(|m| m.len() as usize)
            .unwrap_or(0)
    }

    /// Audit events logged after `offset`, every stage: requests refused by authentication
    /// (401) are logged at `ResponseStarted` only.
    pub fn audit_since(&self, offset: usize) -> Vec<serde_json::Value> {
        let log = std::fs::read(&self.audit_log).expect("audit log");
        String::from_utf8_lossy(&log[offset.min(log.len())..])
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .collect()
    }

    /// When the running API server was started, in the audit log's time format.
    pub fn apiserver_started(&self) -> String {
        let state = self
            .audit_log
            .parent()
            .and_then(Path::parent)
            .expect("the audit log lives in the cluster's state directory");
        std::fs::read_to_string(state.join("apiserver.started"))
            .expect("the API server's start time")
            .trim()
            .to_owned()
    }

    /// The test cluster's exec credential plugin (mints tokens its webhook accepts).
    pub fn exec_plugin(&self) -> PathBuf {
        let exec = PathBuf::from(self.script(&["kubeconfig", "exec"]).trim());
        exec.parent()
            .expect("exec dir")
            .join("ktop-exec-credential")
    }

    /// An exec kubeconfig in `dir` whose plugin is the bash script `body` (which can call
    /// [`TestCluster::exec_plugin`]); returns the kubeconfig's path.
    pub fn kubeconfig_with_plugin(&self, dir: &Path, name: &str, body: &str) -> PathBuf {
        let plugin = dir.join(name);
        std::fs::write(
            &plugin,
            format!("#!/usr/bin/env bash\nset -euo pipefail\n{body}\n"),
        )
        .expect("write plugin");
        std::fs::set_permissions(&plugin, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod plugin");
        let exec = PathBuf::from(self.script(&["kubeconfig", "exec"]).trim());
        let text = std::fs::read_to_string(&exec).expect("exec kubeconfig");
        let original = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("command: "))
            .expect("command in the exec kubeconfig")
            .to_owned();
        let kubeconfig = dir.join(format!("{name}.kubeconfig"));
        std::fs::write(
            &kubeconfig,
            text.replace(&original, &plugin.display().to_string()),
        )
        .expect("write kubeconfig");
        kubeconfig
    }

    /// An exec kubeconfig in `dir` whose plugin logs each run to `<name>.log` and passes
    /// the test cluster's plugin output (tokens living `ttl` seconds) through `filter`;
    /// returns the kubeconfig and the log (count its runs with [`plugin_runs`]).
    pub fn logged_plugin_kubeconfig(
        &self,
        dir: &Path,
        name: &str,
        ttl: u32,
        filter: &str,
    ) -> (PathBuf, PathBuf) {
        let log = dir.join(format!("{name}.log"));
        let body = format!(
            "echo run >> {log}\nKTOP_EXEC_TTL={ttl} {real} | {filter}",
            log = log.display(),
            real = self.exec_plugin().display()
        );
        (self.kubeconfig_with_plugin(dir, name, &body), log)
    }

    /// A running pod in `ns`: its name, its node and its containers' names.
    pub fn running_pod(&self, ns: &str) -> (String, String, Vec<String>) {
        let found = self.kubectl_ok(&[
            "get",
            "pods",
            "-n",
            ns,
            "--field-selector=status.phase=Running",
            "-o",
            "jsonpath={.items[0].metadata.name} {.items[0].spec.nodeName} {.items[0].spec.containers[*].name}",
        ]);
        let mut words = found.split_whitespace().map(str::to_owned);
        match (words.next(), words.next()) {
            (Some(pod), Some(node)) => (pod, node, words.collect()),
            _ => panic!("no running pod in {ns}: {found:?}"),
        }
    }
}

/// How often the plugin of [`TestCluster::logged_plugin_kubeconfig`] has run.
pub fn plugin_runs(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

/// Objects applied for one test; deleted when dropped.
pub struct Applied<'a> {
    cluster: &'a TestCluster,
    file: tempfile::NamedTempFile,
}

impl Drop for Applied<'_> {
    fn drop(&mut self) {
        let path = self.file.path().display().to_string();
        let _ = self
            .cluster
            .kubectl(&["delete", "--ignore-not-found", "-f", &path]);
    }
}

/// The `export NAME=value` lines a `scripts/test-cluster … up` printed.
pub struct Exports(String);

impl Exports {
    /// The value of `name`; panics when the script printed none.
    pub fn get(&self, name: &str) -> String {
        let prefix = format!("export {name}=");
        self.0
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {name} among the exports:\n{}", self.0))
            .to_owned()
    }
}

/// Runs `scripts/test-cluster <args>` (its environment set by `env`), which must succeed;
/// returns the export lines it printed.
pub fn script_exports(args: &[&str], env: impl FnOnce(&mut Command)) -> Exports {
    let mut command = Command::new(test_cluster_script());
    command.args(args);
    env(&mut command);
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("run scripts/test-cluster {args:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "scripts/test-cluster {args:?} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Exports(stdout)
}

/// Runs `scripts/test-cluster <args>` when dropped, whatever a test got to (a failed one
/// included): the `down` of something a test brought up.
pub struct DownOnDrop(pub &'static [&'static str]);

impl Drop for DownOnDrop {
    fn drop(&mut self) {
        match Command::new(test_cluster_script()).args(self.0).output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!(
                "scripts/test-cluster {:?} failed ({}): {}",
                self.0,
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => eprintln!("cannot run scripts/test-cluster {:?}: {e}", self.0),
        }
    }
}

fn test_cluster_script() -> PathBuf {
    repo_root().join("scripts").join("test-cluster")
}
