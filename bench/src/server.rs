//! A minimal HTTP/1.1 keep-alive server on loopback that answers every request with the
//! store-credentials success envelope. Kept tiny so that its own cost hides as little of the
//! clients' as possible.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BODY: &str = r#"{"success":true,"errors":[],"messages":[],"result":null}"#;

/// Starts the server on an ephemeral loopback port and returns its base URL.
pub async fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    });
    format!("http://{address}")
}

/// Answers each request on the connection until the client closes it.
async fn serve(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncf-ray: 0123456789abcdef-AMS\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        // Read until one whole request (head and body) is buffered.
        let request_end = loop {
            if let Some(end) = complete_request(&buffer) {
                break end;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
        };
        buffer.drain(..request_end);
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The length of the first complete request in `buffer`, if it holds one.
pub(crate) fn complete_request(buffer: &[u8]) -> Option<usize> {
    let head_end = buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buffer[..head_end]).ok()?;
    let body_length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    (buffer.len() >= head_end + body_length).then_some(head_end + body_length)
}
