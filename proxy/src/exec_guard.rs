//! Credential plugins (`users[].user.exec`: gke-gcloud-auth-plugin, aws eks get-token,
//! kubelogin, …) run through this binary: with stdin closed, so a plugin that wants to prompt
//! fails instead of waiting for a terminal nobody watches, and with a time limit, so a hung
//! plugin cannot hold kube's token lock (and every request behind it) forever.

use std::ffi::OsString;
use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use kube::config::{ExecInteractiveMode, Kubeconfig};

/// The hidden first argument that makes `ktop-web` act as the guard.
pub const GUARD_ARG: &str = "__exec-credential-guard";
/// How long a plugin may run.
pub const PLUGIN_TIMEOUT: Duration = Duration::from_secs(20);

/// Rewrites every exec entry to run `<this binary> __exec-credential-guard <command> <args…>`.
pub fn guard_exec_plugins(kubeconfig: &mut Kubeconfig) {
    let Ok(this) = std::env::current_exe() else {
        tracing::warn!("cannot find this binary's path; credential plugins run unguarded");
        return;
    };
    let this = this.to_string_lossy().into_owned();
    for exec in kubeconfig
        .auth_infos
        .iter_mut()
        .filter_map(|a| a.auth_info.as_mut())
        .filter_map(|a| a.exec.as_mut())
    {
        let Some(command) = exec.command.take() else {
            continue;
        };
        let mut args = vec![GUARD_ARG.to_owned(), command];
        args.extend(exec.args.take().unwrap_or_default());
        exec.command = Some(this.clone());
        exec.args = Some(args);
        // kube-rs then gives the plugin a closed stdin and tells it not to prompt.
        exec.interactive_mode = Some(ExecInteractiveMode::Never);
    }
}

/// Runs the plugin named in `args` (after [`GUARD_ARG`]) and passes its output through.
pub fn run_guard(args: &[OsString]) -> ExitCode {
    let Some((command, rest)) = args.split_first() else {
        eprintln!("ktop-web: {GUARD_ARG} needs a command");
        return ExitCode::from(2);
    };
    let shown = command.to_string_lossy();
    let mut child = match Command::new(command)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot run the credential plugin {shown}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Drained on threads so a chatty plugin never blocks on a full pipe.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + PLUGIN_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                eprintln!(
                    "the credential plugin {shown} did not finish within {}s and was stopped (is it waiting for a login? run `kubectl get nodes` to finish it)",
                    PLUGIN_TIMEOUT.as_secs()
                );
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("cannot wait for the credential plugin {shown}: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    use std::io::Write;
    let _ = std::io::stdout().write_all(&out);
    let _ = std::io::stderr().write_all(&err);
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_entries_are_wrapped_and_made_non_interactive() {
        let yaml = r#"
apiVersion: v1
kind: Config
users:
- name: eks
  user:
    exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --cluster-name, prod] }
- name: plain
  user: { token: abc }
"#;
        let mut config = Kubeconfig::from_yaml(yaml).expect("kubeconfig");
        guard_exec_plugins(&mut config);
        let exec = config.auth_infos[0]
            .auth_info
            .as_ref()
            .and_then(|a| a.exec.as_ref())
            .expect("exec kept");
        let args = exec.args.clone().unwrap_or_default();
        assert_eq!(args[..3], [GUARD_ARG, "aws", "eks"]);
        assert_eq!(args.len(), 6);
        assert_eq!(exec.interactive_mode, Some(ExecInteractiveMode::Never));
        assert!(exec.command.as_deref().is_some_and(|c| !c.ends_with("aws")));
        assert!(
            config.auth_infos[1]
                .auth_info
                .as_ref()
                .is_some_and(|a| a.exec.is_none())
        );
    }
}
