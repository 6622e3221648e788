#!/usr/bin/env bash
# Measures the figures docs/scale.md sizes a state-wide rebuild from: full builds of synthetic
# plans (benchmarks/synthetic.py, the size of the examples) with the real CLI, without and with
# PDFs, at --jobs 1 and --jobs 2. Run from the repository root, after `make build`:
#
#     bash deploy/measure.sh [PLANS_WITHOUT_PDF=200] [PLANS_WITH_PDF=20] [RUNS=3]
#
# --draft: a synthetic plan that is a draft is rendered and converted like any other, and must
# not stop the measurement. Each build is a full one (a fresh output folder), so nothing is
# skipped as unchanged. The wall time includes the start of the command (and, with --pdf, of
# LibreOffice); the CPU time (docs/scale.md sizes from it) barely depends on other load.
set -euo pipefail
cd "$(dirname "$0")/.."

plans=${1:-200}
pdf_plans=${2:-20}
runs=${3:-3}
pipeline=${PIPELINE:-.venv/bin/pipeline}
python=${PYTHON:-.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" - "$work/plans" "$plans" "$work/pdf-plans" "$pdf_plans" <<'PY'
import sys
from pathlib import Path

sys.path.insert(0, "benchmarks")
from synthetic import write_plans

write_plans(Path(sys.argv[1]), int(sys.argv[2]))
write_plans(Path(sys.argv[3]), int(sys.argv[4]))
PY

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "pipeline: $("$python" -c 'import pipeline; print(pipeline.__version__)'), $("$python" --version), $(soffice --version 2>/dev/null | head -1 || echo 'no LibreOffice')"

measure() {  # measure LABEL INPUTS OPTIONS...
  local label=$1 inputs=$2
  shift 2
  for run in $(seq "$runs"); do
    rm -rf "$work/out"
    # bash's `time`: wall, and the CPU time (user + system) of the build and every process it
    # started and waited for (its workers, LibreOffice), which other load barely changes.
    local TIMEFORMAT='%R %U %S'
    { time "$pipeline" build "$inputs" --out "$work/out" --quiet --draft "$@" >"$work/log" 2>&1 \
      || { cat "$work/log"; exit 1; }; } 2>"$work/time"
    local plans documents pdfs
    plans=$(find "$inputs" -name '*.json' | wc -l)
    documents=$(find "$work/out" -name '*.docx' | wc -l)
    pdfs=$(find "$work/out" -name '*.pdf' ! -name packet.pdf | wc -l)
    read -r wall user sys <"$work/time"
    awk -v l="$label" -v n="$plans" -v d="$documents" -v p="$pdfs" -v w="$wall" -v u="$user" \
      -v s="$sys" -v r="$run" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
      c = u + s
      printf "%-15s run %d: %3d plans, %3d .docx, %3d .pdf: wall %6.2f s (%5.2f .docx/s), " \
        "CPU %6.2f s (%5.2f .docx per CPU-second, %.3f CPU-s per plan); load %s\n",
        l, r, n, d, p, w, d / w, c, d / c, c / n, load }'
  done
}

measure "docx --jobs 1" "$work/plans" --jobs 1
measure "docx --jobs 2" "$work/plans" --jobs 2
if command -v soffice >/dev/null 2>&1; then
  measure "pdf --jobs 1" "$work/pdf-plans" --jobs 1 --pdf
  measure "pdf --jobs 2" "$work/pdf-plans" --jobs 2 --pdf
else
  echo "no soffice on PATH: PDF figures not measured"
fi
