//! A paperboy installation in a temporary directory, driven through the real binary.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Settings every test installation gets: short timeouts, no host delay.
const TEST_FETCH: &str = "[fetch]\ntimeout = \"2s\"\nmax_body = \"1MiB\"\nallow_private = true\n";

pub struct Install {
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl Install {
    /// An installation with these `feeds/<slug>.toml` files.
    pub fn new(feeds: &[(&str, &str)]) -> Install {
        Install::with_settings(feeds, "")
    }

    /// The same, with extra lines for the top of `paperboy.toml`.
    pub fn with_settings(feeds: &[(&str, &str)], extra: &str) -> Install {
        Install::with_fetch(feeds, extra, "host_delay = \"0s\"")
    }

    /// The same, with extra `[fetch]` lines.
    pub fn with_fetch(feeds: &[(&str, &str)], extra: &str, fetch: &str) -> Install {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::create_dir_all(dir.path().join("feeds")).unwrap();
        let config = format!(
            "listen = \"127.0.0.1:{port}\"\nbase_url = \"http://127.0.0.1:{port}/\"\ndata_dir = \"../data\"\nfeeds_dir = \"../feeds\"\n{extra}\n{TEST_FETCH}{fetch}\n"
        );
        std::fs::write(dir.path().join("config/paperboy.toml"), config).unwrap();
        let install = Install { dir, port };
        for (slug, text) in feeds {
            install.write_feed(slug, text);
        }
        install
    }

    pub fn write_feed(&self, slug: &str, text: &str) {
        std::fs::write(self.dir.path().join(format!("feeds/{slug}.toml")), text).unwrap();
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config/paperboy.toml")
    }

    /// Runs `paperboy ARGS -c CONFIG` to completion.
    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .args(args)
            .arg("-c")
            .arg(self.config())
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }

    /// `paperboy fetch [SOURCE…]`: exit code and stdout.
    pub fn fetch(&self, sources: &[&str]) -> (i32, String) {
        let mut args = vec!["fetch"];
        args.extend_from_slice(sources);
        let output = self.cmd(&args);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        (output.status.code().unwrap_or(-1), stdout)
    }

    /// `paperboy publish --out DIR`: every feed's Atom document by slug.
    pub fn publish(&self) -> HashMap<String, String> {
        let out = self.dir.path().join("published");
        let _ = std::fs::remove_dir_all(&out);
        let output = self.cmd(&["publish", "--out", out.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read_dir(&out)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "atom"))
            .map(|path| {
                let slug = path.file_stem().unwrap().to_string_lossy().into_owned();
                (slug, std::fs::read_to_string(&path).unwrap())
            })
            .collect()
    }

    /// Starts `paperboy run` and waits until it answers `/healthz`.
    pub fn daemon(&self) -> Daemon {
        self.daemon_with_env(&[])
    }

    /// Starts `paperboy run` with extra environment variables.
    pub fn daemon_with_env(&self, env: &[(&str, &str)]) -> Daemon {
        let mut command = Command::new(env!("CARGO_BIN_EXE_paperboy"));
        command.args(["run", "-c"]).arg(self.config());
        self.start(command, env)
    }

    /// Starts `paperboy run` under a file-size limit of `kib` KiB (`ulimit -f`): a write
    /// past it fails as on a full disk.
    pub fn daemon_with_file_limit(&self, kib: u64) -> Daemon {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -f {kib} && exec \"$0\" run -c \"$1\""))
            .arg(env!("CARGO_BIN_EXE_paperboy"))
            .arg(self.config());
        self.start(command, &[])
    }

    fn start(&self, mut command: Command, env: &[(&str, &str)]) -> Daemon {
        let log = std::fs::File::create(self.dir.path().join("daemon.log")).unwrap();
        let child = command
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let daemon = Daemon {
            child: Some(child),
            base: format!("http://127.0.0.1:{}", self.port),
        };
        daemon.wait_for(Duration::from_secs(20), || daemon.get("/healthz").0 == 200);
        daemon
    }

    pub fn daemon_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `paperboy run`; killed when dropped.
pub struct Daemon {
    child: Option<Child>,
    pub base: String,
}

/// Status, headers and body of one response.
pub struct Got(pub u16, pub reqwest::header::HeaderMap, pub Vec<u8>);

impl Daemon {
    /// GET a path with extra request headers; status 0 when nothing answers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Got {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let client = reqwest::Client::builder()
                .no_gzip()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap();
            let mut request = client.get(format!("{}{path}", self.base));
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    let body = response
                        .bytes()
                        .await
                        .map(|b| b.to_vec())
                        .unwrap_or_default();
                    Got(status, headers, body)
                }
                Err(_) => Got(0, Default::default(), Vec::new()),
            }
        })
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        let Got(status, _, body) = self.get_with(path, &[]);
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// Polls `done` every 100 ms until it holds; panics after `limit`.
    pub fn wait_for(&self, limit: Duration, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        while !done() {
            assert!(
                start.elapsed() < limit,
                "condition not met within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends a signal by name (`HUP`, `TERM`…).
    pub fn signal(&self, name: &str) {
        let child = self.child.as_ref().unwrap();
        Command::new("kill")
            .args([&format!("-{name}"), &child.id().to_string()])
            .status()
            .unwrap();
    }

    /// SIGKILL: the process gets no chance to clean up.
    pub fn kill9(mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// SIGTERM, then wait for a clean exit; returns the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let mut child = self.child.take().unwrap();
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code();
            }
            if start.elapsed() > Duration::from_secs(20) {
                child.kill().unwrap();
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
