//! A throwaway web server for test pages: one HTML page for every request, on a free port.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves one replaceable page at every path of `http://127.0.0.1:<port>/` (and of
/// `localhost:<port>`, which browsers treat as another origin).
pub struct PageServer {
    port: u16,
    page: Arc<Mutex<String>>,
}

impl PageServer {
    /// Starts serving `page` on a free port.
    pub async fn start(page: String) -> PageServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let page = Arc::new(Mutex::new(page));
        let served = page.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let served = served.clone();
                // One task per connection: browsers open sockets ahead of time that may
                // never carry a request, and waiting on one would stall every other page.
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let body = served
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .clone();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                });
            }
        });
        PageServer { port, page }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Replaces the page.
    pub fn set(&self, page: String) {
        *self.page.lock().unwrap_or_else(PoisonError::into_inner) = page;
    }
}

/// Serves `page` on a free port and returns `http://127.0.0.1:<port>/`.
pub async fn serve_html(page: String) -> String {
    let server = PageServer::start(page).await;
    format!("http://127.0.0.1:{}/", server.port())
}

/// A portal page that frames `src`.
pub fn portal_with_frame(src: &str) -> String {
    format!(
        "<!doctype html><title>portal</title><h1>Portal</h1>\
         <iframe width=1000 height=420 src=\"{src}\"></iframe>"
    )
}
