"""Documents printed as PDF (the written agreement, a family's copy of its records), by WeasyPrint."""


def pdf_of(html: str) -> bytes:
    """The page `html` as a PDF. The document loads nothing from the network or the disk (WeasyPrint
    refuses an address in it, with a warning in the log): what it shows is in the HTML."""
    # WeasyPrint is loaded only to print: importing it loads Pango (0.6 s), which every web worker,
    # command and test process would otherwise pay at start whether or not it ever prints.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
