"""pulumi-aws's service packages loaded a module at a time (tooling/lazy_sdk.py) give the program exactly what the
packages loaded whole give it."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from inspect import ismodule
from pathlib import Path
from types import ModuleType

import pulumi_aws
import pulumi_aws as aws
import pytest

from tooling import account, lazy_sdk
from tooling.harness import ROOT, run

# Every variant of every stack, planned with the service packages loaded lazily, as bin/plan does; then what that
# process loaded of pulumi-aws.
LAZY_PLANS = """
import json, sys
from tooling import lazy_sdk
lazy_sdk.install()
from tooling import account
from tooling.harness import run
plans = {label: run(*variant).as_json() for label, variant in account.variants().items()}
loaded = sorted(name for name in sys.modules if name.startswith("pulumi_aws."))
from pulumi_aws.ec2.security_group import SecurityGroupArgs
annotations = sorted({type(value).__name__ for value in SecurityGroupArgs.__init__.__annotations__.values()})
json.dump({"plans": plans, "loaded": loaded, "annotations": annotations}, sys.stdout)
"""


@pytest.fixture(scope="module")
def lazily() -> dict:
    result = subprocess.run([sys.executable, "-c", LAZY_PLANS], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_every_variant_registers_the_same_as_with_the_packages_loaded_whole(lazily: dict) -> None:
    # This process imports pulumi-aws as it comes: the tests never install the finder.
    assert not any(isinstance(finder, lazy_sdk.LazyServicePackages) for finder in sys.meta_path)
    whole = {label: json.loads(json.dumps(run(*variant).as_json())) for label, variant in account.variants().items()}
    assert lazily["plans"] == whole


def test_the_lazy_plans_load_a_fraction_of_the_modules(lazily: dict) -> None:
    loaded = set(lazily["loaded"])
    assert "pulumi_aws.ec2.security_group" in loaded
    assert "pulumi_aws.ec2._inputs" in loaded
    # A module of a package the program uses, for a resource it never declares.
    assert "pulumi_aws.ec2.vpn_connection" not in loaded
    ec2 = Path(pulumi_aws.__file__).parent / "ec2"
    assert len([name for name in loaded if name.startswith("pulumi_aws.ec2.")]) < len(list(ec2.glob("*.py"))) / 4


def test_the_lazy_plans_postpone_pulumi_awss_annotations(lazily: dict) -> None:
    assert lazily["annotations"] == ["str"]
    assert not isinstance(next(iter(aws.ec2.SecurityGroupArgs.__init__.__annotations__.values())), str)


def load(name: str, path: Path, cache: Path) -> ModuleType:
    loader = lazy_sdk.DeferredAnnotationsLoader(name, str(path), cache)
    spec = importlib.util.spec_from_loader(name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_postponed_code_is_kept_and_compiled_again_when_the_source_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "probe.py"
    source.write_text("def f(x: Undefined) -> int:\n    return 1\n")
    cache = tmp_path / "cache"
    # Evaluated at definition, `Undefined` would fail: postponed, it is the string.
    assert load("amy_probe", source, cache).f.__annotations__ == {"x": "Undefined", "return": "int"}
    [kept] = cache.iterdir()
    assert kept.name == f"amy_probe.{sys.implementation.cache_tag}.code"
    with monkeypatch.context() as patched:
        patched.setattr("builtins.compile", lambda *args, **kwargs: pytest.fail("compiled again"))
        assert load("amy_probe", source, cache).f(0) == 1
    source.write_text("def f(x: Undefined) -> int:\n    return 22\n")
    assert load("amy_probe", source, cache).f(0) == 22


def test_without_a_cache_it_compiles_each_time(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text("def f() -> Undefined:\n    return 3\n")
    (tmp_path / "not-a-directory").write_text("")
    assert load("amy_probe_uncached", source, tmp_path / "not-a-directory" / "cache").f() == 3


def test_each_name_a_package_exports_is_the_object_its_index_leads_to() -> None:
    """The index (later star imports win, as in the package's own __init__) against every package the program uses,
    loaded whole in this process."""
    packages = sorted({account.sdk_location(type_)[0] for type_ in account.RULES if type_.startswith("aws:")})
    for package in packages:
        whole = importlib.import_module(package)
        index, modules = lazy_sdk.package_index(Path(whole.__file__ or ""))
        assert modules <= {"outputs"}
        for name, module in index.items():
            assert getattr(whole, name) is getattr(importlib.import_module(f"{package}.{module}"), name), name
        exported = {name for name, value in vars(whole).items() if not name.startswith("_") and not ismodule(value)}
        assert exported == set(index), package


def test_a_function_named_as_its_module_is_the_function_whatever_is_read_first() -> None:
    """`pulumi_aws.acm.get_certificate` is a module and, once the package has star-imported it, the function in it."""
    script = (
        "from tooling import lazy_sdk; lazy_sdk.install(); import pulumi_aws as aws; "
        "aws.acm.GetCertificateResult; print(callable(aws.acm.get_certificate), aws.acm.get_certificate.__module__)"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "pulumi_aws.acm.get_certificate"]


def test_a_package_not_as_generated_is_loaded_whole(tmp_path: Path) -> None:
    package = tmp_path / "odd"
    package.mkdir()
    (package / "thing.py").write_text("__all__ = ['Thing']\nclass Thing: ...\n")
    (package / "__init__.py").write_text("from .thing import *\nTHING_COUNT = 1\n")
    with pytest.raises(lazy_sdk.NotGeneratedError, match="THING_COUNT"):
        lazy_sdk.package_index(package / "__init__.py")
    (package / "__init__.py").write_text("from .thing import *\n")
    (package / "thing.py").write_text("class Thing: ...\n")
    with pytest.raises(lazy_sdk.NotGeneratedError, match="states no __all__"):
        lazy_sdk.package_index(package / "__init__.py")


def test_installing_after_pulumi_aws_is_imported_is_refused() -> None:
    assert "pulumi_aws" in sys.modules
    with pytest.raises(RuntimeError, match="must run before pulumi_aws is imported"):
        lazy_sdk.install()
