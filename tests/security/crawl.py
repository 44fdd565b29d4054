"""A crawler that reads the application as a signed-in person would: every link from the pages it
reaches and every search or filter form on them, submitted with its first real choices, a few addresses
per URL pattern, GET only. Shared by the scope and the dead-end tests."""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

SKIPPED_PREFIXES = ("/logout/", "/accounts/logout/", "/static/", "/i18n/", "/sw.js", "/manifest.webmanifest")
PER_VIEW = 3  # distinct addresses visited per URL pattern: enough to reach every kind of page
PAGES = 300  # a bound on one crawl
NOT_SENT = ("submit", "button", "reset", "file")  # inputs a form submitted unchanged does not send


@dataclass
class Page:
    status: int
    text: str
    html: bool
    linked_from: str = ""


@dataclass
class GetForm:
    """A form that asks with GET: where it goes and what submitting it unchanged would send."""

    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    select: str = ""  # the name of the <select> being read, while inside it
    choice: str = ""  # that select's first real option

    def url(self, page_url: str) -> str:
        target = urljoin(page_url, self.action or page_url)
        return f"{urlsplit(target).path}?{urlencode(self.fields)}" if self.fields else urlsplit(target).path


class GetForms(HTMLParser):
    """The GET forms of a page, each filled as a person trying a filter would: the first real choice of
    every list, typed values as they stand, boxes as they are ticked."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[GetForm] = []
        self.form: GetForm | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            asks_with_get = attrs.get("method", "get").lower() == "get"
            self.form = GetForm(attrs.get("action", "")) if asks_with_get else None
        elif self.form is None:
            return
        elif tag == "option" and self.form.select and not self.form.choice:
            self.form.choice = attrs.get("value", "")  # the first option with a value: the first real choice
        elif tag == "select" and attrs.get("name"):
            self.form.select, self.form.choice = attrs["name"], ""
        elif tag == "input" and attrs.get("name") and attrs.get("type", "text") not in NOT_SENT:
            unticked = attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs
            if not unticked:
                self.form.fields.append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "select" and self.form is not None and self.form.select:
            self.form.fields.append((self.form.select, self.form.choice))
            self.form.select = ""


def form_urls(page_url: str, text: str) -> list[str]:
    """Where each GET form on the page leads when submitted as `GetForms` fills it."""
    parser = GetForms()
    parser.feed(text)
    return [form.url(page_url) for form in parser.forms]


def view_name(path: str) -> str:
    """The name of the view at `path`, or the path itself for a dead link (visited once: its 404 shows)."""
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


def crawl(client: Client, seeds: list[str], *, skip: tuple[str, ...] = ()) -> dict[str, Page]:
    """GET every page reachable by links from `seeds`; each page with its status and the page linking it."""
    skipped = SKIPPED_PREFIXES + skip
    queue = deque((url, "") for url in seeds)
    seen, per_view, pages, views = set(seeds), Counter(), {}, {}
    while queue and len(pages) < PAGES:
        url, source = queue.popleft()
        response = client.get(url)
        html = "html" in response.get("Content-Type", "")
        pages[url] = Page(response.status_code, response.content.decode(errors="replace"), html, source)
        if response.status_code in (301, 302):  # a role's home sends them on: follow it like a link
            hrefs = [(response["Location"], "")]
        elif response.status_code == 200 and html:
            links = re.findall(r'href="([^"#]+)', pages[url].text)
            forms = form_urls(url, pages[url].text)
            # A submitted form counts apart from the view's links, so paging links never crowd it out.
            hrefs = [(href, "") for href in links] + [(href, " form") for href in forms]
        else:
            continue
        for href, how in hrefs:
            href = href.replace("&amp;", "&")
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(skipped):
                continue
            if parts.path not in views:  # pages repeat their links: each path is resolved once
                views[parts.path] = view_name(parts.path)
            view = views[parts.path] + how
            if href in seen or per_view[view] >= PER_VIEW:
                continue
            seen.add(href)
            per_view[view] += 1
            queue.append((href, url))
    return pages
