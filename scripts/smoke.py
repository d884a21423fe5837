"""`make smoke [URL=...]`: checks a running instance through its /healthz endpoint: the database,
the chain, the indexer's last block and lag, the outbox backlog and the workers' heartbeat.
Prints one line per check and exits non-zero if any fails."""

import json
import sys
import urllib.error
import urllib.request


def main(base_url: str) -> int:
    url = base_url.rstrip("/") + "/healthz"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            report = json.load(response)
    except urllib.error.HTTPError as error:  # 503: some check failed, the body says which
        report = json.load(error)
    except (urllib.error.URLError, OSError) as error:
        print(f"FAIL  {url} unreachable: {error}")
        return 1
    for name, check in report["checks"].items():
        details = ", ".join(f"{key}={value}" for key, value in check.items() if key != "ok")
        print(f"{'ok  ' if check['ok'] else 'FAIL'}  {name:<9} {details}")
    print("healthy" if report["ok"] else "UNHEALTHY")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
