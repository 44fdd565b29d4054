"""A crawler that reads the application as a signed-in person would: every link from the pages it
reaches, a few addresses per URL pattern, GET only. Shared by the scope and the dead-end tests."""

import re
from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

SKIPPED_PREFIXES = ("/logout/", "/accounts/logout/", "/static/", "/i18n/", "/sw.js", "/manifest.webmanifest")
PER_VIEW = 3  # distinct addresses visited per URL pattern: enough to reach every kind of page
PAGES = 300  # a bound on one crawl


@dataclass
class Page:
    status: int
    text: str
    html: bool
    linked_from: str = ""


def crawl(client: Client, seeds: list[str], *, skip: tuple[str, ...] = ()) -> dict[str, Page]:
    """GET every page reachable by links from `seeds`; each page with its status and the page linking it."""
    skipped = SKIPPED_PREFIXES + skip
    queue = deque((url, "") for url in seeds)
    seen, per_view, pages = set(seeds), Counter(), {}
    while queue and len(pages) < PAGES:
        url, source = queue.popleft()
        response = client.get(url)
        html = "html" in response.get("Content-Type", "")
        pages[url] = Page(response.status_code, response.content.decode(errors="replace"), html, source)
        if response.status_code in (301, 302):  # a role's home sends them on: follow it like a link
            hrefs = [response["Location"]]
        elif response.status_code == 200 and html:
            hrefs = re.findall(r'href="([^"#]+)', pages[url].text)
        else:
            continue
        for href in hrefs:
            href = href.replace("&amp;", "&")
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(skipped):
                continue
            try:
                view = resolve(parts.path).view_name
            except Resolver404:
                view = parts.path  # a dead link: visited once, so the test sees its 404
            if href in seen or per_view[view] >= PER_VIEW:
                continue
            seen.add(href)
            per_view[view] += 1
            queue.append((href, url))
    return pages
