//! A real SMTP server for the digest tests: it speaks the protocol over TCP on a
//! loopback port, records each conversation's envelope and DATA, and can refuse the
//! next messages with a permanent error, as a mail relay would.
//!
//! The server's port is reserved while the app's configuration is made (the
//! configuration needs its URL before the app starts) and served from the test body.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use socialgate::{Config, config::Secret};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// One delivered message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The DATA as sent (dot-stuffing undone), headers and body.
    pub data: String,
}

impl Mail {
    /// The value of header `name` (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line);
                    continue;
                }
                break;
            }
            if let Some((key, rest)) = line.split_once(':')
                && key.eq_ignore_ascii_case(name)
            {
                value = Some(rest.trim().to_owned());
            }
        }
        value
    }

    /// The DATA with quoted-printable soft line breaks and `=3D` undone, so phrases
    /// can be looked for whichever transfer encoding a part got.
    pub fn body(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }
}

/// Ports reserved by [`reserve`], waiting for [`SmtpServer::serve`].
static RESERVED: Mutex<Option<HashMap<u16, std::net::TcpListener>>> = Mutex::new(None);

/// Binds a loopback port and points `config` at it as the SMTP relay.
pub fn reserve(config: &mut Config) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind smtp");
    let port = listener.local_addr().expect("addr").port();
    config.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}")));
    config.smtp_from = "Socialgate Digest <digest@socialgate.test>".to_owned();
    RESERVED
        .lock()
        .expect("reserved")
        .get_or_insert_with(HashMap::new)
        .insert(port, listener);
}

/// A running SMTP server.
#[derive(Clone)]
pub struct SmtpServer {
    mails: Arc<Mutex<Vec<Mail>>>,
    refuse: Arc<AtomicUsize>,
}

impl SmtpServer {
    /// Serves the port reserved for `config`.
    pub fn serve(config: &Config) -> SmtpServer {
        let url = config
            .smtp_url
            .as_ref()
            .expect("smtp url")
            .expose()
            .to_owned();
        let port: u16 = url.rsplit(':').next().expect("port").parse().expect("port");
        let listener = RESERVED
            .lock()
            .expect("reserved")
            .as_mut()
            .and_then(|ports| ports.remove(&port))
            .expect("a reserved port");
        listener.set_nonblocking(true).expect("nonblocking");
        let listener = TcpListener::from_std(listener).expect("tokio listener");
        let server = SmtpServer {
            mails: Arc::default(),
            refuse: Arc::default(),
        };
        let state = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(state.clone().converse(stream));
            }
        });
        server
    }

    /// Every message delivered so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().expect("mails").clone()
    }

    /// Every message delivered so far, forgotten here: the next call sees only newer.
    pub fn take(&self) -> Vec<Mail> {
        std::mem::take(&mut *self.mails.lock().expect("mails"))
    }

    /// Answers the next `n` DATA commands with `554` (a permanent refusal).
    pub fn refuse_next(&self, n: usize) {
        self.refuse.store(n, Ordering::SeqCst);
    }

    async fn converse(self, stream: tokio::net::TcpStream) {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut envelope = (String::new(), Vec::new());
        let say = |text: &'static str| text.as_bytes();
        if write
            .write_all(say("220 smtp.test ESMTP ready\r\n"))
            .await
            .is_err()
        {
            return;
        }
        while let Ok(Some(line)) = lines.next_line().await {
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                say("250 smtp.test greets you\r\n")
            } else if upper.starts_with("HELO") || upper.starts_with("RSET") || upper == "NOOP" {
                say("250 OK\r\n")
            } else if upper.starts_with("MAIL FROM:") {
                envelope = (line[10..].trim().to_owned(), Vec::new());
                say("250 OK\r\n")
            } else if upper.starts_with("RCPT TO:") {
                envelope
                    .1
                    .push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                say("250 OK\r\n")
            } else if upper == "DATA" {
                let refused = self
                    .refuse
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if refused {
                    say("554 5.7.1 message refused by policy\r\n")
                } else {
                    if write
                        .write_all(say("354 end with <CRLF>.<CRLF>\r\n"))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    let mut data = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if line == "." {
                            break;
                        }
                        data.push_str(line.strip_prefix('.').unwrap_or(&line));
                        data.push_str("\r\n");
                    }
                    self.mails.lock().expect("mails").push(Mail {
                        from: envelope.0.clone(),
                        to: envelope.1.clone(),
                        data,
                    });
                    say("250 OK queued\r\n")
                }
            } else if upper == "QUIT" {
                let _ = write.write_all(say("221 bye\r\n")).await;
                return;
            } else {
                say("502 command not implemented\r\n")
            };
            if write.write_all(reply).await.is_err() {
                return;
            }
        }
    }
}
