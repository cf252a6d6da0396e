//! A real single-node Garage (the S3 server Deuxfleurs runs) on free loopback ports, one per test, with a
//! bucket and a key, stopped when the test ends. Installed with `cargo install` when missing (slow, once).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::servers::{http_request, HttpResponse};

pub(crate) const BUCKET: &str = "capsule-test";
pub(crate) const KEY_ID: &str = "GK0123456789abcdef01234567";

fn garage_binary() -> PathBuf {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    CELL.get_or_init(|| {
        let cargo_bin = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
            .map(|d| d.join("bin/garage"));
        let find = || {
            std::env::var_os("PATH")
                .and_then(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join("garage"))
                        .find(|p| p.is_file())
                })
                .or_else(|| cargo_bin.clone().filter(|p| p.is_file()))
        };
        find()
            .or_else(|| {
                eprintln!(
                    "Garage is missing: installing it with cargo (about 20 CPU-minutes, once)…"
                );
                let _ = Command::new("cargo")
                    .args(["install", "garage", "--version", "2.5.0", "--locked"])
                    .args(["--no-default-features", "--features", "bundled-libs,sqlite"])
                    .status();
                find()
            })
            .expect("garage is missing and `cargo install garage` failed; run `bash .ci/run`")
    })
    .clone()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct Garage {
    child: Child,
    dir: tempfile::TempDir,
    pub s3_port: u16,
    pub web_port: u16,
    pub secret: String,
}

impl Garage {
    pub(crate) fn start() -> Garage {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ports: Vec<u16> = (0..4).map(|_| free_port()).collect();
        let secret: String = (0..32)
            .map(|i| format!("{:02x}", (i * 37 + std::process::id() as usize) % 256))
            .collect();
        let rpc_secret: String = (0..32).map(|i| format!("{:02x}", i * 7 % 256)).collect();
        let config = format!(
            r#"metadata_dir = "{d}/meta"
data_dir = "{d}/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc}"
rpc_public_addr = "127.0.0.1:{rpc}"
rpc_secret = "{rpc_secret}"
[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:{s3}"
root_domain = ".s3.garage.localhost"
[s3_web]
bind_addr = "127.0.0.1:{web}"
root_domain = ".web.garage.localhost"
index = "index.html"
[admin]
api_bind_addr = "127.0.0.1:{admin}"
admin_token = "{rpc_secret}"
"#,
            d = d.display(),
            rpc = ports[0],
            s3 = ports[1],
            web = ports[2],
            admin = ports[3],
        );
        let config_path = d.join("garage.toml");
        std::fs::write(&config_path, config).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&config_path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let log = std::fs::File::create(d.join("log")).unwrap();
        let child = Command::new(garage_binary())
            .arg("-c")
            .arg(&config_path)
            .args(["server", "--single-node", "--default-bucket"])
            .env("GARAGE_DEFAULT_ACCESS_KEY", KEY_ID)
            .env("GARAGE_DEFAULT_SECRET_KEY", &secret)
            .env("GARAGE_DEFAULT_BUCKET", BUCKET)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let garage = Garage {
            child,
            dir,
            s3_port: ports[1],
            web_port: ports[2],
            secret,
        };
        let start = Instant::now();
        while !garage.cli(&["status"]).status.success() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "Garage did not start: {}",
                std::fs::read_to_string(garage.dir.path().join("log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        // The bucket exists once the key can see it.
        while !garage.cli(&["bucket", "info", BUCKET]).status.success() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no default bucket"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        garage
    }

    pub(crate) fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(garage_binary())
            .arg("-c")
            .arg(self.dir.path().join("garage.toml"))
            .args(args)
            .output()
            .unwrap()
    }

    /// Another bucket, which this server's key may read, write and publish as a website.
    pub(crate) fn create_bucket(&self, name: &str) {
        for args in [
            vec!["bucket", "create", name],
            vec![
                "bucket", "allow", "--read", "--write", "--owner", name, "--key", KEY_ID,
            ],
            vec!["bucket", "website", "--allow", name],
        ] {
            let out = self.cli(&args);
            assert!(out.status.success(), "garage {args:?}: {out:?}");
        }
    }

    /// The host name under which the website endpoint serves `bucket`.
    pub(crate) fn web_host(bucket: &str) -> String {
        format!("{bucket}.web.garage.localhost")
    }

    /// The `[publish.html]` section for another bucket of this server.
    pub(crate) fn publish_section_for(&self, bucket: &str) -> String {
        format!(
            "\n[publish.html]\nbucket = \"{bucket}\"\nendpoint = \"http://127.0.0.1:{}\"\n",
            self.s3_port
        )
    }

    pub(crate) fn set_quota(&self, max_size: &str) {
        let out = self.cli(&["bucket", "set-quotas", BUCKET, "--max-size", max_size]);
        assert!(out.status.success(), "{out:?}");
    }

    /// The number of objects in the bucket, as Garage counts them.
    pub(crate) fn objects(&self) -> u64 {
        self.objects_in(BUCKET)
    }

    /// The number of objects in `bucket`, as Garage counts them.
    pub(crate) fn objects_in(&self, bucket: &str) -> u64 {
        let out = self.cli(&["bucket", "info", bucket]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find_map(|l| l.trim().strip_prefix("Objects:"))
            .unwrap_or_else(|| panic!("no object count in {text}"))
            .trim()
            .parse()
            .unwrap()
    }

    /// A GET on the website endpoint, for the bucket's host name, with extra header lines.
    pub(crate) fn web(&self, path: &str, extra: &str) -> HttpResponse {
        http_request(
            self.web_port,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: {BUCKET}.web.garage.localhost\r\n{extra}Connection: close\r\n\r\n"
            ),
        )
    }

    /// The `[publish.html]` section that points at this server.
    pub(crate) fn publish_section(&self) -> String {
        format!(
            "\n[publish.html]\nbucket = \"{BUCKET}\"\nendpoint = \"http://127.0.0.1:{}\"\n",
            self.s3_port
        )
    }

    /// The environment that gives capsule this server's key.
    pub(crate) fn credentials(&self) -> [(&'static str, String); 2] {
        [
            ("AWS_ACCESS_KEY_ID", KEY_ID.to_string()),
            ("AWS_SECRET_ACCESS_KEY", self.secret.clone()),
        ]
    }

    /// `capsule publish html` for `root`, with this server's key in the environment.
    pub(crate) fn publish(&self, root: &Path, extra: &[&str]) -> std::process::Output {
        self.publish_with_secret(root, extra, &self.secret.clone())
    }

    pub(crate) fn publish_with_secret(
        &self,
        root: &Path,
        extra: &[&str],
        secret: &str,
    ) -> std::process::Output {
        super::capsule()
            .args(["publish", "html", "--root"])
            .arg(root)
            .args(extra)
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .output()
            .unwrap()
    }
}

impl Drop for Garage {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
