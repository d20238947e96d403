"""Uses Siyu's served OpenAPI document the way an outside engineer would.

Usage: python api_contract.py BASE_URL ADMIN_TOKEN WRITE_KEY WORK_DIR PEOPLE (scripts/api-contract-test.sh runs it)

1. Generates a Python client from GET /openapi.json with openapi-python-client and calls three
   endpoints with it: the workspace (PEOPLE people, as the demo generator reported), a channel saved
   and read back, and a funnel whose steps are checked against the people's own timelines.
2. Runs schemathesis over the document against the server: no answer may be a 5xx and none may
   contradict the document's schema.

Prints what it did and exits 1 with the reasons on any failure.
"""
import importlib
import json
import os
import subprocess
import sys
import base64
import time
import urllib.request

base, token, write_key, work, people = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
bin_dir = os.path.dirname(sys.executable)
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


# --- 1. A generated client ---------------------------------------------------------------------
document_path = os.path.join(work, "openapi.json")
with urllib.request.urlopen(base + "/openapi.json") as answer:
    document = json.load(answer)
with open(document_path, "w") as f:
    json.dump(document, f)
client_dir = os.path.join(work, "client")
environment = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))  # its formatter, ruff
generated = subprocess.run(
    [os.path.join(bin_dir, "openapi-python-client"), "generate", "--path", document_path, "--output-path", client_dir, "--overwrite"],
    capture_output=True, text=True, env=environment)
print(generated.stdout[-2000:], generated.stderr[-2000:])
if generated.returncode != 0:
    sys.exit("openapi-python-client failed")
# The only warnings allowed: it cannot send CSV bodies (imports/{kind}, segments/{id}/members).
warnings = [line for line in generated.stdout.splitlines() if line.startswith("WARNING")]
check(all("imports/{kind}" in line or "segments/{id}/members" in line for line in warnings),
      "openapi-python-client warned about the document:\n" + generated.stdout)
sys.path.insert(0, client_dir)
package = next(name for name in os.listdir(client_dir) if os.path.isfile(os.path.join(client_dir, name, "client.py")))
api = importlib.import_module(package)
client = api.AuthenticatedClient(base_url=base, token=token)
models = importlib.import_module(package + ".models")


def operation(tag, name):
    return importlib.import_module("%s.api.%s.%s" % (package, tag, name))


workspace = operation("workspace", "get_workspace").sync(client=client)
check(workspace is not None and workspace.name == "demo", "workspace: %r" % (workspace,))
check(workspace is not None and workspace.people == people, "workspace people: %r, the demo made %d" % (getattr(workspace, "people", None), people))

body = models.ChannelInput.from_dict({"name": "知乎 KOL", "kind": "partner", "trackingCodes": [{"utmSource": "zhihu", "utmMedium": "kol"}]})
saved = operation("workspace", "put_channel").sync(key="zhihu-kol", client=client, body=body)
check(saved is not None and saved.channel.name == "知乎 KOL", "putChannel answered %r" % (saved,))
listed = operation("workspace", "list_channels").sync(client=client)
mine = [c for c in (listed.channels if listed else []) if c.key == "zhihu-kol"]
check(len(mine) == 1 and mine[0].kind == "partner" and mine[0].tracking_codes[0].utm_source == "zhihu",
      "listChannels does not show the saved channel as saved: %r" % (mine,))

# Three new people with two event names no one else sends: a does A then B, b only A, c only B.
# A funnel A → B therefore has 2 people at step A and 1 at step B (c never did A).
batch = {"batch": [
    {"type": "track", "userId": "contract-a", "event": "Contract Step A", "messageId": "contract-1"},
    {"type": "track", "userId": "contract-a", "event": "Contract Step B", "messageId": "contract-2"},
    {"type": "track", "userId": "contract-b", "event": "Contract Step A", "messageId": "contract-3"},
    {"type": "track", "userId": "contract-c", "event": "Contract Step B", "messageId": "contract-4"},
]}
request = urllib.request.Request(base + "/v1/batch", data=json.dumps(batch).encode(), method="POST", headers={
    "Content-Type": "application/json", "Authorization": "Basic " + base64.b64encode((write_key + ":").encode()).decode()})
with urllib.request.urlopen(request) as answer:
    check(answer.status == 200, "batch: %d" % answer.status)
funnel = operation("analytics", "funnel")
counts = None
for _ in range(40):  # the live dataset merges new events within about a second
    answer = funnel.sync(client=client, body=models.FunnelRequest.from_dict({"steps": ["Contract Step A", "Contract Step B"]}))
    counts = [step.count for step in answer.steps] if answer else None
    if counts == [2, 1]:
        break
    time.sleep(0.25)
check(counts == [2, 1], "funnel Contract Step A → B counted %r, expected [2, 1]" % (counts,))

print("generated client: %d failures" % len(failures))

# --- 2. schemathesis -------------------------------------------------------------------------------
# Valid and invalid requests generated from the document (its examples, then fuzzing; SIYU_SCHEMATHESIS_DEEP=1 adds
# the coverage phase's boundary values, about six minutes more). Left out: revoking the admin token the run uses, and
# value fits (a Pareto/NBD fit of an awkward dataset can take minutes, longer than a request may wait here).
# schemathesis's own CLI, with more room for Python recursion: drawing examples of the recursive
# rule schemas can exhaust the default limit inside hypothesis (a crash of the tool, not a finding).
st = [sys.executable, "-c", "import sys; sys.setrecursionlimit(20000); from schemathesis.cli import schemathesis; "
      "sys.argv[0] = 'st'; sys.exit(schemathesis())"]
phases = "examples,coverage,fuzzing" if os.environ.get("SIYU_SCHEMATHESIS_DEEP") == "1" else "examples,fuzzing"
common = ["run", document_path, "--url", base, "--checks", "not_a_server_error,response_schema_conformance",
          "--phases", phases, "--max-examples", "25", "--seed", "20261207", "--workers", "2",
          "--request-timeout", "60", "--no-color", "--generation-database", "none"]
runs = [
    ("admin API", common + ["-H", "Authorization: Bearer " + token, "--exclude-tag", "Ingestion",
                            "--exclude-operation-id", "revokeAdminToken", "--exclude-operation-id", "fitValueModel"]),
    ("ingestion", common + ["--auth", write_key + ":", "--include-tag", "Ingestion"]),
]
for name, arguments in runs:
    run = subprocess.run(st + arguments, capture_output=True, text=True, cwd=work)
    print("schemathesis, %s: exit %d" % (name, run.returncode))
    print(run.stdout[-6000:])
    summary = run.stdout[run.stdout.rfind("SUMMARY"):]
    # A failed check (a 5xx, an answer against the schema) fails the run; so does any error but a
    # crash inside the tool itself, which is reported and otherwise let pass.
    tool_crash_only = "Failures:" not in summary and all(
        "Runtime Error" in line for line in summary.splitlines() if line.strip().startswith("🚫") and ":" in line)
    if run.returncode != 0 and tool_crash_only and "Errors:" in summary:
        print("schemathesis (%s) crashed inside itself on some examples; no check failed" % name)
        continue
    check(run.returncode == 0, "schemathesis (%s) found failures:\n%s%s" % (name, run.stdout[-8000:], run.stderr[-2000:]))

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("contract checks passed")
