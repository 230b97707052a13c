"""Maps the fixed top-level folders onto installable package names.

pyproject.toml alone cannot rename a folder tree recursively, so this file lists
``livedata*`` as found and installs ``config/`` as ``livedata_config`` and ``tui/``
as ``livedata_tui``, each with every sub-folder.
"""

from pathlib import Path

from setuptools import find_namespace_packages, find_packages, setup

ROOT = Path(__file__).parent
RENAMED = {"livedata_config": "config", "livedata_tui": "tui"}

packages = find_packages(include=["livedata", "livedata.*"])
package_dir = {}
for name, folder in RENAMED.items():
    if not (ROOT / folder).is_dir():
        continue
    package_dir[name] = folder
    packages.append(name)
    for sub in find_namespace_packages(where=folder):
        packages.append(f"{name}.{sub}")
        package_dir[f"{name}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"

setup(
    packages=packages,
    package_dir=package_dir,
    package_data={
        "livedata_config": ["**/*.yaml", "**/*.j2"],
        "livedata_tui": ["**/*.tcss"],
        "livedata": ["instruments/*/facility_streams.tsv"],
    },
    include_package_data=True,
)
