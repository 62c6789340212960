"""The WSGI application: /version/ answers the release, as AMY's does for load balancers."""

from fakeamy.release import VERSION


def application(environ, start_response):
    body = (VERSION if environ.get("PATH_INFO") == "/version/" else f"AMY {VERSION}\n").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
