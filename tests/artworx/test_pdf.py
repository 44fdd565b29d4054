"""Printed documents load nothing from outside their HTML."""

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from artworx.pdf import pdf_of
from tests.servers import serving_thread


def test_a_printed_document_fetches_nothing_it_names():
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serving_thread(server).start()
    address = f"http://127.0.0.1:{server.server_port}"
    try:
        pdf = pdf_of(
            f'<link rel="stylesheet" href="{address}/style.css"><p>Nico</p><img src="{address}/photo.png">'
            '<img src="file:///etc/hostname">'
        )
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF")
    assert asked == []
