#!/usr/bin/env bash
# Set up this machine for Vigil (Debian bookworm, Python 3.11): the Debian packages it needs,
# when missing, then a virtual environment in .venv with the vigil package and the pinned
# Python dependencies of constraints.txt. Safe to run again; reaches only package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(
    gcc g++ make                       # host builds of the portable core
    git                                # file lists (mutation-test copies, repository checks)
    cmake ninja-build                  # the app's code-generation CMake module, tested with both generators
    gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib
    qemu-system-arm                    # Cortex-M33 runs on mps2-an505
    espeak-ng sox                      # synthetic speech for calibration and regression
    chromium                           # renders the HTML reports headless (tests, release screenshots)
)
missing=()
for deb in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing+=("$deb")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=.venv/.vigil-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    echo "setup: installing Python packages into .venv"
    .venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[models,test]'
    touch "$stamp"
fi
