"""The README tells the truth about configuration and dependencies: every environment variable the code reads is
in its table, and every package the code imports directly is declared in pyproject.toml."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "sirbi"
ENV_READ = re.compile(r"""(?:env_(?:str|bool|int|list)|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def python_files():
    return [path for path in SOURCE.rglob("*.py") if "migrations" not in path.parts]


def test_every_environment_variable_read_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    table = {name for row in readme.splitlines() if row.startswith("| `")
             for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}
    read = {name for path in python_files() for name in ENV_READ.findall(path.read_text())}
    assert len(read) > 30
    missing = sorted(read - table)
    assert not missing, f"environment variables read by the code but not in the README's table: {missing}"


def imported_modules():
    modules = set()
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"sirbi"}


def declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = set()
    for requirement in project["dependencies"]:
        names.add(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_every_package_imported_directly_is_declared():
    owners = importlib.metadata.packages_distributions()
    undeclared = {}
    for module in imported_modules():
        distributions = {name.lower().replace("_", "-") for name in owners.get(module, [module])}
        if not distributions & declared():
            undeclared[module] = sorted(distributions)
    assert not undeclared, f"imported by src/ but not declared in pyproject.toml: {undeclared}"
