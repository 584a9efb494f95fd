//! The first bytes of a connection, read under the listener's deadline. hyper starts
//! its header timeout only once it has chosen between HTTP/1 and HTTP/2, which it does
//! by reading the first bytes: a client that connects and sends nothing (or one byte)
//! would otherwise hold its connection for as long as it likes. These bytes are read
//! here, within the header timeout, and handed to hyper again in front of the rest of
//! the stream.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

/// Enough to tell HTTP/2's connection preface (24 bytes) from an HTTP/1 request line.
const PREFACE: usize = 24;

/// Reads from `stream` until it has sent enough to choose a protocol (24 bytes, or a
/// line), or closed; `None` when `deadline` passed first or the client went away.
pub async fn read<S: AsyncRead + Unpin>(stream: &mut S, deadline: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::with_capacity(PREFACE);
    let enough = async {
        let mut chunk = [0u8; PREFACE];
        while seen.len() < PREFACE && !seen.contains(&b'\n') {
            let want = PREFACE - seen.len();
            match stream.read(&mut chunk[..want]).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
            }
        }
        true
    };
    match tokio::time::timeout(deadline, enough).await {
        Ok(true) => Some(seen),
        _ => None,
    }
}

/// `inner` with `first` read again in front of it.
pub struct Replayed<S> {
    first: Vec<u8>,
    at: usize,
    inner: S,
}

impl<S> Replayed<S> {
    pub fn new(first: Vec<u8>, inner: S) -> Self {
        Replayed {
            first,
            at: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Replayed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.at < self.first.len() {
            let left = &self.first[self.at..];
            let n = left.len().min(buf.remaining());
            buf.put_slice(&left[..n]);
            self.at += n;
            if self.at == self.first.len() {
                self.first = Vec::new();
                self.at = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Replayed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn a_silent_client_is_not_waited_for_and_a_talking_one_is_replayed() {
        let (mut client, mut server) = tokio::io::duplex(64);
        assert_eq!(read(&mut server, Duration::from_millis(50)).await, None);
        client.write_all(b"G").await.expect("write");
        assert_eq!(
            read(&mut server, Duration::from_millis(50)).await,
            None,
            "one byte and silence is not enough"
        );
        let (mut client, mut server) = tokio::io::duplex(64);
        client
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let first = read(&mut server, Duration::from_secs(1))
            .await
            .expect("read");
        let mut whole = String::new();
        drop(client);
        Replayed::new(first, server)
            .read_to_string(&mut whole)
            .await
            .expect("read");
        assert_eq!(whole, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    }
}
