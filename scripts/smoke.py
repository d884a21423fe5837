"""`make smoke [URL=...]`: checks a running instance through its /healthz endpoint. With
HEALTH_MONITORING_TOKEN in the environment (the instance's own token) it prints one line per check
(the database, the chain, the indexer's last block and lag, the outbox backlog, the workers'
heartbeat); without it the instance tells only whether it is healthy, and so does this script.
Exits non-zero if the instance is unhealthy."""

import json
import os
import sys
import urllib.error
import urllib.request


def main(base_url: str) -> int:
    url = base_url.rstrip("/") + "/healthz"
    request = urllib.request.Request(url)
    if token := os.environ.get("HEALTH_MONITORING_TOKEN"):
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            report = json.load(response)
    except urllib.error.HTTPError as error:  # 503: some check failed, the body says which
        report = json.load(error)
    except (urllib.error.URLError, OSError) as error:
        print(f"FAIL  {url} unreachable: {error}")
        return 1
    for name, check in report.get("checks", {}).items():
        details = ", ".join(f"{key}={value}" for key, value in check.items() if key != "ok")
        print(f"{'ok  ' if check['ok'] else 'FAIL'}  {name:<9} {details}")
    if "checks" not in report:
        print("(the checks are shown with HEALTH_MONITORING_TOKEN set to the instance's monitoring token)")
    print("healthy" if report["ok"] else "UNHEALTHY")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
